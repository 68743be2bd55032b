"""Follow one job to its end, for callers that wait on a job rather than stream SSE
(the OpenAI-compatible endpoint, the MCP tools).

It reuses `EventStream`, so the log replays what happened before the caller started
listening and live events follow with none missed. When the bus stays quiet for
``idle_seconds`` it reads the log again: the job may be worked on by another process
(separate workers, or the CLI next to a server), whose events never reach this
process's in-memory bus.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncGenerator, AsyncIterator
from dataclasses import dataclass
from typing import Any, cast

from sse_starlette import ServerSentEvent

from easel.db.engine import Database
from easel.events.bus import EventBus
from easel.events.sse import EventStream
from easel.events.types import TERMINAL_JOB_EVENTS


@dataclass(frozen=True)
class JobUpdate:
    type: str
    variant_id: str | None
    data: dict[str, Any]
    """The event's own fields (``progress``, ``preview``, ``error`` …)."""


async def follow_job(
    db: Database, bus: EventBus, *, user_id: str, job_id: str, idle_seconds: float = 2.0
) -> AsyncIterator[JobUpdate]:
    """Every event of the job from its start; ends after ``job.finished``."""
    cursor = 0
    while True:
        stream = EventStream(db=db, bus=bus, user_id=user_id, job_id=job_id, after_seq=cursor)
        # EventStream.__aiter__ is an async generator; closing it ends its subscription.
        frames = cast(AsyncGenerator[ServerSentEvent, None], aiter(stream))
        try:
            while True:
                try:
                    async with asyncio.timeout(idle_seconds):
                        frame = await anext(frames)
                except TimeoutError:
                    break  # quiet: start over from the log after the cursor
                cursor = int(str(frame.id))
                data = json.loads(str(frame.data))
                update = JobUpdate(str(frame.event), data.pop("variant_id"), data)
                yield update
                if update.type in TERMINAL_JOB_EVENTS:
                    return
        finally:
            await frames.aclose()
