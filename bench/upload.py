"""Upload throughput and memory on loopback: raw HTTP, `POST /v1/media`, and chunks to the sandbox.

    .venv/bin/python bench/upload.py [--sizes 100MB,1GB] [--repeat 3] [--out docs/benchmarks.md]
        [--profile DIR]

`--profile DIR` records py-spy speedscope profiles of `tikpost serve` and `tikpost sandbox` (the
whole run) and of each uploader child into DIR, for `bench/profile_summary.py`; py-spy pauses
the process for each sample, so a profiled run's rates are not the ones to report.

One run measures, for each size, the same H.264 MP4 sent three ways:

1. baselines: the file streamed by httpx to a raw asyncio socket sink (`bench/baselines.py`,
   the ceiling ingest is read against) and, for reference, to a bare ASGI app under uvicorn;
   and `curl -T` of the same chunks to the same sandbox (the ceiling for the upload);
2. ingest: the file streamed as a multipart body to `tikpost serve` (a subprocess in sandbox
   mode), timed to its 201, with the server process's peak RSS;
3. upload: `upload_chunks` sending a `plan_chunks` plan from a child process to
   `tikpost sandbox`, with the uploader's and the sandbox's peak RSS.

Every process and file it creates lives under one temporary directory and is removed on exit,
also on failure or Ctrl-C.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import ctypes
import datetime as dt
import json
import os
import platform
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import httpx
from baselines import curl_upload, run_raw_sink, split_chunks

PIECE = 1024 * 1024  # what every client reads from disk and hands to httpx at a time
RSS_LIMIT = 200 * 10**6
POLL_SEC = 0.02
REPEAT = [1]  # runs per phase, for the report
PROFILE: list[Path] = []  # where py-spy profiles go, when asked
UNITS = {"KB": 10**3, "MB": 10**6, "GB": 10**9, "KIB": 2**10, "MIB": 2**20, "GIB": 2**30}
TIMEOUT = httpx.Timeout(connect=30.0, read=900.0, write=900.0, pool=30.0)


# --- processes and memory ------------------------------------------------------------------


def _die_with_parent() -> None:
    """Children get SIGKILL if the bench itself is killed outright (Linux prctl)."""
    with contextlib.suppress(Exception):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def proc_status(pid: int) -> dict[str, int]:
    """VmRSS, VmHWM, … of `pid` in bytes (empty once it has gone)."""
    values: dict[str, int] = {}
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, rest = line.partition(":")
            if rest.strip().endswith("kB"):
                values[key] = int(rest.split()[0]) * 1024
    return values


def children_of(pid: int) -> list[int]:
    found: list[int] = []
    with contextlib.suppress(OSError):
        for task in Path(f"/proc/{pid}/task").iterdir():
            with contextlib.suppress(OSError):
                found += [int(c) for c in (task / "children").read_text().split()]
    return found + [grand for child in found for grand in children_of(child)]


def command_of(pid: int) -> str:
    with contextlib.suppress(OSError):
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
        return " ".join(part.decode(errors="replace") for part in raw.split(b"\0") if part)
    return "?"


@dataclass
class Peak:
    """What one process used during one measurement."""

    polled_rss: int = 0  # highest VmRSS seen, polled every POLL_SEC
    hwm: int = 0  # VmHWM after the run; reset just before it, so it is this run's exact peak
    hwm_reset: bool = False
    before: int = 0  # VmRSS just before the run
    children: dict[str, int] = field(default_factory=dict)  # child command -> peak VmRSS

    @property
    def peak(self) -> int:
        return max(self.polled_rss, self.hwm if self.hwm_reset else 0)


class Sampler:
    """Polls a process's (and its children's) RSS in a thread while a measurement runs."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.result = Peak()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Peak:
        try:  # "5" resets the peak RSS (VmHWM) to the current RSS (proc(5), clear_refs)
            Path(f"/proc/{self.pid}/clear_refs").write_text("5")
            self.result.hwm_reset = True
        except OSError:
            pass
        self.result.before = proc_status(self.pid).get("VmRSS", 0)
        self._thread.start()
        return self.result

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()
        self.result.hwm = proc_status(self.pid).get("VmHWM", 0)

    def _run(self) -> None:
        while not self._stop.is_set():
            rss = proc_status(self.pid).get("VmRSS", 0)
            self.result.polled_rss = max(self.result.polled_rss, rss)
            for child in children_of(self.pid):
                child_rss = proc_status(child).get("VmRSS", 0)
                name = command_of(child)[:120]
                self.result.children[name] = max(self.result.children.get(name, 0), child_rss)
            self._stop.wait(POLL_SEC)


class Processes:
    """Started subprocesses, each stopped (TERM, then KILL) when the bench ends however it ends."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.running: list[subprocess.Popen[bytes]] = []

    def env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("TIKPOST_")}
        env["TMPDIR"] = str(self.workdir)  # the sandbox's and prober's temp files land here too
        return {**env, **extra}

    def start(self, args: list[str], name: str, env: dict[str, str]) -> subprocess.Popen[bytes]:
        log = (self.workdir / f"{name}.log").open("wb")
        process = subprocess.Popen(
            args,
            cwd=self.workdir,  # no stray .env file is read
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            preexec_fn=_die_with_parent,
        )
        log.close()
        self.running.append(process)
        return process

    def stop_all(self) -> None:
        for process in reversed(self.running):
            if process.poll() is None:
                process.send_signal(signal.SIGINT)  # uvicorn shuts down gracefully
        for process in reversed(self.running):
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.running.clear()


def wait_ready(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args!r} exited:\n{log.read_text()[-3000:]}")
        with contextlib.suppress(httpx.TransportError):
            httpx.get(url, timeout=2)
            return
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within 60 s")


def tikpost_command() -> str:
    script = Path(sys.executable).parent / "tikpost"
    if not script.exists():
        raise RuntimeError(f"{script} not found: run with the project's venv python")
    return str(script)


# --- test media ----------------------------------------------------------------------------


def make_video(path: Path, target_bytes: int) -> tuple[int, float]:
    """A real H.264 MP4 of about `target_bytes`: 720x1280 at 30 fps, at least 4 s long.

    Random noise does not compress, so lossless (qp 0) all-intra `ultrafast` encoding turns a
    frame of pure noise into ~2.2 MB at ~50 frames/s on one core: 1 GB is ~450 distinct frames,
    each decodable on its own. To stay above TikTok's 3 s minimum at small sizes, only the first
    part of each plane is noise (the rest flat grey), that part sized so the bytes still due
    spread over the frames still due. Frames are added until the packets reach the target.
    """
    import av

    started = time.perf_counter()
    width, height, fps, min_frames = 720, 1280, 30, 4 * 30
    full_frame = 2_200_000  # encoded bytes of one all-noise frame (measured)
    with av.open(str(path), mode="w") as output:
        stream = output.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.time_base = Fraction(1, fps)
        stream.options = {"preset": "ultrafast", "qp": "0", "keyint": "1"}
        written = index = 0
        while written < target_bytes or index < min_frames:
            frames_due = max(1, min_frames - index)
            share = min(1.0, max(0.01, (target_bytes - written) / frames_due / full_frame))
            frame = av.VideoFrame(width, height, "yuv420p")
            for plane in frame.planes:
                total = plane.line_size * plane.height
                noisy = int(total * share)
                plane.update(os.urandom(noisy) + bytes([128]) * (total - noisy))
            frame.pts = index
            index += 1
            for packet in stream.encode(frame):
                written += packet.size
                output.mux(packet)
        for packet in stream.encode():
            output.mux(packet)
    return path.stat().st_size, time.perf_counter() - started


async def read_pieces(path: Path) -> AsyncIterator[bytes]:
    """The file in PIECE-sized reads, off the event loop (as tikpost's own storage reads)."""
    with path.open("rb") as handle:
        while piece := await asyncio.to_thread(handle.read, PIECE):
            yield piece


# --- 1. baseline ---------------------------------------------------------------------------


async def _sink_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Reads the whole request body, keeps nothing, answers with the byte count."""
    if scope["type"] != "http":
        return
    total, more = 0, True
    while more:
        message = await receive()
        total += len(message.get("body", b""))
        more = message.get("more_body", False)
    body = json.dumps({"received": total}).encode()
    headers = [(b"content-type", b"application/json")]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def run_sink(port: int) -> None:
    import uvicorn

    uvicorn.run(_sink_app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")


async def measure_baseline(url: str, path: Path, size: int) -> float:
    async with httpx.AsyncClient(timeout=TIMEOUT) as client:
        started = time.perf_counter()
        response = await client.post(
            url, content=read_pieces(path), headers={"Content-Length": str(size)}
        )
        elapsed = time.perf_counter() - started
    if response.status_code != 200 or response.json()["received"] != size:
        raise RuntimeError(f"baseline sink answered {response.status_code}: {response.text}")
    return elapsed


# --- 2. ingest -----------------------------------------------------------------------------


@dataclass
class Ingest:
    seconds: float  # request start to the 201
    sent_seconds: float  # request start to the last body byte handed to the socket
    media: dict[str, Any]


async def measure_ingest(url: str, api_key: str, path: Path, size: int) -> Ingest:
    boundary = f"bench{secrets.token_hex(12)}"
    head = (
        f"--{boundary}\r\n"
        f'Content-Disposition: form-data; name="file"; filename="{path.name}"\r\n'
        "Content-Type: video/mp4\r\n\r\n"
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    sent_at: list[float] = []

    async def body() -> AsyncIterator[bytes]:
        yield head
        async for piece in read_pieces(path):
            yield piece
        yield tail
        sent_at.append(time.perf_counter())

    headers = {
        "X-API-Key": api_key,
        "Content-Type": f"multipart/form-data; boundary={boundary}",
        "Content-Length": str(len(head) + size + len(tail)),
    }
    async with httpx.AsyncClient(timeout=TIMEOUT) as client:
        started = time.perf_counter()
        response = await client.post(f"{url}/v1/media", content=body(), headers=headers)
        elapsed = time.perf_counter() - started
    if response.status_code != 201:
        raise RuntimeError(f"POST /v1/media answered {response.status_code}: {response.text}")
    media: dict[str, Any] = response.json()
    if media["size_bytes"] != size:
        raise RuntimeError(f"server stored {media['size_bytes']} bytes, sent {size}")
    return Ingest(elapsed, sent_at[0] - started, media)


# --- 3. upload to the sandbox --------------------------------------------------------------


def sandbox_creator(sandbox: str, username: str) -> str:
    """A fresh sandbox creator who has authorized the app: its access token."""
    with httpx.Client(base_url=sandbox, timeout=30) as client:
        creator = client.post("/_sandbox/creators", json={"username": username})
        creator.raise_for_status()
        token: str = creator.json()["access_token"]
        return token


def init_sandbox_upload(sandbox: str, token: str, size: int) -> tuple[str, dict[str, Any]]:
    """A direct-post init with tikpost's chunk plan: (upload URL, plan and publish id)."""
    from tikpost.tiktok.upload import plan_chunks

    plan = plan_chunks(size)
    source = {
        "source": "FILE_UPLOAD",
        "video_size": plan.video_size,
        "chunk_size": plan.chunk_size,
        "total_chunk_count": plan.total_chunk_count,
    }
    body = {"post_info": {"title": "bench", "privacy_level": "SELF_ONLY"}, "source_info": source}
    with httpx.Client(base_url=sandbox, timeout=30) as client:
        init = client.post(
            "/v2/post/publish/video/init/",
            headers={"Authorization": f"Bearer {token}"},
            json=body,
        )
        init.raise_for_status()
        data = init.json()["data"]
    return data["upload_url"], {**source, "publish_id": data["publish_id"]}


def run_uploader(upload_url: str, path: Path, plan: dict[str, int]) -> None:
    """In a child process, so its memory is the uploader's alone; prints one JSON line."""
    from tikpost.media.storage import LocalStorage
    from tikpost.tiktok.upload import CHUNK_TIMEOUT, ChunkPlan, upload_chunks

    chunk_plan = ChunkPlan(plan["video_size"], plan["chunk_size"], plan["total_chunk_count"])
    storage = LocalStorage(path.parent)  # the workflow's own source: storage.open_read(start, end)

    def source(start: int, end: int) -> AsyncIterator[bytes]:
        return storage.open_read(path.name, start, end)

    async def upload() -> tuple[float, float]:
        # The workflow's steps share one pooled client (tiktok.base.LoopPool): made before
        # the clock starts, as it is long made when a post's upload begins.
        async with httpx.AsyncClient(timeout=CHUNK_TIMEOUT) as http:
            started, used = time.perf_counter(), time.process_time()
            await upload_chunks(upload_url, chunk_plan, source, http=http)
            return time.perf_counter() - started, time.process_time() - used

    before = proc_status(os.getpid())
    seconds, cpu = asyncio.run(upload())
    after = proc_status(os.getpid())
    result = {"seconds": seconds, "cpu": cpu, "rss_before": before["VmRSS"], "hwm": after["VmHWM"]}
    sys.stdout.write(json.dumps(result) + "\n")


def final_sandbox_status(sandbox: str, token: str, publish_id: str) -> str:
    """Wait for the sandbox's own media check of the uploaded bytes (proof the file is valid)."""
    deadline = time.monotonic() + 180
    with httpx.Client(base_url=sandbox, timeout=30) as client:
        while True:
            response = client.post(
                "/v2/post/publish/status/fetch/",
                headers={"Authorization": f"Bearer {token}"},
                json={"publish_id": publish_id},
            )
            data = response.json()["data"]
            status = str(data.get("status"))
            if status in ("PUBLISH_COMPLETE", "FAILED") or time.monotonic() > deadline:
                return status + (f" ({data['fail_reason']})" if data.get("fail_reason") else "")
            time.sleep(0.2)


# --- the run -------------------------------------------------------------------------------


@dataclass
class Row:
    label: str
    size: int
    generate_seconds: float
    baseline_seconds: float  # the uvicorn/h11 sink, for reference
    raw_seconds: float  # the raw asyncio socket sink: ingest's ceiling
    disk_seconds: float  # the same sink hashing, writing and fsyncing: a durable ingest's floor
    curl_seconds: float  # curl -T of the same chunks to the sandbox: upload's ceiling
    ingest: Ingest
    ingest_peak: Peak
    upload_seconds: float
    uploader_before: int
    uploader_hwm: int
    sandbox_peak: Peak
    sandbox_status: str
    chunk_size: int
    chunk_count: int
    upload_cpu: float  # CPU seconds of the uploader process over the upload (best run)
    curl_cpu: float  # the same for curl

    def rate(self, seconds: float) -> float:
        return self.size / seconds / 10**6


def parse_size(text: str) -> int:
    upper = text.strip().upper()
    for unit in sorted(UNITS, key=len, reverse=True):
        if upper.endswith(unit):
            return int(float(upper[: -len(unit)]) * UNITS[unit])
    return int(upper)


def megabytes(value: int) -> str:
    return f"{value / 10**6:.0f}"


def table(rows: list[Row]) -> list[str]:
    lines = [
        "| size | raw socket sink MB/s | + SHA-256, write, fsync MB/s | ingest MB/s "
        "| **ingest / raw sink** | ingest / hashing disk sink "
        "| curl -T → sandbox MB/s | tikpost → sandbox MB/s | **upload / curl** "
        "| uvicorn sink MB/s | peak server RSS during ingest (MB) | peak uploader RSS (MB) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        raw, curl = row.rate(row.raw_seconds), row.rate(row.curl_seconds)
        disk = row.rate(row.disk_seconds)
        ingest = row.rate(row.ingest.seconds)
        upload = row.rate(row.upload_seconds)
        lines.append(
            f"| {row.label} ({row.size:,} B) | {raw:.0f} | {disk:.0f} | {ingest:.0f} "
            f"| {ingest / raw:.2f} | {ingest / disk:.2f} "
            f"| {curl:.0f} | {upload:.0f} | {upload / curl:.2f} "
            f"| {row.rate(row.baseline_seconds):.0f} | {megabytes(row.ingest_peak.peak)} "
            f"| {megabytes(row.uploader_hwm)} |"
        )
    return lines


def machine() -> str:
    memory = proc_status_meminfo()
    cpu = "?"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return (
        f"{os.cpu_count()} CPUs ({cpu}), {memory / 2**30:.1f} GiB RAM, "
        f"Linux {platform.release()}, Python {platform.python_version()}"
    )


def proc_status_meminfo() -> int:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) * 1024
    return 0


def details(rows: list[Row]) -> list[str]:
    lines = []
    for row in rows:
        ingest, server, sandbox = row.ingest, row.ingest_peak, row.sandbox_peak
        probe = ingest.media.get("probe", {})
        after_body = ingest.seconds - ingest.sent_seconds
        children = ", ".join(
            f"`{name.split(' -m ')[-1][:60]}` {megabytes(rss)} MB"
            for name, rss in server.children.items()
            if rss
        )
        lines += [
            f"- **{row.label}**: test file made in {row.generate_seconds:.1f} s "
            f"({probe.get('video_codec')}, {probe.get('width')}x{probe.get('height')}, "
            f"{probe.get('duration_ms')} ms at {probe.get('fps')} fps, as probed by the server). "
            f"Baseline {row.baseline_seconds:.2f} s. Ingest {ingest.seconds:.2f} s to the 201, "
            f"of which {ingest.sent_seconds:.2f} s to send the body "
            f"({row.rate(ingest.sent_seconds):.0f} MB/s) and {after_body:.2f} s "
            "after the last byte (fsync, probe, database row). Server RSS "
            f"{megabytes(server.before)} MB before, peak {megabytes(server.peak)} MB "
            f"(polled {megabytes(server.polled_rss)}, VmHWM {megabytes(server.hwm)}"
            f"{'' if server.hwm_reset else ', not reset: lifetime peak'}); its child processes: "
            f"{children or 'none seen'}. Upload {row.upload_seconds:.2f} s in {row.chunk_count} "
            f"chunks of {row.chunk_size:,} B, {row.upload_cpu:.2f} CPU s (curl: "
            f"{row.curl_cpu:.2f} CPU s in {row.curl_seconds:.2f} s); uploader RSS "
            f"{megabytes(row.uploader_before)} MB before the upload, "
            f"peak {megabytes(row.uploader_hwm)} MB; sandbox RSS {megabytes(sandbox.before)} MB "
            f"before, peak {megabytes(sandbox.peak)} MB; "
            f"sandbox verdict: {row.sandbox_status}.",
        ]
    return lines


def uploader_finding(rows: list[Row]) -> list[str]:
    """Whether the uploader's memory grows with the file: streaming means its rise over its
    start is a few chunks in flight whatever the file's size, so compare the smallest and the
    largest file rather than the rise against a guess."""
    if len(rows) < 2:
        return []
    small, big = min(rows, key=lambda r: r.size), max(rows, key=lambda r: r.size)
    small_rise = small.uploader_hwm - small.uploader_before
    big_rise = big.uploader_hwm - big.uploader_before
    flat = big_rise - small_rise <= big.chunk_size
    return [
        f"Did the uploader's memory stay flat as the file grew? **{'yes' if flat else 'no'}**: "
        f"its peak rose {megabytes(small_rise)} MB over its start for {small.label} and "
        f"{megabytes(big_rise)} MB for {big.label} ({big.size / small.size:.0f}x the bytes), "
        f"sending {big.chunk_size / 10**6:.0f} MB chunks.",
        "",
    ]


def markdown(rows: list[Row], total_seconds: float) -> str:
    biggest = max(rows, key=lambda row: row.size)
    verdict = "**yes**" if biggest.ingest_peak.peak < RSS_LIMIT else "**no**"
    return "\n".join(
        [
            "# Upload benchmarks",
            "",
            "Generated by `.venv/bin/python bench/upload.py` "
            f"(`--sizes {','.join(row.label for row in rows)}`); the whole run took "
            f"{total_seconds:.0f} s.",
            "",
            f"- date: {dt.datetime.now(dt.UTC).strftime('%Y-%m-%d %H:%M UTC')}",
            f"- machine: {machine()}",
            "- everything on loopback (127.0.0.1), one request at a time; MB = 10^6 bytes",
            f"- each phase ran {REPEAT[0]} times per size: the table shows the best time and "
            "the highest memory peak of those runs",
            "",
            *table(rows),
            "",
            f"Did a {biggest.label} ingest keep the server's peak RSS under 200 MB? {verdict}: "
            f"peak {megabytes(biggest.ingest_peak.peak)} MB "
            f"(RSS {megabytes(biggest.ingest_peak.before)} MB before the upload).",
            "",
            *uploader_finding(rows),
            "## Method",
            "",
            "- **Test media**: a real H.264 MP4 per size, 720x1280 at 30 fps, at least 4 s, "
            "encoded by PyAV (libx264 lossless `qp=0`, all-intra, `preset=ultrafast`) from frames "
            "of random noise (for small sizes only part of each frame is noise, the rest flat, "
            "so the clip stays over TikTok's 3 s minimum); frames are added until the file "
            "reaches the size, so it is slightly larger. Noise does not compress, so this makes "
            "~2.2 MB a frame at ~50 frames/s: no padding, every byte is video. The server's "
            "probe and the sandbox's media check both accept the files (the ingest answered "
            "201; the sandbox verdicts are below). Files live in a temporary directory removed "
            "after the run.",
            "- **Baselines**: ingest is read against a raw asyncio socket sink "
            "(`bench/baselines.py`: reads the request head, drops Content-Length bytes, answers "
            "200; no framework), to which httpx streams the file in the same 1 MiB reads; the "
            "upload against `curl -T` of the same chunks (the file cut by the same plan, "
            "untimed) to a fresh upload URL of the same sandbox, one curl process chaining the "
            "chunks with `--next` over one keep-alive connection. A bare ASGI app under uvicorn "
            "(the stack tikpost serves with) is shown for reference, and so is the raw sink "
            "doing what any durable ingest must (SHA-256 of every byte, written to a file, "
            "fsynced before it answers): the floor of storing a checksummed upload here.",
            "- **Ingest**: `tikpost serve` in a subprocess (sandbox mode, a temporary "
            "`TIKPOST_DATA_DIR`, SQLite, local storage, `TIKPOST_PUBLIC_URL` set to its own free "
            "port), with a key from `tikpost keys create --team bench`. The client streams a "
            "multipart body (field `file`) built by a generator over the same 1 MiB reads, with "
            "an exact Content-Length; the time runs to the 201, so it includes the fsync, the "
            "probe child and the database row. The server is one uvicorn process (no workers); "
            "its pid is the one sampled: VmRSS polled every 20 ms and VmHWM, reset just before "
            "the upload through `/proc/PID/clear_refs`, read after it. The probe is a child "
            "process (`python -m tikpost.media.probe`) and is reported separately.",
            "- **tikpost→sandbox**: `tikpost sandbox --processing-delay 0` in a subprocess; a "
            "creator from `POST /_sandbox/creators`, a direct-post init with the plan from "
            "`plan_chunks(size)`, then `upload_chunks` in a child process reading the file "
            "through `LocalStorage.open_read` (the publish workflow's own source: 1 MiB reads, "
            "re-cut into chunks). The uploader's peak is that child's VmHWM (it includes "
            "importing tikpost, and its RSS before the upload is given for comparison); the "
            "sandbox's peak is sampled like the server's. The time runs from the first PUT to "
            "the 201 on the last chunk; the sandbox's media check runs afterwards, untimed.",
            "",
            "## Details",
            "",
            *details(rows),
            "",
        ]
    )


async def bench_size(
    label: str, size_target: int, repeat: int, workdir: Path, servers: dict[str, Any]
) -> Row:
    """Each phase `repeat` times: the best time, the highest memory peak."""
    path = workdir / f"bench-{label}.mp4"
    print(f"[{label}] generating the test video…", flush=True)
    size, generate_seconds = await asyncio.to_thread(make_video, path, size_target)
    print(f"[{label}] {size:,} bytes in {generate_seconds:.1f} s", flush=True)
    baseline: float | None = None
    ingest: Ingest | None = None
    ingest_peak: Peak | None = None
    sandbox_peak: Peak | None = None
    result: dict[str, Any] | None = None
    plan: dict[str, Any] = {}
    sandbox: str = servers["sandbox"]
    username = f"bench_{label.lower()}_{secrets.token_hex(3)}"
    token = await asyncio.to_thread(sandbox_creator, sandbox, username)
    statuses: list[str] = []
    raw: float | None = None
    disk: float | None = None
    curl: float | None = None
    curl_cpu: float | None = None
    pieces: list[tuple[Path, str]] = []
    for attempt in range(1, repeat + 1):
        seconds = await measure_baseline(servers["sink"], path, size)
        baseline = seconds if baseline is None else min(baseline, seconds)
        print(f"[{label} #{attempt}] uvicorn sink {size / seconds / 1e6:.0f} MB/s", flush=True)
        seconds = await measure_baseline(servers["raw_sink"], path, size)
        raw = seconds if raw is None else min(raw, seconds)
        print(f"[{label} #{attempt}] raw sink {size / seconds / 1e6:.0f} MB/s", flush=True)
        seconds = await measure_baseline(servers["disk_sink"], path, size)
        disk = seconds if disk is None else min(disk, seconds)
        print(f"[{label} #{attempt}] hashing disk sink {size / seconds / 1e6:.0f} MB/s", flush=True)
        with Sampler(servers["serve_pid"]) as peak:
            got = await measure_ingest(servers["serve"], servers["api_key"], path, size)
        ingest = got if ingest is None or got.seconds < ingest.seconds else ingest
        ingest_peak = peak if ingest_peak is None or peak.peak > ingest_peak.peak else ingest_peak
        print(f"[{label} #{attempt}] ingest {size / got.seconds / 1e6:.0f} MB/s", flush=True)
        upload_url, plan = await asyncio.to_thread(init_sandbox_upload, sandbox, token, size)
        uploader = [sys.executable, __file__, "--role", "uploader", "--url", upload_url]
        uploader += ["--file", str(path), "--plan", json.dumps(plan)]
        if PROFILE:
            out = PROFILE[0] / f"uploader-{label}-{attempt}.speedscope.json"
            uploader = [*py_spy(out), "--", *uploader]
        with Sampler(servers["sandbox_pid"]) as peak:
            stdout, _ = await run_child(uploader)
        sandbox_peak = (
            peak if sandbox_peak is None or peak.peak > sandbox_peak.peak else sandbox_peak
        )
        # The uploader's one JSON line (py-spy, when profiling, prints its own lines too).
        line = [x for x in stdout.decode().splitlines() if x.startswith("{")][-1]
        run = json.loads(line)
        if result is None:
            result = run
        else:
            result = {
                "seconds": min(result["seconds"], run["seconds"]),
                "cpu": min(result["cpu"], run["cpu"]),
                "rss_before": max(result["rss_before"], run["rss_before"]),
                "hwm": max(result["hwm"], run["hwm"]),
            }
        status = await asyncio.to_thread(
            final_sandbox_status, sandbox, token, str(plan["publish_id"])
        )
        statuses.append(status)
        rate = size / run["seconds"] / 1e6
        print(f"[{label} #{attempt}] upload {rate:.0f} MB/s ({status})", flush=True)
        curl_url, curl_plan = await asyncio.to_thread(init_sandbox_upload, sandbox, token, size)
        if not pieces:
            pieces = await asyncio.to_thread(split_chunks, path, curl_plan, workdir / "chunks")
        seconds, cpu = await asyncio.to_thread(curl_upload, curl_url, pieces)
        curl = seconds if curl is None else min(curl, seconds)
        curl_cpu = cpu if curl_cpu is None else min(curl_cpu, cpu)
        print(
            f"[{label} #{attempt}] curl -T {size / seconds / 1e6:.0f} MB/s; CPU s: "
            f"uploader {run['cpu']:.2f}, curl {cpu:.2f}",
            flush=True,
        )
    for piece, _ in pieces:
        piece.unlink()
    path.unlink()
    assert baseline is not None, "repeat >= 1"
    assert raw is not None
    assert disk is not None
    assert curl is not None
    assert curl_cpu is not None
    assert ingest is not None
    assert ingest_peak is not None
    assert sandbox_peak is not None
    assert result is not None
    return Row(
        label, size, generate_seconds, baseline, raw, disk, curl, ingest, ingest_peak,
        result["seconds"], result["rss_before"], result["hwm"], sandbox_peak,
        ", ".join(sorted(set(statuses))), plan["chunk_size"], plan["total_chunk_count"],
        result["cpu"], curl_cpu,
    )  # fmt: skip


async def run_child(args: list[str]) -> tuple[bytes, bytes]:
    """Run a child to completion; if we are interrupted, it is killed rather than left behind."""
    child = await asyncio.create_subprocess_exec(
        *args,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        preexec_fn=_die_with_parent,
    )
    try:
        stdout, stderr = await child.communicate()
    finally:
        if child.returncode is None:
            child.kill()
            await asyncio.shield(child.wait())
    if child.returncode != 0:
        raise RuntimeError(f"{args[:4]} failed:\n{stderr.decode()[-3000:]}")
    return stdout, stderr


def start_servers(processes: Processes, workdir: Path) -> dict[str, Any]:
    """The sink, `tikpost serve` (with an API key) and `tikpost sandbox`, each on a free port."""
    tikpost = tikpost_command()
    sink_port, serve_port, sandbox_port = free_port(), free_port(), free_port()
    raw_port, disk_port = free_port(), free_port()
    store = workdir / "sink-store"  # the same filesystem as the server's media
    store.mkdir()
    disk_sink = processes.start(
        [
            sys.executable,
            __file__,
            "--role",
            "raw-sink",
            "--port",
            str(disk_port),
            "--file",
            str(store),
        ],
        "disk-sink",
        processes.env(),
    )
    raw_sink = processes.start(
        [sys.executable, __file__, "--role", "raw-sink", "--port", str(raw_port)],
        "raw-sink",
        processes.env(),
    )
    sink = processes.start(
        [sys.executable, __file__, "--role", "sink", "--port", str(sink_port)],
        "sink",
        processes.env(),
    )
    serve_url = f"http://127.0.0.1:{serve_port}"
    serve_env = processes.env(TIKPOST_DATA_DIR=str(workdir / "data"), TIKPOST_PUBLIC_URL=serve_url)
    minted = subprocess.run(
        [tikpost, "keys", "create", "--team", "bench"],
        cwd=workdir,
        env=serve_env,
        capture_output=True,
        check=True,
        timeout=120,
    )
    api_key = minted.stdout.decode().strip()
    serve = processes.start([tikpost, "serve", "--port", str(serve_port)], "serve", serve_env)
    sandbox_url = f"http://127.0.0.1:{sandbox_port}"
    sandbox = processes.start(
        [tikpost, "sandbox", "--port", str(sandbox_port), "--processing-delay", "0"],
        "sandbox",
        processes.env(),
    )
    wait_ready(f"http://127.0.0.1:{sink_port}/", sink, workdir / "sink.log")
    wait_ready(f"http://127.0.0.1:{raw_port}/", raw_sink, workdir / "raw-sink.log")
    wait_ready(f"http://127.0.0.1:{disk_port}/", disk_sink, workdir / "disk-sink.log")
    wait_ready(f"{serve_url}/healthz", serve, workdir / "serve.log")
    wait_ready(f"{sandbox_url}/_sandbox/clock", sandbox, workdir / "sandbox.log")
    return {
        "sink": f"http://127.0.0.1:{sink_port}/",
        "raw_sink": f"http://127.0.0.1:{raw_port}/",
        "disk_sink": f"http://127.0.0.1:{disk_port}/",
        "serve": serve_url,
        "serve_pid": serve.pid,
        "api_key": api_key,
        "sandbox": sandbox_url,
        "sandbox_pid": sandbox.pid,
    }


def py_spy(out: Path) -> list[str]:
    spy = Path(sys.executable).parent / "py-spy"
    return [str(spy), "record", "--format", "speedscope", "--output", str(out), "--rate", "200"]


def attach_profilers(processes: Processes, servers: dict[str, Any], into: Path) -> None:
    """py-spy on the running servers; `stop_all` stops them first (SIGINT makes them write)."""
    into.mkdir(parents=True, exist_ok=True)
    for name in ("serve", "sandbox"):
        out = into / f"{name}.speedscope.json"
        args = [*py_spy(out), "--pid", str(servers[f"{name}_pid"])]
        processes.start(args, f"py-spy-{name}", processes.env())


def run(sizes: list[str], repeat: int, out: Path | None) -> None:
    REPEAT[0] = repeat
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="tikpost-bench-") as directory:
        workdir = Path(directory)
        processes = Processes(workdir)
        try:
            servers = start_servers(processes, workdir)
            if PROFILE:
                attach_profilers(processes, servers, PROFILE[0])
            print(
                f"tikpost serve is pid {servers['serve_pid']}: {command_of(servers['serve_pid'])}"
            )
            rows = [
                asyncio.run(bench_size(label, parse_size(label), repeat, workdir, servers))
                for label in sizes
            ]
        finally:
            processes.stop_all()
    total = time.perf_counter() - started
    print()
    print("\n".join(table(rows)))
    print()
    print("\n".join(details(rows)))
    if out is not None:
        out.write_text(markdown(rows, total))
        print(f"\nwrote {out}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sizes", default="100MB,1GB", help="comma-separated, e.g. 100MB,1GB")
    parser.add_argument("--out", type=Path, default=None, help="write a markdown report here")
    parser.add_argument("--repeat", type=int, default=3, help="runs per phase (best is kept)")
    parser.add_argument("--profile", type=Path, default=None, help="py-spy profiles here")
    parser.add_argument("--role", default="bench", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--url", default="", help=argparse.SUPPRESS)
    parser.add_argument("--file", type=Path, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--plan", default="{}", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.role == "sink":
        run_sink(args.port)
    elif args.role == "raw-sink":
        run_raw_sink(args.port, args.file)
    elif args.role == "uploader":
        run_uploader(args.url, args.file, json.loads(args.plan))
    else:
        # A TERM (or Ctrl-C) unwinds through the finally blocks that stop servers and delete files.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
        sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
        if args.profile is not None:
            PROFILE.append(args.profile.resolve())
        run(sizes, max(1, args.repeat), args.out)


if __name__ == "__main__":
    main()
