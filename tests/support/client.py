"""Small client helpers for tests: wait for a job, collect SSE events."""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass
from typing import Any

import httpx
from httpx_sse import aconnect_sse

MODEL = "offline/procedural"
LIVE = frozenset({"variant.progress", "variant.preview"})
"""Live frames: not in the log, no SSE id of their own."""


@dataclass
class Received:
    id: str
    event: str
    data: dict[str, Any]
    at: float


def state_changes(events: list[Received]) -> list[str]:
    """The ids of the durable events among ``events`` (what the log replays)."""
    return [e.id for e in events if e.event not in LIVE]


def wait_for_job(
    client: httpx.Client, job_id: str, *, timeout: float = 60.0, done: tuple[str, ...] = ()
) -> dict[str, Any]:
    """Poll until the job is finished (or reaches one of ``done``)."""
    deadline = time.monotonic() + timeout
    while True:
        job: dict[str, Any] = client.get(f"/api/v1/jobs/{job_id}").raise_for_status().json()
        if job["finished_at"] is not None or job["status"] in done:
            return job
        if time.monotonic() > deadline:
            raise AssertionError(f"job {job_id} did not finish: {job}")
        time.sleep(0.1)


async def collect_events(
    client: httpx.AsyncClient,
    path: str,
    *,
    last_event_id: str | None = None,
    stop_after: int | None = None,
    until_type: str | None = "job.finished",
    timeout: float = 60.0,
) -> list[Received]:
    headers = {"Last-Event-ID": last_event_id} if last_event_id else {}
    received: list[Received] = []
    try:
        # The whole read is bounded: a stream that stays quiet (pings only) must fail the
        # test, not hang it.
        async with (
            asyncio.timeout(timeout),
            aconnect_sse(client, "GET", path, headers=headers, timeout=timeout) as source,
        ):
            assert source.response.headers["content-type"].startswith("text/event-stream")
            async for sse in source.aiter_sse():
                if not sse.event or sse.event == "ping" or not sse.data:
                    continue
                received.append(Received(sse.id, sse.event, json.loads(sse.data), time.monotonic()))
                if stop_after is not None and len(received) >= stop_after:
                    break
                if until_type is not None and sse.event == until_type:
                    break
    except TimeoutError:
        raise AssertionError(
            f"timed out after {timeout:.0f} s reading events of {path}: got {received}"
        ) from None
    return received
