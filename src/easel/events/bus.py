"""The EventBus interface and its in-process implementation.

Two kinds of events travel the bus (see `easel.events.types`):

* durable events are written to the log first (the source of truth) and published after
  commit; the bus only wakes live subscribers, and the log replays what they missed;
* live events (progress, previews, text deltas) exist only on the bus. The bus keeps the
  newest one per (variant, ``retain`` key) while the variant runs, so a subscriber that
  connects late, or reconnects, gets the current progress and preview at once. A
  variant's durable event (started, succeeded, failed, canceled, queued again) drops
  what was kept for it: that belonged to an attempt that just changed state.

A subscriber that falls behind is dropped rather than allowed to hold memory without
bound: it reconnects with ``Last-Event-ID``, the log fills the gap and the snapshot
brings the live state.

The interface is small so that it can sit on a shared broker (Redis pub/sub and a hash
per job for the snapshot) when workers and API servers are separate processes.
"""

from __future__ import annotations

import abc
import asyncio
import contextlib
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from easel.events.types import AnyEvent, Event, JobDeleted, LiveEvent, VariantCanceled
from easel.ops.metrics import LIVE_FRAMES_DROPPED, SUBSCRIBER_RESETS

LIVE_STATE_TTL = 900.0
"""Seconds a kept live event outlives its last update: bounds what a variant finished
elsewhere (its terminal event never published here) leaves behind."""


class SubscriberOverflow(Exception):
    """The subscriber fell too far behind; it should resume from the event log."""


class Subscription:
    """Events of one user (optionally one job) from the moment of subscribing.

    ``live=False`` subscribers (callers that only wait for a job's end) receive durable
    events only, and do not count as someone watching the job.
    """

    def __init__(self, max_backlog: int, job_id: str | None, live: bool) -> None:
        self._queue: asyncio.Queue[AnyEvent | None] = asyncio.Queue(max_backlog)
        self.job_id = job_id
        self.live = live
        self.overflowed = False

    def wants(self, event: AnyEvent) -> bool:
        if self.job_id is not None and event.job_id != self.job_id:
            return False
        return self.live or isinstance(event, Event)

    def offer(self, event: AnyEvent) -> None:
        if not self.wants(event):
            return
        if isinstance(event, LiveEvent) and self.overflowed:
            LIVE_FRAMES_DROPPED.labels("overflow").inc()
            return
        try:
            self._queue.put_nowait(event)
        except asyncio.QueueFull:
            if not self.overflowed:
                SUBSCRIBER_RESETS.labels("overflow").inc()
            self.overflowed = True
            if isinstance(event, LiveEvent):
                LIVE_FRAMES_DROPPED.labels("overflow").inc()

    def interrupt(self) -> None:
        """Events may have been missed (the bus lost its broker for a while): make the
        reader resume from the log, waking it if it waits."""
        if not self.overflowed:
            SUBSCRIBER_RESETS.labels("interrupted").inc()
        self.overflowed = True
        with contextlib.suppress(asyncio.QueueFull):
            self._queue.put_nowait(None)

    async def get(self) -> AnyEvent:
        if self.overflowed:
            raise SubscriberOverflow
        event = await self._queue.get()
        if event is None or self.overflowed:
            raise SubscriberOverflow
        return event

    def __aiter__(self) -> AsyncIterator[AnyEvent]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[AnyEvent]:
        while True:
            yield await self.get()


CancelListener = Callable[[str], object]
"""Called with the id of a variant just canceled (a worker stops it if it holds it)."""


class EventBus(abc.ABC):
    def __init__(self) -> None:
        self._cancel_listeners: list[CancelListener] = []

    def on_cancel(self, listener: CancelListener) -> None:
        """Call ``listener(variant_id)`` for every variant canceled anywhere: how a cancel
        reaches the worker that holds the variant, in this process or another."""
        self._cancel_listeners.append(listener)

    def _canceled(self, variant_id: str) -> None:
        for listener in self._cancel_listeners:
            listener(variant_id)

    async def open(self) -> None:  # noqa: B027
        """Start receiving from other processes what this one listens to (cancels)."""

    @abc.abstractmethod
    async def publish(self, events: Sequence[Event]) -> None:
        """Deliver committed durable events to the subscribers of their user, drop the
        live state kept for each variant they concern, and tell the cancel listeners
        of every process about canceled variants."""

    @abc.abstractmethod
    async def publish_live(self, event: LiveEvent) -> None:
        """Deliver a live event; keep it for late subscribers when it has a ``retain``
        key, replacing the previous one of the same variant and key."""

    @abc.abstractmethod
    def subscribe(
        self, user_id: str, *, job_id: str | None = None, live: bool = True
    ) -> AbstractAsyncContextManager[Subscription]:
        """Events of one user (of one job when ``job_id`` is given) from now on, until
        the context exits. ``live=False``: durable events only."""

    @abc.abstractmethod
    async def live_snapshot(self, user_id: str, job_id: str | None = None) -> list[LiveEvent]:
        """The kept live events of one job, or of all the user's jobs, oldest first."""

    @abc.abstractmethod
    async def watched(self, user_id: str, job_id: str) -> bool:
        """Whether a subscriber that shows live events follows this job, directly or
        through the user's account-wide stream. Workers ask before paying for previews."""

    async def aclose(self) -> None:  # noqa: B027
        """Release connections."""


LiveKey = tuple[str | None, str]
"""(variant id, retain key) of a kept live event."""


class LocalSubscribers:
    """The subscriptions of this process, by user: what every bus delivers to."""

    def __init__(self, max_backlog: int) -> None:
        self._subscribers: dict[str, set[Subscription]] = defaultdict(set)
        self._max_backlog = max_backlog

    def deliver(self, event: AnyEvent) -> None:
        for subscription in tuple(self._subscribers.get(event.user_id, ())):
            subscription.offer(event)

    def watched(self, user_id: str, job_id: str) -> bool:
        return any(
            s.live and s.job_id in (None, job_id) for s in self._subscribers.get(user_id, ())
        )

    def watching(self) -> set[tuple[str, str | None]]:
        """(user, job or None for the account stream) of every live subscription."""
        return {
            (user_id, s.job_id)
            for user_id, subscriptions in self._subscribers.items()
            for s in subscriptions
            if s.live
        }

    def interrupt_all(self) -> None:
        for subscriptions in self._subscribers.values():
            for subscription in subscriptions:
                subscription.interrupt()

    @asynccontextmanager
    async def subscription(
        self, user_id: str, job_id: str | None, live: bool
    ) -> AsyncIterator[Subscription]:
        subscription = Subscription(self._max_backlog, job_id, live)
        self._subscribers[user_id].add(subscription)
        try:
            yield subscription
        finally:
            subscribers = self._subscribers[user_id]
            subscribers.discard(subscription)
            if not subscribers:
                del self._subscribers[user_id]

    def count(self) -> int:
        return sum(len(s) for s in self._subscribers.values())


class InProcessEventBus(EventBus):
    def __init__(self, max_backlog: int = 10_000, live_ttl: float = LIVE_STATE_TTL) -> None:
        super().__init__()
        self._local = LocalSubscribers(max_backlog)
        self._live_ttl = live_ttl
        # user → job → (variant, key) → (monotonic time kept, event)
        self._kept: dict[str, dict[str, dict[LiveKey, tuple[float, LiveEvent]]]] = {}
        self._swept_at = time.monotonic()

    async def publish(self, events: Sequence[Event]) -> None:
        for event in events:
            self._forget(event)
            self._local.deliver(event)
            if event.type == VariantCanceled.name and event.variant_id is not None:
                self._canceled(event.variant_id)

    def _forget(self, event: Event) -> None:
        jobs = self._kept.get(event.user_id)
        if not jobs or event.job_id not in jobs:
            return
        if event.variant_id is None:
            if event.type == JobDeleted.name:
                del jobs[event.job_id]
        else:
            kept = jobs[event.job_id]
            for key in [k for k in kept if k[0] == event.variant_id]:
                del kept[key]
            if not kept:
                del jobs[event.job_id]
        if not jobs:
            del self._kept[event.user_id]

    async def publish_live(self, event: LiveEvent) -> None:
        now = time.monotonic()
        if event.retain is not None:
            jobs = self._kept.setdefault(event.user_id, {})
            jobs.setdefault(event.job_id, {})[(event.variant_id, event.retain)] = (now, event)
        if now - self._swept_at > self._live_ttl:
            self._swept_at = now
            self._drop_stale(now - self._live_ttl)
        self._local.deliver(event)

    def _drop_stale(self, oldest: float) -> None:
        for user_id, jobs in list(self._kept.items()):
            for job_id, entries in list(jobs.items()):
                for key in [k for k, (at, _) in entries.items() if at < oldest]:
                    del entries[key]
                if not entries:
                    del jobs[job_id]
            if not jobs:
                del self._kept[user_id]

    async def live_snapshot(self, user_id: str, job_id: str | None = None) -> list[LiveEvent]:
        jobs = self._kept.get(user_id, {})
        chosen = [job_id] if job_id is not None else list(jobs)
        oldest = time.monotonic() - self._live_ttl
        kept = [
            (at, event)
            for job in chosen
            for at, event in jobs.get(job, {}).values()
            if at >= oldest
        ]
        return [event for _, event in sorted(kept, key=lambda pair: pair[0])]

    async def watched(self, user_id: str, job_id: str) -> bool:
        return self._local.watched(user_id, job_id)

    def subscribe(
        self, user_id: str, *, job_id: str | None = None, live: bool = True
    ) -> AbstractAsyncContextManager[Subscription]:
        return self._local.subscription(user_id, job_id, live)

    def subscriber_count(self) -> int:
        return self._local.count()
