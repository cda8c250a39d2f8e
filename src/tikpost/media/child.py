"""FFmpeg's work on uploads happens in child processes; this is how the server runs one.

Probing and transcoding both parse hostile input in C. The child gets no stdin and no stderr
(FFmpeg's messages could echo the file's contents), the parent reads its stdout only, and
whatever happens to the parent's await (a deadline, a cancelled workflow, a crash in between),
the child is killed and reaped, never left behind.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

# asyncio's own default for a StreamReader line.
DEFAULT_LINE_LIMIT = 64 * 1024


@asynccontextmanager
async def child_process(
    command: Sequence[str], *, line_limit: int = DEFAULT_LINE_LIMIT
) -> AsyncIterator[asyncio.subprocess.Process]:
    """The running child, with `stdout` a pipe; killed on the way out if still running."""
    process = await asyncio.create_subprocess_exec(
        *command,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
        limit=line_limit,
    )
    try:
        yield process
    finally:
        if process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await asyncio.shield(process.wait())
