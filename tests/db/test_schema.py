"""The migrations are the only source of the schema; the table classes must agree with them."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.ext.asyncio import create_async_engine

from easel.db.tables import Base


def _diff(connection: Any) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, Base.metadata))


async def test_migrations_match_models(database_url: str) -> None:
    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as connection:
            differences = await connection.run_sync(_diff)
    finally:
        await engine.dispose()
    assert differences == [], f"tables.py and the migrations disagree: {differences}"


async def test_upgrade_is_idempotent(database_url: str) -> None:
    import asyncio

    from easel.db.migrate import upgrade

    await asyncio.to_thread(upgrade, database_url)  # a second run must be a no-op


async def test_the_cheap_head_check_agrees_with_alembic(database_url: str) -> None:
    """The CLI skips Alembic when the database is at the newest migration file; both must
    name the same head, and a migrated database must be seen as current."""
    from alembic.script import ScriptDirectory

    from easel.db.migrate import MIGRATIONS_DIR, ensure_current, head_revision, revision_of

    heads = ScriptDirectory(str(MIGRATIONS_DIR)).get_heads()
    assert [head_revision()] == heads
    assert await revision_of(database_url) == heads[0]
    assert await ensure_current(database_url) == (heads[0], heads[0])
