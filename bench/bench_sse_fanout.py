"""Delivery latency to 1,000 concurrent SSE subscribers of one job.

The subscribers connect while the job waits in the queue behind another one; then each
live event's delivery latency is its receipt time minus the time the server logged it.
Client and server share the machine's two cores, so the figure includes the client's
own cost of parsing 1,000 streams.
"""

from __future__ import annotations

import asyncio
import json
import tempfile
import time
from datetime import datetime
from pathlib import Path

import httpx
from httpx_sse import aconnect_sse

from _common import ServerProcess, create_token, summary

SUBSCRIBERS = 1000


async def subscriber(
    client: httpx.AsyncClient,
    path: str,
    ready: asyncio.Event,
    connected: list[int],
    latencies: list[float],
) -> None:
    async with aconnect_sse(client, "GET", path, timeout=None) as source:
        connected.append(1)
        async for sse in source.aiter_sse():
            if not sse.data:
                continue
            received = time.time()
            data = json.loads(sse.data)
            if ready.is_set() and sse.event != "job.created" and sse.event != "variant.queued":
                sent = datetime.fromisoformat(data["at"]).timestamp()
                latencies.append((received - sent) * 1000)
            if sse.event == "job.finished":
                return


async def measure(server: ServerProcess, token: str) -> list[float]:
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
        job = (
            await client.post(
                "/api/v1/jobs",
                json={
                    "prompt": "many eyes on one lantern",
                    "models": ["offline/procedural"],
                    "n": 2,
                    "size": "512x512",
                },
            )
        ).json()
        ready, connected, latencies = asyncio.Event(), [], []
        tasks = [
            asyncio.create_task(subscriber(client, job["events_url"], ready, connected, latencies))
            for _ in range(SUBSCRIBERS)
        ]
        while len(connected) < SUBSCRIBERS:
            await asyncio.sleep(0.05)
        ready.set()
        await asyncio.wait_for(asyncio.gather(*tasks), 600)
    return latencies


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        server = ServerProcess(Path(tmp) / "data", env={"EASEL_OFFLINE_CONCURRENCY": "1"})
        server.start()
        try:
            token = create_token(server.data_dir, "bench")
            latencies = asyncio.run(measure(server, token))
        finally:
            server.stop()
    print(summary(f"delivery to {SUBSCRIBERS} subscribers", latencies))


if __name__ == "__main__":
    main()
