"""Leadership in PostgreSQL, for clusters without Redis: a session-level advisory lock
taken with ``pg_try_advisory_lock`` on a connection of the leader's own.

The lock lives as long as that session: PostgreSQL releases it when the leader closes the
connection (shutdown) or when the session ends (the process died, or the server dropped
the connection), and another process takes it at its next pass. The leader checks its
connection at each pass; once it fails, it stops leading and tries for the lock again on a
new connection. Advisory locks belong to one database, so studios on separate databases
of one server never contend.
"""

from __future__ import annotations

import asyncio
import contextlib

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine
from sqlalchemy.pool import NullPool

from easel.cluster.leader import Leadership

LOCK_KEY = 0x456173656C000001
"""'Easel' in ASCII, then 1: the periodic passes' lock among Easel's advisory locks."""
TIMEOUT_SECONDS = 10.0
"""The longest a connect or a check may take before this process stops leading."""


class PostgresLeadership(Leadership):
    def __init__(self, url: str, *, key: int = LOCK_KEY) -> None:
        # No pool: the lock is the session's, so the connection must be this one alone,
        # and closing it must really end the session.
        self.engine = create_async_engine(url, poolclass=NullPool)
        self.key = key
        self._conn: AsyncConnection | None = None

    async def held(self) -> bool:
        try:
            async with asyncio.timeout(TIMEOUT_SECONDS):
                leading = await self._hold()
        except (SQLAlchemyError, OSError, TimeoutError):
            await self._drop()
            leading = False
        return self._now_leading(leading)

    async def _hold(self) -> bool:
        if self._conn is None:
            conn = await self.engine.connect()
            # Autocommit: the session never sits idle inside a transaction between passes.
            self._conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
        if self._leading:
            # The lock lasts as long as the session, so a live session still holds it.
            await self._conn.execute(text("SELECT 1"))
            return True
        taken = await self._conn.scalar(
            text("SELECT pg_try_advisory_lock(:key)"), {"key": self.key}
        )
        return bool(taken)

    async def _drop(self) -> None:
        """Close the session, which releases the lock if it held it."""
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(SQLAlchemyError, OSError):
                await conn.close()

    async def aclose(self) -> None:
        if self._leading and self._conn is not None:
            # Handed over at once: the session's end would release the lock too, but only
            # once the server has finished closing it, after this returns.
            with contextlib.suppress(SQLAlchemyError, OSError, TimeoutError):
                async with asyncio.timeout(TIMEOUT_SECONDS):
                    await self._conn.execute(
                        text("SELECT pg_advisory_unlock(:key)"), {"key": self.key}
                    )
        await self._drop()
        self._leading = False
        await self.engine.dispose()
