"""A user's (or one job's) events as objects: the log's replay after a position, then
the live snapshot, then both kinds as they are published.

The feed subscribes to the bus *before* reading the log, so a durable event committed
while the replay runs is not missed; durable events already delivered are skipped by
sequence number. After the replay it sends the live state the bus keeps (the current
progress and preview of running variants), so a late or reconnecting subscriber is up
to date at once. A subscriber that falls behind the bus replays from the log again.

SSE streams (`easel.events.sse`) and in-process followers (`easel.events.follow`) both
read this feed; nothing inside the server goes through SSE text.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from easel.events.bus import EventBus, SubscriberOverflow, Subscription
from easel.events.log_reads import LogReads
from easel.events.types import (
    TERMINAL_JOB_EVENTS,
    TERMINAL_VARIANT_EVENTS,
    AnyEvent,
    Event,
    LiveEvent,
)
from easel.ops.metrics import LIVE_FRAMES_DROPPED

REPLAY_BATCH = 500


class EventFeed:
    def __init__(
        self,
        *,
        log: LogReads,
        bus: EventBus,
        user_id: str,
        job_id: str | None,
        after_seq: int,
        job_finished: bool = False,
        live: bool = True,
    ) -> None:
        self.log = log
        self.bus = bus
        self.user_id = user_id
        self.job_id = job_id
        self.cursor = after_seq
        """The sequence number of the last durable event delivered."""
        self.closing = False
        self.live = live
        self._job_finished = job_finished
        self._ended: set[str] = set()
        """Variants whose latest durable event is terminal: later live frames are stale."""

    def _delivered(self, event: Event) -> Event:
        self.cursor = event.seq
        if event.variant_id is not None:
            if event.type in TERMINAL_VARIANT_EVENTS:
                self._ended.add(event.variant_id)
            else:
                self._ended.discard(event.variant_id)
        if self.job_id is not None:
            # The job is over when its latest event is terminal; a retry after a
            # job.finished reopens it, so only the last one seen counts.
            self.closing = event.type in TERMINAL_JOB_EVENTS
        return event

    def _current(self, event: LiveEvent) -> bool:
        return event.variant_id not in self._ended

    async def _replay(self, covering: int | None = None) -> AsyncIterator[Event]:
        """The log after the cursor: all of it, or with ``covering`` (a committed event
        the replay is for) up to that event and no further. Feeds that need the same rows
        share one read (`LogReads`).

        A gap is filled up to the event that revealed it, not beyond: what was committed
        later was published later, so it is already on its way through the subscription,
        behind the live frames published before it. Delivered from the log ahead of them,
        a variant's end would make its queued previews stale, and a job's end would close
        the stream before them (a slow replay, e.g. a thousand feeds reading the log at
        once, lost most previews that way)."""
        while True:
            batch = await self.log.after(
                user_id=self.user_id,
                job_id=self.job_id,
                after_seq=self.cursor,
                limit=REPLAY_BATCH,
                covering=covering,
            )
            for event in batch:
                if covering is not None and event.seq > covering:
                    return
                yield self._delivered(event)
            if len(batch) < REPLAY_BATCH:
                return

    async def _snapshot(self) -> AsyncIterator[LiveEvent]:
        if self.live:
            for kept in await self.bus.live_snapshot(self.user_id, self.job_id):
                if self._current(kept):
                    yield kept

    async def _follow(self, subscription: Subscription) -> AsyncIterator[AnyEvent]:
        """Published events until the job ends; raises SubscriberOverflow."""
        async for event in subscription:
            if isinstance(event, LiveEvent):
                if self._current(event):
                    yield event
                else:
                    LIVE_FRAMES_DROPPED.labels("stale").inc()
            elif event.seq == self.cursor + 1:
                yield self._delivered(event)
            elif event.seq > self.cursor:
                # A gap: events of the user's other jobs, or an earlier event committed by
                # another process whose publish has not arrived yet (publishes from
                # several processes can cross). Everything before this event is
                # committed, so the log gives it in order.
                async for logged in self._replay(covering=event.seq):
                    yield logged
            if self.closing:
                return

    async def __aiter__(self) -> AsyncIterator[AnyEvent]:
        while True:
            subscribe = self.bus.subscribe(self.user_id, job_id=self.job_id, live=self.live)
            async with subscribe as subscription:
                replayed = False
                async for logged in self._replay():
                    replayed = True
                    yield logged
                # A finished job's stream ends after the replay: nothing more will come
                # unless a variant is retried, and a client that retries reconnects.
                if self.closing or (self._job_finished and not replayed):
                    return
                async for kept in self._snapshot():
                    yield kept
                try:
                    async for event in self._follow(subscription):
                        yield event
                    return
                except SubscriberOverflow:
                    continue
