"""The EventBus interface and its in-process implementation.

Events are written to the log first (the source of truth) and published after commit;
the bus only wakes live subscribers. A subscriber that falls behind is dropped rather than
allowed to hold memory without bound: it reconnects with ``Last-Event-ID`` and the log
fills the gap.
"""

from __future__ import annotations

import abc
import asyncio
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from easel.events.types import Event


class SubscriberOverflow(Exception):
    """The subscriber fell too far behind; it should resume from the event log."""


class Subscription:
    def __init__(self, max_backlog: int) -> None:
        self._queue: asyncio.Queue[Event | None] = asyncio.Queue(max_backlog)
        self.overflowed = False

    def offer(self, event: Event | None) -> None:
        try:
            self._queue.put_nowait(event)
        except asyncio.QueueFull:
            self.overflowed = True

    async def get(self) -> Event:
        if self.overflowed:
            raise SubscriberOverflow
        event = await self._queue.get()
        if event is None:
            raise SubscriberOverflow
        return event

    def __aiter__(self) -> AsyncIterator[Event]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[Event]:
        while True:
            yield await self.get()


class EventBus(abc.ABC):
    @abc.abstractmethod
    async def publish(self, events: list[Event]) -> None:
        """Deliver committed events to live subscribers of their user."""

    @abc.abstractmethod
    def subscribe(self, user_id: str) -> AbstractAsyncContextManager[Subscription]:
        """Live events of one user from now on, until the context exits."""

    async def aclose(self) -> None:  # noqa: B027
        """Release connections."""


class InProcessEventBus(EventBus):
    def __init__(self, max_backlog: int = 10_000) -> None:
        self._subscribers: dict[str, set[Subscription]] = defaultdict(set)
        self._max_backlog = max_backlog

    async def publish(self, events: list[Event]) -> None:
        for event in events:
            for subscription in tuple(self._subscribers.get(event.user_id, ())):
                subscription.offer(event)

    @asynccontextmanager
    async def _subscription(self, user_id: str) -> AsyncIterator[Subscription]:
        subscription = Subscription(self._max_backlog)
        self._subscribers[user_id].add(subscription)
        try:
            yield subscription
        finally:
            subscribers = self._subscribers[user_id]
            subscribers.discard(subscription)
            if not subscribers:
                del self._subscribers[user_id]

    def subscribe(self, user_id: str) -> AbstractAsyncContextManager[Subscription]:
        return self._subscription(user_id)

    def subscriber_count(self) -> int:
        return sum(len(s) for s in self._subscribers.values())
