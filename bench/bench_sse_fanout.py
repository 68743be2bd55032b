"""Delivery latency to 1,000 concurrent SSE subscribers of one job.

The subscribers connect while the job waits in the queue behind another one; then each
live event's delivery latency is its receipt time minus the time the server logged it.
Client and server share the machine's two cores, so the figure includes the client's
own cost of reading 1,000 streams. ``--client raw`` (the default) reads them with a plain
socket per stream and no more parsing than the measurement needs (`_raw_sse`), so that
the figure is the server's; ``--client httpx`` uses httpx and httpx-sse as a typical
Python client does (about as much CPU per frame as the server's), as the figures before
this option were taken.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

import httpx
from httpx_sse import ServerSentEvent, aconnect_sse

from _common import (
    ServerProcess,
    alternating,
    baseline_arg,
    create_token,
    easel_server,
    rounds_arg,
    summary,
    tree_cpu_seconds,
)
from _raw_sse import RawFrame, RefusedStream, json_field, raw_sse

SUBSCRIBERS = 1000
WATCHED_JOB = {
    "prompt": "many eyes on one lantern",
    "models": ["offline/procedural"],
    "n": 2,
    "size": "512x512",
}
"""The job every subscriber follows: two variants, painted with stage previews."""


@dataclass
class Watch:
    """What the subscribers share: when to start counting, a gate on connecting, and
    what they found."""

    ready: asyncio.Event = field(default_factory=asyncio.Event)
    connecting: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(50))
    """Connect a batch at a time: a thousand at once only measures the pool's queue."""
    connected: list[int] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)

    def received(self, event: str, at: str) -> None:
        """Note a frame that just arrived, made at ``at`` (ISO 8601)."""
        received = time.time()
        if self.ready.is_set() and event not in ("job.created", "variant.queued"):
            self.latencies.append((received - datetime.fromisoformat(at).timestamp()) * 1000)


async def raw_subscriber(server: ServerProcess, token: str, path: str, watch: Watch) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    while True:
        frames = raw_sse(server.url, urlsplit(path).path, headers)
        try:
            async with watch.connecting:
                first = await anext(frames)  # the replayed job.created: connected
            watch.connected.append(1)
            frame: RawFrame | None = first
            while frame is not None and frame.event != "job.finished":
                frame = await anext(frames, None)
                if frame is not None:
                    watch.received(frame.event, json_field(frame.data, "at"))
            return
        except (RefusedStream, OSError):
            continue  # refused under the load of connecting: try again
        finally:
            await frames.aclose()


async def subscriber(client: httpx.AsyncClient, path: str, watch: Watch) -> None:
    while True:
        await watch.connecting.acquire()
        released = False
        try:
            async with aconnect_sse(client, "GET", path, timeout=None) as source:
                watch.connecting.release()
                released = True
                if source.response.status_code != 200:
                    continue  # refused under the load of connecting: try again
                watch.connected.append(1)
                await _read(source.aiter_sse(), watch)
                return
        finally:
            if not released:
                watch.connecting.release()


async def _read(frames: AsyncIterator[ServerSentEvent], watch: Watch) -> None:
    async for sse in frames:
        if not sse.data:
            continue
        watch.received(sse.event, json.loads(sse.data)["at"])
        if sse.event == "job.finished":
            return


async def measure(server: ServerProcess, token: str, client_kind: str) -> tuple[list[float], float]:
    """Delivery latencies, and the server's CPU seconds from the job's start to its end."""
    headers = {"Authorization": f"Bearer {token}"}
    limits = httpx.Limits(max_connections=SUBSCRIBERS + 10, max_keepalive_connections=SUBSCRIBERS)
    async with httpx.AsyncClient(
        base_url=server.url, headers=headers, limits=limits, timeout=120
    ) as client:
        # Keeps the one worker busy while the subscribers connect.
        blocker = {
            "prompt": "a long blocking job",
            "models": ["offline/procedural"],
            "n": 6,
            "size": "2048x2048",
        }
        await client.post("/api/v1/jobs", json=blocker)
        job = (await client.post("/api/v1/jobs", json=WATCHED_JOB)).json()
        watch = Watch()
        path = job["events_url"]
        tasks = [
            asyncio.create_task(
                raw_subscriber(server, token, path, watch)
                if client_kind == "raw"
                else subscriber(client, path, watch)
            )
            for _ in range(SUBSCRIBERS)
        ]
        while len(watch.connected) < SUBSCRIBERS:
            await asyncio.sleep(0.05)
        assert server.process is not None
        before = tree_cpu_seconds(server.process.pid)
        watch.ready.set()
        await asyncio.wait_for(asyncio.gather(*tasks), 600)
        cpu_seconds = tree_cpu_seconds(server.process.pid) - before
    return watch.latencies, cpu_seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    baseline_arg(parser)
    rounds_arg(parser)  # the summary pools every round
    parser.add_argument(
        "--client",
        choices=("raw", "httpx"),
        default="raw",
        help="how the subscribers read their streams (see the module's description)",
    )
    args = parser.parse_args()
    pooled: dict[str, list[float]] = {}
    for round_number, label, src in alternating(args):
        with tempfile.TemporaryDirectory() as tmp:
            server = easel_server(Path(tmp) / "data", {"EASEL_OFFLINE_CONCURRENCY": "1"}, src)
            server.start()
            try:
                token = create_token(server.data_dir, "bench")
                latencies, cpu_seconds = asyncio.run(measure(server, token, args.client))
            finally:
                server.stop()
        pooled.setdefault(label, []).extend(latencies)
        name = f"{label}, round {round_number}: delivery to {SUBSCRIBERS} subscribers"
        cpu = f"server CPU {cpu_seconds:.2f} s = {cpu_seconds / len(latencies) * 1e6:.0f} µs"
        print(f"{summary(name, latencies)}; {cpu} per delivery", flush=True)
    if args.rounds > 1:
        for label, latencies in pooled.items():
            print(summary(f"{label}, all {args.rounds} rounds", latencies))


if __name__ == "__main__":
    main()
