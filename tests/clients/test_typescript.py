"""The TypeScript SDK (`clients/typescript`) against a real `tikpost serve` in sandbox mode.

One server for the module: Node's own test runner (`npm test`: the build, then `node --test`
on the compiled tests and the examples) drives it over HTTP with the key and video handed
over in the environment, and the drift check regenerates the SDK's types from its live
/openapi.json. `make test` runs `npm ci` there first (and again when the lockfile changes).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.support.processes import (
    TIKPOST,
    create_api_key,
    free_port,
    running_processes,
    tail,
    wait_up,
)
from tests.support.videos import make_video
from tikpost.sandbox.samples import make_jpeg

PACKAGE = Path(__file__).resolve().parents[2] / "clients" / "typescript"
# The whole Node suite, build included, on a loaded two-core machine (it takes about a minute).
NODE_TIMEOUT_SEC = 300
# Whichever test starts the module's server (xdist may split the module) waits for it too.
pytestmark = pytest.mark.timeout(NODE_TIMEOUT_SEC + 120)


@dataclass(frozen=True)
class Served:
    url: str
    api_key: str
    log: Path
    # An origin the server accepts as a connect redirect_uri (nothing needs to listen there).
    redirect_origin: str
    # Another team's key, for the business-account tests: the examples post SELF_ONLY to the
    # first ready account of theirs, which must not be a business account (public only).
    business_api_key: str


def npm() -> str:
    found = shutil.which("npm")
    assert found, "npm is not installed (.ci/run installs Node and npm)"
    assert (PACKAGE / "node_modules").is_dir(), (
        f"run `npm ci` in {PACKAGE} first (`make test` does)"
    )
    return found


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    root = tmp_path_factory.mktemp("typescript-sdk")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    redirect_origin = f"http://127.0.0.1:{free_port()}"
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("TIKPOST_")}
    env = {
        **inherited,
        "TIKPOST_DATA_DIR": str(root / "data"),
        "TIKPOST_DATABASE_URL": f"sqlite:///{root / 'tikpost.db'}",
        "TIKPOST_PUBLIC_URL": url,
        # The tests' webhook receivers and media origins are Node servers on loopback.
        "TIKPOST_ALLOW_PRIVATE_URLS": "true",
        "TIKPOST_API_RATE_LIMIT": "100000/minute",
        "TIKPOST_CONNECT_REDIRECT_ORIGINS": json.dumps([redirect_origin]),
    }
    with running_processes() as processes:
        serve = processes.start(
            [TIKPOST, "serve", "--port", str(port)], env, root / "logs" / "serve.log"
        )
        # Generous: a first start on a loaded machine also compiles and migrates.
        wait_up(f"{url}/healthz", serve.process, timeout=120)
        httpx.patch(
            f"{url}/sandbox/_sandbox/config",
            json={"processing_delay_sec": 0.2, "unaudited_active_user_cap": 1000},
        ).raise_for_status()
        yield Served(
            url,
            create_api_key(env, "typescript"),
            serve.log,
            redirect_origin,
            create_api_key(env, "typescript-business"),
        )


@pytest.fixture(scope="module")
def video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Small (360x640, 3.5 s) so each upload and probe stays cheap."""
    path = tmp_path_factory.mktemp("ts-video") / "clip.mp4"
    return make_video(path, seconds=3.5, fps=24, width=360, height=640)


@pytest.fixture(scope="module")
def slides(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A carousel's two slides in one .zip, as `media.uploadZip` takes them."""
    path = tmp_path_factory.mktemp("ts-slides") / "slides.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for number, shade in ((1, 40), (2, 200)):
            archive.writestr(f"slide-{number}.jpg", make_jpeg(width=540, height=960, shade=shade))
    return path


@pytest.mark.slow
def test_the_node_suite_passes(served: Served, video: Path, slides: Path) -> None:
    """Node's test runner over the SDK's tests and examples, against the live server."""
    env = {
        **os.environ,
        "TIKPOST_URL": served.url,
        "TIKPOST_API_KEY": served.api_key,
        "TIKPOST_TEST_VIDEO": str(video),
        "TIKPOST_TEST_SLIDES": str(slides),
        "TIKPOST_TEST_REDIRECT_ORIGIN": served.redirect_origin,
        "TIKPOST_TEST_BUSINESS_API_KEY": served.business_api_key,
    }
    done = subprocess.run(
        [npm(), "test"],
        cwd=PACKAGE,
        env=env,
        capture_output=True,
        text=True,
        timeout=NODE_TIMEOUT_SEC,
        check=False,
    )
    report = f"{done.stdout[-8000:]}\n{done.stderr[-4000:]}\n{tail(served.log)}"
    assert done.returncode == 0, report
    assert "# fail 0" in done.stdout, report


def test_the_types_match_the_servers_openapi(served: Served) -> None:
    """src/schema.ts is what openapi-typescript makes of the live /openapi.json (/v1 only);
    `npm run schema -- URL --write` regenerates it after an API change."""
    npm()
    generated = subprocess.run(
        ["node", "scripts/schema.mjs", served.url],
        cwd=PACKAGE,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    committed = (PACKAGE / "src" / "schema.ts").read_text()
    assert generated == committed, (
        "the TypeScript SDK's types drifted from the server's API: run "
        f"`npm run schema -- {served.url} --write` in clients/typescript against a current server"
    )


def test_the_readme_shows_the_quickstart_the_tests_run() -> None:
    """The README's TypeScript block is the example's own code, line for line."""
    readme = (PACKAGE.parents[1] / "README.md").read_text()
    section = readme.split("## TypeScript SDK", 1)[1]
    block = section.split("```ts\n", 1)[1].split("```", 1)[0]
    example = (PACKAGE.parents[1] / "examples" / "typescript" / "quickstart.mts").read_text()
    assert block in example
