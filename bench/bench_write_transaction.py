"""What one SQLite write transaction costs in CPU, and how much of it is SQLite's.

The same small transaction (three reads by primary key and two updates, on a real WAL
file) is run in a loop through Easel's `Database` (its write engine and SQLite driver)
in four ways, and once through the sqlite3 module directly:

* **session**: ``db.transaction()`` and ``await session.execute`` per statement, as the
  variant transitions run;
* **connection**: a Core connection from the write engine, ``await conn.execute``;
* **session, one greenlet** / **connection, one greenlet**: the same statements in one
  synchronous function handed to ``run_sync``, so SQLAlchemy starts one greenlet for the
  transaction instead of one per statement;
* **sqlite3 directly**: the statements with the ``BEGIN IMMEDIATE`` (and the busy-timeout
  pragmas around it) and ``COMMIT`` Easel's driver sends, without SQLAlchemy.

It prints the median CPU per transaction of each (over rounds that take turns), and of
a one-statement transaction.
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import uvloop
from sqlalchemy import (
    Column,
    Connection,
    Integer,
    MetaData,
    String,
    Table,
    bindparam,
    insert,
    select,
    update,
)
from sqlalchemy.orm import Session

from easel.db.engine import Database

ROUNDS = 7
"""Turns each way takes; the median of its rounds is printed."""

_META = MetaData()
_ROWS = Table("rows", _META, Column("id", String(32), primary_key=True), Column("n", Integer))
_READ = select(_ROWS).where(_ROWS.c.id == bindparam("key"))
_WRITE = update(_ROWS).where(_ROWS.c.id == bindparam("key")).values(n=bindparam("value"))


def _statements(run: Callable[..., Any]) -> None:
    for index in range(3):
        run(_READ, {"key": f"r{index}"}).all()
    run(_WRITE, {"key": "r1", "value": 5})
    run(_WRITE, {"key": "r2", "value": 5})


def _in_session(session: Session) -> None:
    _statements(session.execute)


def _on_connection(connection: Connection) -> None:
    _statements(connection.execute)


def _ways(db: Database) -> dict[str, Callable[[], Awaitable[None]]]:
    async def session() -> None:
        async with db.transaction() as s:
            for index in range(3):
                (await s.execute(_READ, {"key": f"r{index}"})).all()
            await s.execute(_WRITE, {"key": "r1", "value": 5})
            await s.execute(_WRITE, {"key": "r2", "value": 5})

    async def connection() -> None:
        async with db.write_engine.begin() as c:
            for index in range(3):
                (await c.execute(_READ, {"key": f"r{index}"})).all()
            await c.execute(_WRITE, {"key": "r1", "value": 5})
            await c.execute(_WRITE, {"key": "r2", "value": 5})

    async def session_one_greenlet() -> None:
        async with db.transaction() as s:
            await s.run_sync(_in_session)

    async def connection_one_greenlet() -> None:
        async with db.write_engine.begin() as c:
            await c.run_sync(_on_connection)

    async def one_statement() -> None:
        async with db.transaction() as s:
            await s.execute(_WRITE, {"key": "r1", "value": 5})

    return {
        "session": session,
        "connection": connection,
        "session, one greenlet": session_one_greenlet,
        "connection, one greenlet": connection_one_greenlet,
        "session, one statement": one_statement,
    }


async def _through_easel(path: Path, count: int) -> dict[str, float]:
    db = Database(f"sqlite+aiosqlite:///{path}")
    async with db.write_engine.begin() as c:
        await c.run_sync(_META.create_all)
        await c.execute(insert(_ROWS), [{"id": f"r{i}", "n": 0} for i in range(10)])
    ways = _ways(db)
    samples: dict[str, list[float]] = {name: [] for name in ways}
    try:
        for way in ways.values():
            for _ in range(count // 10):  # warm the statement caches
                await way()
        # Rounds taking turns, so a busy moment of the machine falls on all of them.
        for _ in range(ROUNDS):
            for name, way in ways.items():
                started = time.process_time()
                for _ in range(count // ROUNDS):
                    await way()
                samples[name].append((time.process_time() - started) / (count // ROUNDS))
    finally:
        await db.dispose()
    return {name: statistics.median(taken) for name, taken in samples.items()}


def _sqlite_directly(path: Path, count: int) -> float:
    raw = sqlite3.connect(path, isolation_level=None)
    try:
        started = time.process_time()
        for _ in range(count):
            raw.execute("PRAGMA busy_timeout=0")
            raw.execute("BEGIN IMMEDIATE")
            raw.execute("PRAGMA busy_timeout=60000")
            for index in range(3):
                raw.execute("SELECT id, n FROM rows WHERE id = ?", (f"r{index}",)).fetchall()
            raw.execute("UPDATE rows SET n = ? WHERE id = ?", (5, "r1"))
            raw.execute("UPDATE rows SET n = ? WHERE id = ?", (5, "r2"))
            raw.execute("COMMIT")
        return (time.process_time() - started) / count
    finally:
        raw.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--transactions", type=int, default=3000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.db"
        cpu = uvloop.run(_through_easel(path, args.transactions))
        cpu["sqlite3 directly"] = _sqlite_directly(path, args.transactions)
    for name, seconds in cpu.items():
        print(f"{name:<26} {seconds * 1e6:7.0f} µs of CPU per transaction")


if __name__ == "__main__":
    main()
