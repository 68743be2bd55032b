"""Reads of the event log that feeds asking the same question at the same moment share.

When a thousand browsers follow one job, one durable event that arrives after a gap in
the user's sequence (events of the user's other jobs, or a publish that crossed another)
sends every feed to the log for the same rows at once. Sharing one query among them
turns a thousand identical reads, queued behind each other on the database connection,
into one.

Sharing is safe because a user's events commit in sequence order (taking the numbers
locks the user's row until commit, see `easel.db.repos.events.append`): a read started
once event ``S`` was committed sees every event up to ``S``. A feed that needs the log
to cover event ``S`` therefore joins a read in flight only when that read was started
for an event at or after ``S``; otherwise it starts its own.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from easel.db.engine import Database
from easel.db.repos import events as event_log
from easel.events.types import Event

ReadKey = tuple[str, str | None, int, int]
"""(user, job or None, after sequence number, limit)."""


class LogReads:
    def __init__(self, db: Database) -> None:
        self.db = db
        self._in_flight: dict[ReadKey, tuple[int, asyncio.Future[Sequence[Event]]]] = {}

    async def after(
        self,
        *,
        user_id: str,
        job_id: str | None,
        after_seq: int,
        limit: int,
        covering: int | None = None,
    ) -> Sequence[Event]:
        """Events of a user (or one job) after ``after_seq``, as `event_log.after` reads
        them. ``covering``: the sequence number of a committed event the read must see,
        which lets the caller share a read in flight; without it the read is its own."""
        key = (user_id, job_id, after_seq, limit)
        shared = self._in_flight.get(key)
        if covering is not None and shared is not None and shared[0] >= covering:
            # Shielded: one follower going away must not cancel the read for the rest.
            return await asyncio.shield(shared[1])
        if covering is None:
            return await self._read(key)
        read = asyncio.ensure_future(self._read(key))
        self._in_flight[key] = (covering, read)
        read.add_done_callback(lambda done: self._forget(key, done))
        return await asyncio.shield(read)

    def _forget(self, key: ReadKey, done: asyncio.Future[Sequence[Event]]) -> None:
        if key in self._in_flight and self._in_flight[key][1] is done:
            del self._in_flight[key]
        if not done.cancelled():
            done.exception()  # retrieved here, raised to every caller that awaits it

    async def _read(self, key: ReadKey) -> Sequence[Event]:
        user_id, job_id, after_seq, limit = key
        async with self.db.session() as session:
            return await event_log.after(
                session, user_id=user_id, after_seq=after_seq, job_id=job_id, limit=limit
            )
