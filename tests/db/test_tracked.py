"""Rows read as plain instances and written back column by column (`easel.db.tracked`),
against a real database, SQLite and PostgreSQL: only what changed is written, nothing
when nothing changed, and new rows get their columns' defaults."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import Table, event, select
from sqlalchemy.orm import Session

from easel.db.engine import Database
from easel.db.ids import new_id, utcnow
from easel.db.tables import Job, Variant
from easel.db.tracked import Tracked, insert_new
from support.jobs import queued_job

VARIANTS: Table = Variant.__table__  # type: ignore[assignment]


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    yield database
    await database.dispose()


def _updates(db: Database) -> list[str]:
    """The UPDATE statements the write engine sends from now on."""
    seen: list[str] = []

    def executed(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("UPDATE"):
            seen.append(" ".join(statement.split()))

    event.listen(db.write_engine.sync_engine, "before_cursor_execute", executed)
    return seen


async def test_only_the_changed_columns_are_written(db: Database) -> None:
    _, _, (first, second) = await queued_job(db, variants=2)
    updates = _updates(db)
    async with db.transaction() as session:
        tracked = Tracked()
        rows = (await session.execute(select(VARIANTS).order_by(VARIANTS.c.position))).all()
        variants = [tracked.adopt(Variant, row._mapping) for row in rows]
        assert [v.id for v in variants] == [first, second]
        assert variants[0].status == "queued" and variants[0].params == {}
        variants[0].status = "running"
        variants[0].attempts = 1
        variants[1].status = "queued"  # the value it had: not a change
        await tracked.save(session)
        # A second save writes nothing more: the saved values are the new baseline.
        await tracked.save(session)
    assert len(updates) == 1, updates
    assert "SET status=" in updates[0] and "attempts=" in updates[0]
    assert "seed" not in updates[0] and "params" not in updates[0]
    async with db.session() as session:
        stored = await session.get(Variant, first)
        other = await session.get(Variant, second)
    assert stored is not None and (stored.status, stored.attempts) == ("running", 1)
    assert other is not None and (other.status, other.attempts) == ("queued", 0)


async def test_an_instance_read_this_way_is_not_flushed_by_the_session(db: Database) -> None:
    _, _, (variant_id, _) = await queued_job(db, variants=2)
    async with db.transaction() as session:
        tracked = Tracked()
        row = (await session.execute(select(VARIANTS).where(VARIANTS.c.id == variant_id))).one()
        variant = tracked.adopt(Variant, row._mapping)
        variant.status = "failed"  # never saved
        sync: Session = session.sync_session
        assert variant not in sync
    async with db.session() as session:
        stored = await session.get(Variant, variant_id)
    assert stored is not None and stored.status == "queued"


async def test_new_rows_get_the_defaults_of_the_columns_they_leave_out(db: Database) -> None:
    user_id, _, _ = await queued_job(db, variants=1)
    now = utcnow()
    jobs = [
        Job(
            id=new_id(),
            user_id=user_id,
            prompt=f"take {n}",
            negative_prompt=None,
            params={"n": n},
            status="queued",
            created_at=now,
            updated_at=now,
        )
        for n in range(3)
    ]
    async with db.transaction() as session:
        await insert_new(session, jobs)
        assert all(job not in session.sync_session for job in jobs)
    async with db.session() as session:
        stored = [await session.get(Job, job.id) for job in jobs]
    assert [(j.prompt, j.params, j.favorite, j.operation) for j in stored if j] == [
        (f"take {n}", {"n": n}, False, "generate") for n in range(3)
    ]
