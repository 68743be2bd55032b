"""Variant transitions against a real database, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from easel.db.engine import Database
from easel.db.repos import events as event_log
from easel.db.tables import Job, Variant
from easel.engine import transitions
from easel.errors import Conflict, NotFound
from support.jobs import queued_job


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    yield database
    await database.dispose()


async def _claim(db: Database, variant_id: str, owner: str = "w1") -> Variant | None:
    async with db.transaction() as session:
        claimed, _ = await transitions.claim(
            session, variant_id=variant_id, owner=owner, lease_seconds=30, max_attempts=3
        )
    return claimed.variant if claimed else None


async def test_claim_is_exclusive(db: Database) -> None:
    _, _, (variant_id, _) = await queued_job(db)
    results = await asyncio.gather(*(_claim(db, variant_id, f"w{i}") for i in range(8)))
    winners = [r for r in results if r is not None]
    assert len(winners) == 1
    assert winners[0].attempts == 1


async def test_job_finishes_once_with_events_in_sequence(db: Database) -> None:
    user_id, job_id, ids = await queued_job(db)
    for variant_id in ids:
        assert await _claim(db, variant_id) is not None

    async def finish(variant_id: str) -> None:
        async with db.transaction() as session:
            await transitions.fail(
                session,
                variant_id=variant_id,
                owner="w1",
                code="x",
                message="broke",
                retryable=False,
            )

    await asyncio.gather(*(finish(v) for v in ids))
    async with db.session() as session:
        events = await event_log.after(session, user_id=user_id, after_seq=0, job_id=job_id)
        job = await session.get(Job, job_id)
    assert job is not None and job.status == "failed" and job.finished_at is not None
    assert [e.type for e in events].count("job.finished") == 1
    assert [e.seq for e in events] == list(range(1, len(events) + 1))


async def test_cancel_retry_and_illegal_moves(db: Database) -> None:
    user_id, job_id, (first, second) = await queued_job(db)
    assert await _claim(db, first) is not None
    async with db.transaction() as session:
        running, _ = await transitions.cancel(session, user_id=user_id, job_id=job_id)
    assert [v.id for v in running] == [first]
    async with db.transaction() as session:
        with pytest.raises(Conflict):
            await transitions.cancel(session, user_id=user_id, job_id=job_id, variant_id=first)
    async with db.transaction() as session:
        variant, _ = await transitions.retry(
            session, user_id=user_id, job_id=job_id, variant_id=second
        )
    assert variant.status == "queued" and variant.attempts == 0
    async with db.transaction() as session:
        with pytest.raises(NotFound):
            await transitions.cancel(session, user_id="someone-else", job_id=job_id)


async def test_lapsed_lease_is_requeued_and_attempts_are_capped(db: Database) -> None:
    _, _, (variant_id, _) = await queued_job(db)
    for attempt in range(3):
        async with db.transaction() as session:
            claimed, _ = await transitions.claim(
                session,
                variant_id=variant_id,
                owner=f"w{attempt}",
                lease_seconds=-1,
                max_attempts=3,
            )
        assert claimed is not None
        async with db.transaction() as session:
            events = await transitions.requeue(session, variant_id=variant_id, reason="lost")
        assert [e.type for e in events] == ["variant.queued"]
    async with db.transaction() as session:
        claimed, events = await transitions.claim(
            session, variant_id=variant_id, owner="w9", lease_seconds=30, max_attempts=3
        )
    assert claimed is None
    assert events[0].type == "variant.failed"
    assert "3 attempts" in events[0].data["error"]


async def test_live_lease_is_not_requeued(db: Database) -> None:
    _, _, (variant_id, _) = await queued_job(db)
    assert await _claim(db, variant_id) is not None
    async with db.transaction() as session:
        assert await transitions.requeue(session, variant_id=variant_id, reason="x") == []
