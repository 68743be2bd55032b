"""Remote tasks saved together: many variants' tasks arriving at once are written in a
few transactions, each variant's save returning once its task is committed. Against a
real database, SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from easel.db.engine import Database
from easel.db.tables import Variant
from easel.engine import transitions
from easel.engine.task_saver import RemoteTaskSaver
from support.jobs import queued_job

VARIANTS = 12


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    yield database
    await database.dispose()


async def _claimed(db: Database, owner: str) -> list[str]:
    _, _, ids = await queued_job(db, variants=VARIANTS)
    for variant_id in ids:
        async with db.transaction() as session:
            claimed, _ = await transitions.claim(
                session, variant_id=variant_id, owner=owner, lease_seconds=30, max_attempts=3
            )
        assert claimed is not None
    return ids


async def test_tasks_arriving_together_are_written_together(db: Database) -> None:
    ids = await _claimed(db, "w1")
    saver = RemoteTaskSaver(db, owner="w1")
    await asyncio.gather(*(saver.save(v, {"id": f"task-{v}", "poll_url": None}) for v in ids))
    # All arrived before the write began: one transaction, not one each.
    assert saver.transactions == 1
    # One arriving while the writer is idle is written on its own, at once.
    await saver.save(ids[0], {"id": "again", "poll_url": None})
    assert saver.transactions == 2
    async with db.session() as session:
        for variant_id in ids[1:]:
            variant = await session.get(Variant, variant_id)
            assert variant is not None and variant.remote_task == {
                "id": f"task-{variant_id}",
                "poll_url": None,
            }
        first = await session.get(Variant, ids[0])
        assert first is not None and first.remote_task == {"id": "again", "poll_url": None}


async def test_a_variant_no_longer_held_is_left_alone(db: Database) -> None:
    ids = await _claimed(db, "w1")
    saver = RemoteTaskSaver(db, owner="w2")  # another worker's variants
    await saver.save(ids[0], {"id": "stolen", "poll_url": None})
    async with db.session() as session:
        variant = await session.get(Variant, ids[0])
    assert variant is not None and variant.remote_task is None
