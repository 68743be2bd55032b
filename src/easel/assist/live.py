"""Streamed assist frames on the account's live event stream (``GET /api/v1/events``), so
a dashboard open elsewhere, served by any process, sees the words arrive.

Each frame goes out as a live event (published on the bus, never written to the database,
no SSE ``id``) of type ``assist.<frame>`` (``assist.delta``, ``assist.suggestion``,
``assist.done``, ``assist.error``), keyed by the run: its ``job_id`` is the run id. None is
retained for late subscribers: text is only worth having in order, and the finished run
is in the assist history.
"""

from __future__ import annotations

from easel.assist.frames import Frame
from easel.db.ids import utcnow
from easel.events.bus import EventBus
from easel.events.types import LiveEvent


async def publish(bus: EventBus, user_id: str, frame: Frame) -> None:
    """Offer ``frame`` to the user's live subscribers as ``assist.<event>``."""
    event = LiveEvent(
        user_id=user_id,
        job_id=frame.run_id,
        variant_id=None,
        type=f"assist.{frame.event}",
        data=frame.model_dump(mode="json"),
        created_at=utcnow(),
    )
    await bus.publish_live(event)
