"""Server-sent event streams of the event feed (`easel.events.feed`).

Durable events carry their sequence number as the SSE ``id``, so a browser's
``Last-Event-ID`` resumes exactly after the last state change it saw. Live frames
(progress, previews) carry no ``id``: they leave the resume position alone, and a
reconnecting client gets the current ones from the live snapshot instead.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from sse_starlette import ServerSentEvent

from easel.events.feed import EventFeed
from easel.events.types import AnyEvent, Event


def to_sse(event: AnyEvent) -> ServerSentEvent:
    return ServerSentEvent(
        data=event.sse_json,
        event=event.type,
        id=str(event.seq) if isinstance(event, Event) else None,
    )


async def sse_frames(feed: EventFeed) -> AsyncIterator[ServerSentEvent]:
    async for event in feed:
        yield to_sse(event)
