"""The reconciler: makes sure every unfinished variant is in the queue.

It runs at start-up and then periodically; its writes run in one process of the cluster
(the leader).
Running variants whose lease lapsed (their worker died), or whose worker was a process
of this host that has exited, go back to queued; of the queued variants, only those the
queue does not hold (never pushed, dropped with a restarted broker, taken by a worker
that is gone) are pushed again, so a sweep writes in proportion to what was lost, not to
the length of the queue. Pushing twice is harmless because workers claim variants in the
database before working.
"""

from __future__ import annotations

import logging
from functools import partial

from easel.cluster.leader import Leadership, SoleProcess
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
        self,
        *,
        db: Database,
        bus: EventBus,
        queue: VariantQueue,
        interval: float,
        leader: Leadership | None = None,
    ) -> None:
        self.db = db
        self.bus = bus
        self.queue = queue
        self.interval = interval
        self.leader = leader or SoleProcess()

    async def sweep(self) -> int:
        """One pass; returns how many variants were pushed. Only the leader writes
        (requeues what workers lost) and feeds a shared queue; a process with a queue of
        its own (no Redis) still feeds it with what waits in the database."""
        leading = await self.leader.held()
        if not leading and self.queue.shared:
            return 0
        if leading:
            await self._reclaim_from_dead_local_workers()
        async with self.db.session() as session:
            waiting = await job_repo.ids_to_resume(session, now=utcnow())
        for variant_id, _, lapsed in waiting:
            # Queued variants only need pushing; a write (and its locks) is for lost ones.
            if lapsed and leading:
                await commit(
                    self.db,
                    self.bus,
                    partial(
                        transitions.requeue, variant_id=variant_id, reason="worker lost; resuming"
                    ),
                )
        lost = await self.queue.lost(
            Ticket(variant_id, user_id)
            for variant_id, user_id, lapsed in waiting
            if leading or not lapsed
        )
        await self.queue.push(lost)
        if leading:
            await self.queue.tidy()
        return len(lost)

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
