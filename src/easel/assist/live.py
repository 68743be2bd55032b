"""Where streamed assist text goes besides the caller's own response: the account's live
event stream, so a dashboard open elsewhere sees the words arrive.

Live events (published on the event bus, never written to the database, latest wins for a
late subscriber) are the path for this; until the bus carries them this function keeps
the single place where a frame would be handed over, and hands over nothing.
"""

from __future__ import annotations

from easel.assist.frames import Frame
from easel.events.bus import EventBus


async def publish(bus: EventBus, user_id: str, frame: Frame) -> None:
    """Offer ``frame`` to the user's live subscribers as ``assist.<event>``."""
    del bus, user_id, frame
