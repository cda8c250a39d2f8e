"""The SQL statements one post costs, counted in `tikpost serve` during a bench/pipeline.py run.

    .venv/bin/python bench/statements.py [--by-caller] [--top 40] [pipeline.py options]

Timing cannot resolve a change of a few statements on a shared two-core machine (the noise of
one run is larger), but counting can: every statement is about a millisecond of CPU here. This
runs `bench/pipeline.py --setups sqlite` (plus any options given) with an SQLAlchemy
`before_cursor_execute` listener installed in each `tikpost serve` through a generated
`sitecustomize`, and prints each kind of statement per post, tikpost's and DBOS's apart.

`--by-caller` names the tikpost frames that issued each read and BEGIN instead (read from the
greenlet's parent: SQLAlchemy's async engine runs the statement in a greenlet of its own, whose
stack starts at `greenlet_spawn`). The counts include what every post shares: the connects, the
bench's listings of posts, the queue polls of the run.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

# Installed in every Python process of the run; only `tikpost serve` counts.
SITECUSTOMIZE = """
import atexit, collections, os, sys, traceback

if "serve" in sys.argv:
    import greenlet
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    counts = collections.Counter()
    by_caller = os.environ.get("BENCH_STATEMENTS_BY_CALLER") == "1"

    def caller():
        current = greenlet.getcurrent()
        parent = current.parent
        frame = parent.gr_frame if parent is not None and parent.gr_frame else sys._getframe()
        ours = [
            f for f in traceback.extract_stack(frame)
            if "/tikpost/" in f.filename and "/tikpost/kit/db" not in f.filename
        ]
        return " < ".join(f"{f.name}:{f.lineno}" for f in reversed(ours[-3:]))

    @event.listens_for(Engine, "before_cursor_execute")
    def _count(conn, cursor, statement, params, context, executemany):
        database = "dbos" if "dbos" in str(conn.engine.url) else "tikpost"
        words = statement.split()
        kind = " ".join(words[:4] if words[0] == "SELECT" else words[:3])[:70]
        if by_caller:
            if database == "dbos" or words[0] not in ("SELECT", "BEGIN"):
                return
            kind = f"{words[0]} {words[1][:40]}  {caller()}"
        counts[(database, kind)] += 1

    def dump():
        out = os.path.join(os.environ["BENCH_STATEMENTS_DIR"], f"{os.getpid()}.tsv")
        with open(out, "w") as handle:
            for (database, kind), n in counts.items():
                handle.write(f"{n}\\t{database}\\t{kind}\\n")

    atexit.register(dump)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--by-caller", action="store_true", help="reads and BEGINs by caller")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--accounts", type=int, default=20)
    parser.add_argument("--posts", type=int, default=5)
    parser.add_argument("--burst", type=int, default=20)
    args, rest = parser.parse_known_args()
    posts = args.accounts * args.posts + args.burst
    here = Path(__file__).resolve().parent
    with tempfile.TemporaryDirectory(prefix="tikpost-statements-") as directory:
        Path(directory, "sitecustomize.py").write_text(SITECUSTOMIZE)
        out = Path(directory, "counts")
        out.mkdir()
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(filter(None, [directory, os.environ.get("PYTHONPATH")])),
            "BENCH_STATEMENTS_DIR": str(out),
            "BENCH_STATEMENTS_BY_CALLER": "1" if args.by_caller else "0",
        }
        command = [sys.executable, str(here / "pipeline.py"), "--setups", "sqlite"]
        command += ["--accounts", str(args.accounts), "--posts", str(args.posts)]
        command += ["--burst", str(args.burst), *rest]
        subprocess.run(command, cwd=here, env=env, check=True, stdout=subprocess.DEVNULL)
        counts: Counter[tuple[str, str]] = Counter()
        for dump in out.glob("*.tsv"):
            for line in dump.read_text().splitlines():
                times, database, kind = line.split("\t", 2)
                counts[(database, kind)] += int(times)
    if not counts:
        raise SystemExit("no statements were counted: did tikpost serve exit cleanly?")
    totals: Counter[str] = Counter()
    for (database, _), n in counts.items():
        totals[database] += n
    what = "tikpost's reads and BEGINs" if args.by_caller else "statements"
    per_post = ", ".join(f"{database} {n / posts:.1f}" for database, n in totals.items())
    print(f"{posts} posts; {what} per post: {per_post}")
    for (database, kind), n in counts.most_common(args.top):
        print(f"{n / posts:7.2f}  {database:7s}  {kind}")


if __name__ == "__main__":
    main()
