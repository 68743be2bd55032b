"""Server-sent event streams of the event feed (`easel.events.feed`).

Durable events carry their sequence number as the SSE ``id``, so a browser's
``Last-Event-ID`` resumes exactly after the last state change it saw. Live frames
(progress, previews) carry no ``id``: they leave the resume position alone, and a
reconnecting client gets the current ones from the live snapshot instead.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from easel.events.feed import EventFeed


async def sse_frames(feed: EventFeed) -> AsyncIterator[bytes]:
    """Each event's frame as bytes, encoded once for all its subscribers (the response
    sends bytes as they are)."""
    async for event in feed:
        yield event.sse_frame
