"""Follow one job to its end, for callers that wait on a job rather than stream SSE
(the OpenAI-compatible endpoint, the MCP tools).

It reads the same `EventFeed` as SSE streams, as event objects: the log replays what
happened before the caller started listening and live events follow with none missed.
When the bus stays quiet for ``idle_seconds`` it reads the log again: the job may be
worked on by another process (separate workers, or the CLI next to a server), whose
events never reach this process's in-memory bus.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, AsyncIterator
from typing import cast

from easel.events.bus import EventBus
from easel.events.feed import EventFeed
from easel.events.log_reads import LogReads
from easel.events.types import TERMINAL_JOB_EVENTS, AnyEvent, Event


async def follow_job(
    log: LogReads,
    bus: EventBus,
    *,
    user_id: str,
    job_id: str,
    live: bool = True,
    idle_seconds: float = 2.0,
) -> AsyncIterator[AnyEvent]:
    """Every durable event of the job from its start (and, with ``live``, its live
    events); ends after ``job.finished``. Without ``live`` the caller does not count as
    watching the job, so no previews are made for it."""
    cursor = 0
    while True:
        feed = EventFeed(
            log=log, bus=bus, user_id=user_id, job_id=job_id, after_seq=cursor, live=live
        )
        # EventFeed.__aiter__ is an async generator; closing it ends its subscription.
        events = cast(AsyncGenerator[AnyEvent, None], aiter(feed))
        try:
            while True:
                try:
                    async with asyncio.timeout(idle_seconds):
                        event = await anext(events)
                except TimeoutError:
                    break  # quiet: start over from the log after the cursor
                yield event
                if isinstance(event, Event):
                    cursor = event.seq
                    if event.type in TERMINAL_JOB_EVENTS:
                        return
        finally:
            await events.aclose()
