"""Follow one job to its end, for callers that wait on a job rather than stream SSE
(the OpenAI-compatible endpoint, the MCP tools).

It reuses `EventStream`, so it gets the same guarantees: the log replays what happened
before the caller started listening, then live events follow with none missed.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

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
    db: Database, bus: EventBus, *, user_id: str, job_id: str
) -> AsyncIterator[JobUpdate]:
    """Every event of the job from its start; ends after ``job.finished``."""
    stream = EventStream(db=db, bus=bus, user_id=user_id, job_id=job_id, after_seq=0)
    async for frame in stream:
        data = json.loads(str(frame.data))
        update = JobUpdate(type=str(frame.event), variant_id=data.pop("variant_id"), data=data)
        yield update
        if update.type in TERMINAL_JOB_EVENTS:
            return
