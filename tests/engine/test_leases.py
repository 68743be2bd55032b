"""One renewal for all of a worker's leases, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from easel.db.engine import Database
from easel.db.ids import as_utc
from easel.db.tables import Variant
from easel.engine import transitions
from easel.engine.leases import LeaseKeeper
from support.databases import migrated
from support.jobs import queued_job


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    yield database
    await database.dispose()


async def _claim(db: Database, variant_id: str, owner: str) -> None:
    async with db.transaction() as session:
        claimed, _ = await transitions.claim(
            session, variant_id=variant_id, owner=owner, lease_seconds=1, max_attempts=3
        )
    assert claimed is not None


async def _leases(db: Database, ids: list[str]) -> dict[str, datetime]:
    async with db.session() as session:
        rows = await session.execute(
            select(Variant.id, Variant.lease_expires_at).where(Variant.id.in_(ids))
        )
        return {vid: as_utc(until) for vid, until in rows.tuples() if until is not None}


async def test_one_round_extends_every_lease_and_reports_the_lost(db: Database) -> None:
    user_id, job_id, ids = await queued_job(db, variants=3)
    lost: list[str] = []
    keeper = LeaseKeeper(db, owner="w1", lease_seconds=60, on_lost=lost.append)
    for variant_id in ids:
        await _claim(db, variant_id, "w1")
        keeper.hold(variant_id)
    before = await _leases(db, ids)

    # Another process cancels one variant; this worker finishes another on its own.
    async with db.transaction() as session:
        await transitions.cancel(session, user_id=user_id, job_id=job_id, variant_id=ids[0])
    keeper.release(ids[1])
    await keeper.renew()
    await keeper.aclose()

    after = await _leases(db, ids)
    assert lost == [ids[0]]
    assert after[ids[2]] > before[ids[2]]
    assert ids[0] not in after  # canceled: no lease
    assert ids[0] not in keeper and ids[2] in keeper


async def test_a_row_locked_by_a_transition_is_skipped_not_waited_for(tmp_path: Path) -> None:
    """PostgreSQL only: SQLite has one writer at a time, so no row lock to skip."""
    async with migrated("postgres", tmp_path) as url:
        db = Database(url)
        try:
            await _renew_past_a_locked_row(db)
        finally:
            await db.dispose()


async def _renew_past_a_locked_row(db: Database) -> None:
    _, _, ids = await queued_job(db, variants=2)
    lost: list[str] = []
    keeper = LeaseKeeper(db, owner="w1", lease_seconds=60, on_lost=lost.append)
    for variant_id in ids:
        await _claim(db, variant_id, "w1")
        keeper.hold(variant_id)
    before = await _leases(db, ids)
    async with db.transaction() as session:
        # A transition holds the first variant's row until this block ends.
        await session.execute(select(Variant).where(Variant.id == ids[0]).with_for_update())
        await asyncio.wait_for(keeper.renew(), 10)
    await keeper.aclose()
    after = await _leases(db, ids)
    assert lost == []
    assert after[ids[0]] == before[ids[0]]  # renewed next round
    assert after[ids[1]] > before[ids[1]]
