"""Database engines and sessions, SQLite or PostgreSQL, chosen by the URL in Settings.

SQLite needs care to never answer "database is locked" under concurrent requests:

* WAL mode, so readers never block the writer and the writer never blocks readers.
* Writes go through their own engine with a single pooled connection, so writers in this
  process queue in Python instead of racing inside SQLite, and each write transaction
  starts with ``BEGIN IMMEDIATE``: taking the write lock up front means a transaction never
  has to upgrade a read lock, the case where SQLite fails at once instead of waiting.
* ``busy_timeout`` makes other processes on the same file (the CLI) wait their turn.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from easel.db.sqlite_driver import (
    BUSY_TIMEOUT_MS,
    CheckpointDue,
    OneHopDBAPI,
    checkpoint,
    mark_begin,
)

log = logging.getLogger(__name__)

SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=NORMAL",
    f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}",
    "PRAGMA foreign_keys=ON",
)


def _sqlite_engine(
    url: str, *, begin: str, checkpoint_due: CheckpointDue | None = None, **kwargs: Any
) -> AsyncEngine:
    if make_url(url).get_driver_name() == "aiosqlite":
        # One thread hop per statement, not four; with checkpoint_due, write
        # transactions inline (see the driver).
        kwargs["module"] = OneHopDBAPI(checkpoint_due=checkpoint_due)
    engine = create_async_engine(url, **kwargs)

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide when transactions begin.
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        for pragma in SQLITE_PRAGMAS:
            cursor.execute(pragma)
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        if not mark_begin(conn.connection.dbapi_connection, begin):
            conn.exec_driver_sql(begin)

    return engine


class Database:
    """Owns the engines; hands out read sessions and write transactions."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.is_sqlite = make_url(url).get_backend_name() == "sqlite"
        if self.is_sqlite:
            self.read_engine = _sqlite_engine(url, begin="BEGIN", pool_size=8, max_overflow=8)
            self.write_engine = _sqlite_engine(
                url,
                begin="BEGIN IMMEDIATE",
                checkpoint_due=self._checkpoint_soon,
                pool_size=1,
                max_overflow=0,
                pool_timeout=600,
            )
        else:
            self.read_engine = create_async_engine(
                url, pool_size=10, max_overflow=20, pool_pre_ping=True
            )
            self.write_engine = self.read_engine
        self._checkpointing: asyncio.Task[None] | None = None
        self._read = async_sessionmaker(self.read_engine, expire_on_commit=False)
        self._write = async_sessionmaker(self.write_engine, expire_on_commit=False)

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A read-only session; its transaction is rolled back at the end."""
        async with self._read() as session:
            yield session

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A write transaction, committed when the block exits without error."""
        async with self._write() as session, session.begin():
            yield session

    def _checkpoint_soon(self) -> None:
        """Called by the writer's commit: checkpoint the log on the write connection once
        the committing transaction has handed it back (see `easel.db.sqlite_driver`)."""
        if self._checkpointing is None or self._checkpointing.done():
            self._checkpointing = asyncio.get_running_loop().create_task(self._checkpoint())

    async def _checkpoint(self) -> None:
        try:
            async with self.write_engine.connect() as connection:
                await connection.run_sync(lambda c: checkpoint(c.connection.dbapi_connection))
        except Exception:  # the next one is due a hundred commits later
            log.warning("Checkpointing the SQLite log failed", exc_info=True)

    async def dispose(self) -> None:
        if self._checkpointing is not None:
            await asyncio.gather(self._checkpointing, return_exceptions=True)
        await self.read_engine.dispose()
        if self.write_engine is not self.read_engine:
            await self.write_engine.dispose()
