"""Runs one of PostPost's published examples as its reader would: JavaScript with Node
(`fetch`), Python with `requests`, cURL in a shell, and the axios one with Node too.

axios is not installed here (the suite fetches nothing at run time), so its example gets a
small stand-in module named `axios` with the one call it makes, over Node's own fetch;
everything else is the real client.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from tests.compat.postpost.examples import ACCOUNT, HOST, KEY, Example

AXIOS = """
module.exports = {
  async post(url, data, config = {}) {
    const headers = { 'Content-Type': 'application/json', ...(config.headers || {}) };
    const answer = await fetch(url, { method: 'POST', headers, body: JSON.stringify(data) });
    const body = await answer.json();
    if (answer.status >= 400) {
      const error = new Error('Request failed with status code ' + answer.status);
      error.response = { status: answer.status, data: body };
      throw error;
    }
    return { status: answer.status, data: body };
  },
};
"""
# ESM (`--input-type=module`) for the top-level await both Node examples use; the axios one
# also calls require(), given to it from the stand-in's directory.
REQUIRE = "import {{ createRequire }} from 'module';\nconst require = createRequire({main!r});\n"
GROUP = re.compile(r"""['"]?postGroupId['"]?\s*:\s*['"]([^'"]+)['"]""")
SUCCESS = re.compile(r"""['"]?success['"]?\s*:\s*(true|True)\b""")


def swapped(example: Example, base_url: str, key: str, open_id: str) -> str:
    """The example with only its host, key and account changed."""
    code = example.code.replace(HOST, base_url).replace(KEY, key)
    return code.replace(f"tiktok-{ACCOUNT}", f"tiktok-{open_id}")


def run(example: Example, code: str, workdir: Path) -> str:
    """What the example prints (it prints the response body)."""
    if example.language == "requests":
        command = [sys.executable, "-c", code]
    elif example.language == "curl":
        command = ["sh", "-c", code]
    else:
        prelude = ""
        if example.language == "axios":
            package = workdir / "node_modules" / "axios"
            package.mkdir(parents=True, exist_ok=True)
            (package / "index.js").write_text(AXIOS)
            prelude = REQUIRE.format(main=str(workdir / "main.mjs"))
        command = ["node", "--input-type=module", "-e", prelude + code]
    done = subprocess.run(
        command, cwd=workdir, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, (done.stdout, done.stderr)
    return done.stdout


def group_of(printed: str) -> str:
    """The `postGroupId` of `{ success: true, postGroupId: ... }`, as each language prints it."""
    assert SUCCESS.search(printed), printed
    found = GROUP.search(printed)
    assert found, printed
    return found.group(1)
