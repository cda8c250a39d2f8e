"""The two ceilings bench/upload.py measures tikpost against, each on the same machine and run.

- `run_raw_sink`: a bare asyncio socket server that reads an HTTP request's headers, then
  reads and drops exactly Content-Length bytes and answers 200: no HTTP framework, no parser
  beyond the head, so its rate is what the client and loopback can do. Ingest is read against it.
- `run_raw_sink(port, store=DIR)`: the same sink, but it also does what any durable ingest must:
  SHA-256 of every byte, written to a file, fsynced before it answers (then deleted). Its rate
  is the floor of storing a checksummed upload on this machine's cores and disk.
- `curl_upload`: `curl -T` of the same file's chunks (one `-T` per chunk, chained with `--next`
  so they share one keep-alive connection, as tikpost's uploader does) to the same sandbox
  upload URL. Upload is read against it: same bytes, same server, a C client.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import resource
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

READ = 1024 * 1024


async def _serve_one(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, store: Path | None = None
) -> None:
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            left = length
            digest = hashlib.sha256()
            target = None if store is None else store / f"upload-{id(writer)}"
            fd = None if target is None else os.open(target, os.O_WRONLY | os.O_CREAT, 0o600)
            try:
                while left:
                    piece = await reader.read(min(READ, left))
                    if not piece:
                        return
                    left -= len(piece)
                    if fd is not None:
                        digest.update(piece)
                        os.write(fd, piece)
                if fd is not None:
                    os.fsync(fd)
            finally:
                if fd is not None and target is not None:
                    os.close(fd)
                    target.unlink()
            body = json.dumps({"received": length}).encode()
            writer.write(
                b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
                + f"content-length: {len(body)}\r\n\r\n".encode()
                + body
            )
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        return
    finally:
        writer.close()


def run_raw_sink(port: int, store: Path | None = None) -> None:
    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _serve_one(reader, writer, store)

    async def main() -> None:
        server = await asyncio.start_server(serve, "127.0.0.1", port, limit=READ)
        async with server:
            await server.serve_forever()

    asyncio.run(main())


def split_chunks(path: Path, plan: dict[str, Any], into: Path) -> list[tuple[Path, str]]:
    """The file cut as the plan cuts it (untimed), each with its Content-Range."""
    from tikpost.tiktok.upload import ChunkPlan

    chunk_plan = ChunkPlan(plan["video_size"], plan["chunk_size"], plan["total_chunk_count"])
    into.mkdir(parents=True, exist_ok=True)
    pieces = []
    with path.open("rb") as source:
        for index, (first, last) in enumerate(chunk_plan.ranges()):
            target = into / f"chunk-{index:04d}"
            with target.open("wb") as out:
                left = last - first + 1
                while left:
                    data = source.read(min(READ * 8, left))
                    out.write(data)
                    left -= len(data)
            pieces.append((target, f"bytes {first}-{last}/{chunk_plan.video_size}"))
    return pieces


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def curl_upload(upload_url: str, pieces: list[tuple[Path, str]]) -> tuple[float, float]:
    """Seconds for curl to PUT every chunk (one process, one connection), and the CPU seconds
    it used (user + system: unlike the wall time, barely moved by the machine's load); checks
    each answer."""
    curl = shutil.which("curl")
    if curl is None:
        raise RuntimeError("curl is not installed")
    command = [curl, "--silent", "--show-error"]
    parts = urlsplit(upload_url)
    origin = f"{parts.scheme}://{parts.netloc}"
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    for index, (piece, content_range) in enumerate(pieces):
        if index:
            command.append("--next")
        command += ["-T", str(piece), "-H", f"Content-Range: {content_range}"]
        command += ["-H", "Content-Type: video/mp4", "-o", "/dev/null"]
        # The exact target: with -T, curl appends the file's name to a URL whose path ends
        # in "/" (the sandbox's upload path does).
        command += ["-w", "%{http_code}\\n", "--request-target", target, origin]
    started, used = time.perf_counter(), _children_cpu()
    done = subprocess.run(command, capture_output=True, text=True, timeout=900, check=True)
    seconds, cpu = time.perf_counter() - started, _children_cpu() - used
    codes = done.stdout.split()
    expected = ["206"] * (len(pieces) - 1) + ["201"]
    if codes != expected:
        raise RuntimeError(f"curl got {codes}, wanted {expected}: {done.stderr[-2000:]}")
    return seconds, cpu
