"""Load: 30 clients for 60 s against one server, on SQLite and on PostgreSQL; then the
server's responsiveness while a maximum-size upload streams in.

Each client, as its own user, loops: create a small offline job (``POST /api/v1/jobs``),
list its history (``GET /api/v1/jobs``), and follow the job's SSE stream until
``job.finished``. Reported: answers by class (any 5xx is a failure), POST and list
latency p50/p99, and the jobs finished. The baseline of the same run is one client
alone for 10 s.

The upload phase sends ``POST /v1/images/edits`` with a body as large as the server
takes (four reference images of just under ``EASEL_MAX_REFERENCE_IMAGE_BYTES``) to an
emulated OpenAI, while a probe asks ``/healthz`` every 20 ms; its p99 is compared with
the same probe on the idle server.

    python bench/bench_load.py [--seconds 60] [--clients 30] [--only sqlite|postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from httpx_sse import aconnect_sse
from PIL import Image

from _common import ServerProcess, create_token, percentile
from emulators.openai import OpenAIEmulator
from support.databases import database_for

MB = 1024 * 1024
JOB = {"prompt": "a small grey pebble", "models": ["offline/procedural"], "size": "64x64"}


@dataclass
class Tally:
    statuses: Counter[int] = field(default_factory=Counter)
    post_ms: list[float] = field(default_factory=list)
    list_ms: list[float] = field(default_factory=list)
    finished: int = 0
    errors: Counter[str] = field(default_factory=Counter)

    def line(self, label: str, seconds: float) -> str:
        fives = sum(n for status, n in self.statuses.items() if status >= 500)
        return (
            f"{label}: 5xx={fives} answers={dict(sorted(self.statuses.items()))} "
            f"transport_errors={dict(self.errors)} jobs_finished={self.finished} "
            f"({self.finished / seconds:.1f}/s) | POST p50={percentile(self.post_ms, 0.5):.1f} "
            f"p99={percentile(self.post_ms, 0.99):.1f} ms | list p50="
            f"{percentile(self.list_ms, 0.5):.1f} p99={percentile(self.list_ms, 0.99):.1f} ms"
        )


async def _timed(
    tally: Tally, into: list[float], call: Awaitable[httpx.Response]
) -> httpx.Response:
    started = time.perf_counter()
    response = await call
    into.append((time.perf_counter() - started) * 1000)
    tally.statuses[response.status_code] += 1
    return response


async def _follow(client: httpx.AsyncClient, job_id: str, tally: Tally) -> None:
    async with aconnect_sse(client, "GET", f"/api/v1/jobs/{job_id}/events") as source:
        tally.statuses[source.response.status_code] += 1
        async for sse in source.aiter_sse():
            if sse.event == "job.finished":
                tally.finished += 1
                return


async def client_loop(url: str, token: str, until: float, tally: Tally) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=60) as client:
        while time.monotonic() < until:
            try:
                created = await _timed(tally, tally.post_ms, client.post("/api/v1/jobs", json=JOB))
                await _timed(tally, tally.list_ms, client.get("/api/v1/jobs?limit=20"))
                if created.status_code == 202:
                    await asyncio.wait_for(_follow(client, created.json()["id"], tally), 60)
            except (httpx.TransportError, TimeoutError) as exc:
                tally.errors[type(exc).__name__] += 1


def run_clients(server: ServerProcess, tokens: list[str], seconds: float) -> Tally:
    tally = Tally()

    async def go() -> None:
        until = time.monotonic() + seconds
        await asyncio.gather(*(client_loop(server.url, t, until, tally) for t in tokens))

    asyncio.run(go())
    return tally


def load_phase(kind: str, clients: int, seconds: float) -> None:
    with tempfile.TemporaryDirectory() as tmp, database_for(kind) as database_url:
        env = {"EASEL_DATABASE_URL": database_url} if database_url else {}
        server = ServerProcess(Path(tmp) / "data", env=env)
        server.start()
        try:
            tokens = [
                create_token(server.data_dir, f"user{i}", database_url) for i in range(clients)
            ]
            baseline = run_clients(server, tokens[:1], 10)
            loaded = run_clients(server, tokens, seconds)
        finally:
            server.stop()
    print(baseline.line(f"{kind} 1 client 10 s (baseline)", 10), flush=True)
    print(loaded.line(f"{kind} {clients} clients {seconds:.0f} s", seconds), flush=True)


def noise_png(target_bytes: int) -> bytes:
    """A PNG just under ``target_bytes``: random pixels, which do not compress."""
    side = int((target_bytes / 3) ** 0.5)
    while True:
        out = io.BytesIO()
        Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(out, "PNG")
        if out.tell() <= target_bytes:
            return out.getvalue()
        side -= 16


async def probe(url: str, stop: asyncio.Event, into: list[float]) -> None:
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        while not stop.is_set():
            started = time.perf_counter()
            await client.get("/healthz")
            into.append((time.perf_counter() - started) * 1000)
            await asyncio.sleep(0.02)


async def upload_phase(server: ServerProcess, token: str, rounds: int) -> None:
    per_image = int(0.98 * 20 * MB)  # the default EASEL_MAX_REFERENCE_IMAGE_BYTES is 20 MiB
    image = await asyncio.to_thread(noise_png, per_image)
    files = [("image[]", (f"ref{i}.png", image, "image/png")) for i in range(4)]
    fields = {"prompt": "the same scene at dusk", "model": "openai/gpt-image-1"}
    idle: list[float] = []
    stop = asyncio.Event()
    idle_probe = asyncio.create_task(probe(server.url, stop, idle))
    await asyncio.sleep(5)
    stop.set()
    await idle_probe

    busy: list[float] = []
    took: list[float] = []
    statuses: Counter[int] = Counter()
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=server.url, headers=headers, timeout=300) as client:
        for _ in range(rounds):
            stop = asyncio.Event()
            busy_probe = asyncio.create_task(probe(server.url, stop, busy))
            started = time.perf_counter()
            response = await client.post("/v1/images/edits", data=fields, files=files)
            took.append(time.perf_counter() - started)
            statuses[response.status_code] += 1
            stop.set()
            await busy_probe
    body_mb = (4 * len(image)) / MB
    print(
        f"healthz idle: n={len(idle)} p50={percentile(idle, 0.5):.1f} "
        f"p99={percentile(idle, 0.99):.1f} ms | during {rounds} uploads of {body_mb:.0f} MB "
        f"(answers {dict(statuses)}, {min(took):.1f}-{max(took):.1f} s each): n={len(busy)} "
        f"p50={percentile(busy, 0.5):.1f} p99={percentile(busy, 0.99):.1f} "
        f"max={max(busy):.1f} ms",
        flush=True,
    )


def upload_run(rounds: int) -> None:
    with tempfile.TemporaryDirectory() as tmp, OpenAIEmulator() as openai:
        server = ServerProcess(Path(tmp) / "data", env=openai.easel_env())
        server.start()
        try:
            token = create_token(server.data_dir, "uploader")
            asyncio.run(upload_phase(server, token, rounds))
        finally:
            server.stop()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--clients", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--only", choices=("sqlite", "postgres", "upload"))
    args = parser.parse_args()
    for kind in ("sqlite", "postgres"):
        if args.only in (None, kind):
            load_phase(kind, args.clients, args.seconds)
    if args.only in (None, "upload"):
        upload_run(args.rounds)


if __name__ == "__main__":
    main()
