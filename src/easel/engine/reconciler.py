"""The reconciler: makes sure every unfinished variant is in the queue.

It runs at start-up and then periodically. Running variants whose lease lapsed (their
worker died), or whose worker was a process of this host that has exited, go back to
queued; every queued variant is pushed again. Pushing twice is
harmless because workers claim variants in the database before working.
"""

from __future__ import annotations

import logging
from functools import partial

from easel.db.engine import Database
from easel.db.ids import utcnow
from easel.db.repos import jobs as job_repo
from easel.engine import transitions
from easel.engine.commit import commit
from easel.engine.owners import is_dead_local_worker
from easel.engine.queue import Ticket, VariantQueue
from easel.events.bus import EventBus

log = logging.getLogger(__name__)


class Reconciler:
    def __init__(
        self, *, db: Database, bus: EventBus, queue: VariantQueue, interval: float
    ) -> None:
        self.db = db
        self.bus = bus
        self.queue = queue
        self.interval = interval

    async def sweep(self) -> int:
        """One pass; returns how many variants were pushed."""
        await self._reclaim_from_dead_local_workers()
        async with self.db.session() as session:
            waiting = await job_repo.ids_to_resume(session, now=utcnow())
        for variant_id, _, lapsed in waiting:
            # Queued variants only need pushing; a write (and its locks) is for lost ones.
            if lapsed:
                await commit(
                    self.db,
                    self.bus,
                    partial(
                        transitions.requeue, variant_id=variant_id, reason="worker lost; resuming"
                    ),
                )
        await self.queue.push(Ticket(variant_id, user_id) for variant_id, user_id, _ in waiting)
        return len(waiting)

    async def _reclaim_from_dead_local_workers(self) -> None:
        """Requeue at once what a crashed process of this host held, without waiting for
        its leases to lapse."""
        async with self.db.session() as session:
            leased = await job_repo.leased_variants(session, now=utcnow())
        for variant_id, owner in leased:
            if not is_dead_local_worker(owner):
                continue
            await commit(
                self.db,
                self.bus,
                partial(
                    transitions.requeue,
                    variant_id=variant_id,
                    owner=owner,
                    reason="the server stopped; resuming",
                ),
            )
