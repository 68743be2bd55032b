"""Fresh, migrated databases for tests: a SQLite file or a new PostgreSQL database."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path

import asyncpg

from easel.db.migrate import upgrade
from support.services import POSTGRES_HOST, POSTGRES_PORT, POSTGRES_USER, require_service


async def _admin(sql: str) -> None:
    conn = await asyncpg.connect(
        host=POSTGRES_HOST, port=POSTGRES_PORT, user=POSTGRES_USER, database="postgres"
    )
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@asynccontextmanager
async def postgres_url() -> AsyncIterator[str]:
    """A new empty PostgreSQL database, dropped afterwards."""
    require_service("PostgreSQL", POSTGRES_HOST, POSTGRES_PORT)
    name = f"easel_test_{secrets.token_hex(6)}"
    await _admin(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+asyncpg://{POSTGRES_USER}@{POSTGRES_HOST}:{POSTGRES_PORT}/{name}"
    finally:
        await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def database_for(kind: str) -> Iterator[str]:
    """For server tests: '' (the server's default SQLite file) or a new PostgreSQL URL."""
    if kind == "sqlite":
        yield ""
        return
    require_service("PostgreSQL", POSTGRES_HOST, POSTGRES_PORT)
    name = f"easel_test_{secrets.token_hex(6)}"
    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    try:
        yield f"postgresql+asyncpg://{POSTGRES_USER}@{POSTGRES_HOST}:{POSTGRES_PORT}/{name}"
    finally:
        asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def sqlite_url(directory: Path) -> str:
    return f"sqlite+aiosqlite:///{directory / 'easel.db'}"


@asynccontextmanager
async def migrated(kind: str, directory: Path) -> AsyncIterator[str]:
    """A database of ``kind`` ('sqlite' or 'postgres') at the latest migration."""
    if kind == "sqlite":
        url = sqlite_url(directory)
        await asyncio.to_thread(upgrade, url)
        yield url
        return
    async with postgres_url() as url:
        await asyncio.to_thread(upgrade, url)
        yield url
