"""The SQLite driver's transactions: where their statements run, waiting for another
process's write lock without stalling the event loop, rollback, and checkpoints.

A real SQLite file; the thread hops are counted at aiosqlite's one entry point to its
connection thread.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text

from easel.db.engine import Database
from easel.db.sqlite_driver import CHECKPOINT_EVERY
from support.sqlite_hops import Hop, names, record_hops


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[tuple[Database, Path]]:
    path = tmp_path / "driver.db"
    db = Database(f"sqlite+aiosqlite:///{path}")
    async with db.transaction() as session:
        await session.execute(text("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)"))
    try:
        yield db, path
    finally:
        await db.dispose()


@pytest.fixture
def hops(monkeypatch: pytest.MonkeyPatch) -> list[Hop]:
    recorded: list[Hop] = []
    record_hops(monkeypatch, recorded)
    return recorded


def _bodies(path: Path) -> list[str]:
    with sqlite3.connect(path) as other:
        return [row[0] for row in other.execute("SELECT body FROM notes ORDER BY id")]


async def test_a_write_transaction_runs_without_a_thread_hop_and_commits(
    database: tuple[Database, Path], hops: list[Hop]
) -> None:
    db, path = database
    async with db.transaction() as session:
        await session.execute(text("INSERT INTO notes (body) VALUES ('first')"))
        await session.execute(text("UPDATE notes SET body = 'kept' WHERE body = 'first'"))
    assert names(hops) == []
    assert _bodies(path) == ["kept"]  # committed: another connection reads it


async def test_a_read_session_hops_once_per_statement(
    database: tuple[Database, Path], hops: list[Hop]
) -> None:
    db, _ = database
    async with db.session() as warm:  # the pool's first connection sets its pragmas
        await warm.execute(text("SELECT 1"))
    hops.clear()
    async with db.session() as session:
        await session.execute(text("SELECT count(*) FROM notes"))
        await session.execute(text("SELECT count(*) FROM notes"))
    # BEGIN rides with the first statement; ending the read needs no hop.
    assert names(hops) == ["_run", "_run"]


async def test_a_failed_transaction_rolls_back_and_the_next_one_works(
    database: tuple[Database, Path],
) -> None:
    db, path = database
    with pytest.raises(RuntimeError):
        async with db.transaction() as session:
            await session.execute(text("INSERT INTO notes (body) VALUES ('lost')"))
            raise RuntimeError("the caller gave up")
    async with db.transaction() as session:
        await session.execute(text("INSERT INTO notes (body) VALUES ('after')"))
    assert _bodies(path) == ["after"]


async def test_a_write_waits_off_the_loop_while_another_process_holds_the_lock(
    database: tuple[Database, Path], hops: list[Hop]
) -> None:
    db, path = database
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("INSERT INTO notes (body) VALUES ('other process')")

    async def write() -> None:
        async with db.transaction() as session:
            await session.execute(text("INSERT INTO notes (body) VALUES ('ours')"))

    writing = asyncio.create_task(write())
    ticks = 0
    while not hops:  # the BEGIN went to the connection's thread to wait there
        await asyncio.sleep(0.01)
    for _ in range(20):  # and the loop keeps running meanwhile
        await asyncio.sleep(0.01)
        ticks += 1
    assert ticks == 20 and not writing.done()
    holder.execute("COMMIT")
    holder.close()
    await asyncio.wait_for(writing, 30)
    assert _bodies(path) == ["other process", "ours"]


async def test_the_log_is_checkpointed_every_so_many_commits_after_the_commit(
    database: tuple[Database, Path], hops: list[Hop]
) -> None:
    db, path = database
    commits = 4 * CHECKPOINT_EVERY + 10
    for index in range(commits):
        async with db.transaction() as session:
            await session.execute(
                text("INSERT INTO notes (body) VALUES (:body)"), {"body": f"{index:04d}" * 900}
            )
        # The transactions made no hop; only the checkpoints did, each run once the
        # committing transaction had handed the connection back.
        committed = index + 2  # the fixture's CREATE TABLE was the first commit
        assert set(names(hops)) <= {"_execute"}
        assert len(hops) in ((committed - 1) // CHECKPOINT_EVERY, committed // CHECKPOINT_EVERY)
        await asyncio.sleep(0)  # a server's loop turns between requests
    await db.dispose()  # waits for a checkpoint still running (and closes: a hop more)
    assert names(hops).count("_execute") == (commits + 1) // CHECKPOINT_EVERY
    with sqlite3.connect(path) as other:
        busy, frames, _ = other.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    # Each commit appends at least one page to the log: without the checkpoints, or with
    # checkpoints that never let the log start over, it would hold every one of them.
    assert busy == 0
    assert frames < commits / 2, f"{frames} frames in the log after {commits} commits"
