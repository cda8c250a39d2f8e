"""Where the time goes in a py-spy speedscope profile: the top frames by inclusive share.

    .venv/bin/python bench/profile_summary.py PROFILE.speedscope.json [--top 25] [--match tikpost]

Inclusive: the share of samples (all threads, or those `--thread` names) with the frame
anywhere on the stack; idle samples are there only if py-spy recorded with `--idle`
(`bench/pipeline.py --profile-mode idle`), which shows where a thread waits, and only the
GIL holder's with `--profile-mode gil`, the Python work itself. `--match` keeps frames
whose file contains the string (e.g. `tikpost/` for tikpost's own code).
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path


def summarize(path: Path, top: int, match: str, thread: str = "", own: bool = False) -> list[str]:
    """`own`: count only the innermost frame of `match` on each stack (time spent in that
    function itself or in what it calls outside `match`), which points at what to change,
    where inclusive shares point at the callers."""
    data = json.loads(path.read_text())
    frames = data["shared"]["frames"]
    inclusive: Counter[int] = Counter()
    total = 0
    for profile in data["profiles"]:
        if thread not in profile["name"]:
            continue
        for stack, weight in zip(profile["samples"], profile["weights"], strict=True):
            total += weight
            if own:
                inner = [i for i in stack if match in str(frames[i].get("file", ""))]
                if inner:
                    inclusive[inner[-1]] += weight
                continue
            for index in set(stack):
                inclusive[index] += weight
    lines = [f"{path.name}: {total} samples"]
    shown = 0
    for index, weight in inclusive.most_common():
        frame = frames[index]
        where = f"{frame.get('file', '?')}:{frame.get('line', '?')}"
        if match and match not in where:
            continue
        lines.append(f"{100 * weight / total:5.1f} %  {frame['name']}  ({where})")
        shown += 1
        if shown >= top:
            break
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("profile", type=Path)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--match", default="")
    parser.add_argument("--thread", default="", help="only profiles (threads) named like this")
    parser.add_argument(
        "--own", action="store_true", help="innermost --match frame only, not inclusive"
    )
    args = parser.parse_args()
    print("\n".join(summarize(args.profile, args.top, args.match, args.thread, args.own)))


if __name__ == "__main__":
    main()
