"""SSE streams of job events."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Header
from sse_starlette import EventSourceResponse

from easel.api.deps import CurrentUser, ServicesDep
from easel.db.repos import events as event_log
from easel.events.feed import EventFeed
from easel.events.sse import sse_frames
from easel.ops.metrics import SSE_SUBSCRIBERS

router = APIRouter(tags=["events"])

SSE_HEADERS = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}


async def _counted(frames: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    """The stream, counted in the SSE subscribers gauge for as long as it is open."""
    with SSE_SUBSCRIBERS.track_inprogress():
        async for frame in frames:
            yield frame


def _after(last_event_id: str | None, after: int | None) -> int:
    if last_event_id and last_event_id.strip().isdigit():
        return int(last_event_id)
    return after or 0


@router.get(
    "/jobs/{job_id}/events",
    response_class=EventSourceResponse,
    summary="Stream a job's events (SSE)",
    description="Replays the job's state changes after `Last-Event-ID` (or `after`), then "
    "the current progress and preview of its running variants (frames without an `id`), "
    "then streams both as they happen; a finished job's stream replays and closes.",
)
async def job_events(
    job_id: str,
    user: CurrentUser,
    services: ServicesDep,
    last_event_id: Annotated[str | None, Header()] = None,
    after: int | None = None,
) -> EventSourceResponse:
    view = await services.jobs.get(user_id=user.id, job_id=job_id)
    finished = view.job.finished_at is not None
    feed = EventFeed(
        log=services.log_reads,
        bus=services.bus,
        user_id=user.id,
        job_id=job_id,
        after_seq=_after(last_event_id, after),
        job_finished=finished,
    )
    return EventSourceResponse(
        _counted(sse_frames(feed)), ping=services.settings.sse_ping_seconds, headers=SSE_HEADERS
    )


@router.get(
    "/events",
    response_class=EventSourceResponse,
    summary="Stream events of all your jobs (SSE)",
    description="Live events of every job of the caller; with `Last-Event-ID` (or `after`) "
    "it first replays what was missed.",
)
async def user_events(
    user: CurrentUser,
    services: ServicesDep,
    last_event_id: Annotated[str | None, Header()] = None,
    after: int | None = None,
) -> EventSourceResponse:
    if last_event_id is None and after is None:
        # Without a position, the account-wide stream starts now rather than replaying
        # the whole history.
        async with services.db.session() as session:
            after = await event_log.last_seq(session, user_id=user.id)
    feed = EventFeed(
        log=services.log_reads,
        bus=services.bus,
        user_id=user.id,
        job_id=None,
        after_seq=_after(last_event_id, after),
    )
    return EventSourceResponse(
        _counted(sse_frames(feed)), ping=services.settings.sse_ping_seconds, headers=SSE_HEADERS
    )
