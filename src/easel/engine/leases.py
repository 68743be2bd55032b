"""Keeping the leases of every variant one worker holds, in one statement per interval.

A worker holds each variant it works on through a lease. Instead of a renewal loop per
variant (a transaction each, every few seconds, for every variant in flight: a thousand
remote tasks would mean hundreds of transactions a second), one task renews them all at
once. A variant that is no longer this worker's (canceled by another process, or taken
back after the lease lapsed) is reported through ``on_lost`` so its work stops.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import timedelta

from easel.db.engine import Database
from easel.db.ids import utcnow
from easel.db.repos import jobs as job_repo

log = logging.getLogger(__name__)


class LeaseKeeper:
    def __init__(
        self,
        db: Database,
        *,
        owner: str,
        lease_seconds: float,
        on_lost: Callable[[str], object],
    ) -> None:
        self.db = db
        self.owner = owner
        self.lease_seconds = lease_seconds
        self.on_lost = on_lost
        self._held: set[str] = set()
        self._task: asyncio.Task[None] | None = None

    def hold(self, variant_id: str) -> None:
        """Keep renewing this variant's lease (just claimed by this worker)."""
        self._held.add(variant_id)
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run())

    def release(self, variant_id: str) -> None:
        """Stop renewing: the variant is finishing or done."""
        self._held.discard(variant_id)

    def __contains__(self, variant_id: str) -> bool:
        return variant_id in self._held

    async def renew(self) -> None:
        """One round: extend every lease; report the variants lost since the last one."""
        if not self._held:
            return
        asked = set(self._held)
        until = utcnow() + timedelta(seconds=self.lease_seconds)
        async with self.db.transaction() as session:
            still = await job_repo.renew_leases(session, owner=self.owner, until=until)
        # Only what was held before the round and is still held now: a variant finished
        # (or just claimed) during the round is not lost.
        for variant_id in (asked - still) & self._held:
            self._held.discard(variant_id)
            self.on_lost(variant_id)

    async def _run(self) -> None:
        while self._held:
            await asyncio.sleep(self.lease_seconds / 3)
            try:
                await self.renew()
            except Exception:  # keep renewing after a transient database error
                log.exception("renewing leases failed")

    async def aclose(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
