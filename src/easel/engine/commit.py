"""Running a transition in its own write transaction, then publishing its events."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession

from easel.db.engine import Database
from easel.events.bus import EventBus
from easel.events.types import Event

Change = Callable[[AsyncSession], Awaitable[list[Event]]]


async def commit(db: Database, bus: EventBus, change: Change) -> list[Event]:
    """Apply ``change`` and publish what it logged, only once it is committed."""
    async with db.transaction() as session:
        events = await change(session)
    await bus.publish(events)
    return events
