"""Concurrent writers and readers on SQLite never see "database is locked"."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import func, select

from easel.db.engine import Database
from easel.db.repos import users as user_repo
from easel.db.tables import ApiToken
from support.databases import migrated


async def test_many_concurrent_writes_and_reads(tmp_path: Path) -> None:
    async with migrated("sqlite", tmp_path) as url:
        db = Database(url)
        other_process_like = Database(url)  # a second engine, as another process would have
        try:

            async def write(i: int, database: Database) -> None:
                async with database.transaction() as session:
                    await user_repo.create_token(session, user_name=f"user{i % 7}")

            async def read(database: Database) -> int:
                async with database.session() as session:
                    return int(
                        await session.scalar(select(func.count()).select_from(ApiToken)) or 0
                    )

            tasks = [write(i, db if i % 2 else other_process_like) for i in range(120)]
            tasks += [read(db) for _ in range(60)]
            await asyncio.gather(*tasks)
            assert await read(db) == 120
            async with db.session() as session:
                journal = (await session.connection()).exec_driver_sql("PRAGMA journal_mode")
                assert (await journal).scalar() == "wal"
        finally:
            await db.dispose()
            await other_process_like.dispose()
