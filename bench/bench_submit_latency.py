"""Submit-to-first-event latency: from sending POST /api/v1/jobs to receiving that job's
first event on an already open SSE stream, against a real server on loopback."""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from pathlib import Path

import httpx
from httpx_sse import aconnect_sse

from _common import (
    ServerProcess,
    baseline_arg,
    checkouts,
    create_token,
    easel_server,
    summary,
)

JOBS = 200


async def measure(server: ServerProcess, token: str) -> list[float]:
    headers = {"Authorization": f"Bearer {token}"}
    latencies: list[float] = []
    async with (
        httpx.AsyncClient(base_url=server.url, headers=headers, timeout=60) as client,
        aconnect_sse(client, "GET", "/api/v1/events") as source,
    ):
        events = source.aiter_sse()
        for _ in range(JOBS):
            started = time.perf_counter()
            response = await client.post(
                "/api/v1/jobs",
                json={
                    "prompt": "a small grey pebble",
                    "models": ["offline/procedural"],
                    "size": "64x64",
                },
            )
            job_id = response.json()["id"]
            async for sse in events:
                if sse.data and json.loads(sse.data)["job_id"] == job_id:
                    latencies.append((time.perf_counter() - started) * 1000)
                    break
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    baseline_arg(parser)
    parser.add_argument(
        "--without-workers",
        action="store_true",
        help="serve the API only (EASEL_EMBEDDED_WORKERS=false): the jobs stay queued, "
        "so nothing else runs in the server while the submissions are timed",
    )
    args = parser.parse_args()
    env = {"EASEL_EMBEDDED_WORKERS": "false"} if args.without_workers else {}
    for label, src in checkouts(args):
        with tempfile.TemporaryDirectory() as tmp:
            server = easel_server(Path(tmp) / "data", env, src)
            server.start()
            try:
                token = create_token(server.data_dir, "bench")
                latencies = asyncio.run(measure(server, token))
            finally:
                server.stop()
        print(summary(f"{label}: submit-to-first-event", latencies))


if __name__ == "__main__":
    main()
