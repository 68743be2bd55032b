"""Readiness: can this process do its work now? The database, Redis (when configured)
and the image store each answer a cheap round trip within a time limit."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from sqlalchemy import text

from easel.db.engine import Database
from easel.storage.base import ImageStore

CHECK_SECONDS = 3.0
"""A dependency slower than this is as good as down for a load balancer's probe."""


@dataclass(frozen=True)
class Outcome:
    name: str
    ok: bool
    detail: str


async def check_all(db: Database, store: ImageStore, redis_url: str) -> list[Outcome]:
    checks: dict[str, Callable[[], Awaitable[None]]] = {
        "database": lambda: _database(db),
        "storage": store.check,
    }
    if redis_url:
        checks["redis"] = lambda: ping_redis(redis_url)
    outcomes = await asyncio.gather(*(_run(name, check) for name, check in checks.items()))
    return list(outcomes)


async def _run(name: str, check: Callable[[], Awaitable[None]]) -> Outcome:
    try:
        async with asyncio.timeout(CHECK_SECONDS):
            await check()
    except TimeoutError:
        return Outcome(name, False, f"no answer within {CHECK_SECONDS:g} s")
    except Exception as exc:  # any failure means not ready; its text says which
        return Outcome(name, False, str(exc) or type(exc).__name__)
    return Outcome(name, True, "ok")


async def _database(db: Database) -> None:
    async with db.session() as session:
        await session.execute(text("SELECT 1"))


async def ping_redis(url: str) -> None:
    """PING over RESP (with AUTH when the URL has a password); raises unless PONG."""
    parts = urlsplit(url)
    if parts.scheme not in ("redis", "rediss"):
        raise ValueError(f"unsupported Redis URL scheme {parts.scheme!r}")
    reader, writer = await asyncio.open_connection(
        parts.hostname or "127.0.0.1", parts.port or 6379, ssl=parts.scheme == "rediss"
    )
    try:
        if parts.password:
            auth = [parts.username, parts.password] if parts.username else [parts.password]
            writer.write(_command("AUTH", *(unquote(a) for a in auth)))
            await _expect_ok(reader, "+OK")
        writer.write(_command("PING"))
        await _expect_ok(reader, "+PONG")
    finally:
        writer.close()
        await writer.wait_closed()


def _command(*words: str) -> bytes:
    encoded = [w.encode() for w in words]
    return f"*{len(encoded)}\r\n".encode() + b"".join(
        b"$%d\r\n%s\r\n" % (len(w), w) for w in encoded
    )


async def _expect_ok(reader: asyncio.StreamReader, expected: str) -> None:
    reply = (await reader.readline()).decode(errors="replace").strip()
    if reply != expected:
        raise ConnectionError(f"Redis answered {reply or 'nothing'!r}")
