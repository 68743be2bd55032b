"""Server-sent event streams: replay from the log after ``Last-Event-ID``, then live.

The stream subscribes to the bus *before* reading the log, so an event committed while
the replay runs is not missed; events already sent are skipped by sequence number.
A subscriber that falls behind the bus replays from the log again.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from sse_starlette import ServerSentEvent

from easel.db.engine import Database
from easel.db.repos import events as event_log
from easel.events.bus import EventBus, SubscriberOverflow
from easel.events.types import TERMINAL_JOB_EVENTS, Event

REPLAY_BATCH = 500


def to_sse(event: Event) -> ServerSentEvent:
    return ServerSentEvent(
        data=event.sse_json,
        event=event.type,
        id=str(event.seq),
    )


class EventStream:
    def __init__(
        self,
        *,
        db: Database,
        bus: EventBus,
        user_id: str,
        job_id: str | None,
        after_seq: int,
        job_finished: bool = False,
    ) -> None:
        self.db = db
        self.bus = bus
        self.user_id = user_id
        self.job_id = job_id
        self.cursor = after_seq
        self.closing = False
        self._job_finished = job_finished

    def _wanted(self, event: Event) -> bool:
        return event.seq > self.cursor and (self.job_id is None or event.job_id == self.job_id)

    def _sent(self, event: Event) -> ServerSentEvent:
        self.cursor = event.seq
        if self.job_id is not None:
            # The job is over when its latest event is terminal; a retry after a
            # job.finished reopens it, so only the last one seen counts.
            self.closing = event.type in TERMINAL_JOB_EVENTS
        return to_sse(event)

    async def _replay(self) -> AsyncIterator[ServerSentEvent]:
        while True:
            async with self.db.session() as session:
                batch = await event_log.after(
                    session,
                    user_id=self.user_id,
                    after_seq=self.cursor,
                    job_id=self.job_id,
                    limit=REPLAY_BATCH,
                )
            for event in batch:
                yield self._sent(event)
            if len(batch) < REPLAY_BATCH:
                return

    async def __aiter__(self) -> AsyncIterator[ServerSentEvent]:
        while True:
            async with self.bus.subscribe(self.user_id) as subscription:
                replayed = False
                async for frame in self._replay():
                    replayed = True
                    yield frame
                # A finished job's stream ends after the replay: nothing more will come
                # unless a variant is retried, and a client that retries reconnects.
                if self.closing or (self._job_finished and not replayed):
                    return
                try:
                    async for event in subscription:
                        if self._wanted(event):
                            yield self._sent(event)
                            if self.closing:
                                return
                except SubscriberOverflow:
                    continue
