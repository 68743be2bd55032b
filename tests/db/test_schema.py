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
