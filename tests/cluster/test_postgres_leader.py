"""Leadership of the periodic passes without Redis: a PostgreSQL advisory lock.

Sessions first (two leaderships in this process, each its own connection), then two
`easel worker` processes without Redis on one database: one leads, and when it stops the
other takes over.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path

import asyncpg
import pytest

from easel.cluster.postgres_leader import PostgresLeadership
from easel.db.migrate import upgrade
from support.cluster import WorkerProcess
from support.databases import postgres_url

pytestmark = pytest.mark.postgres

LEADING = "leading the cluster's periodic passes"
ADVISORY_LOCKS_HERE = (
    "SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database"
    " WHERE l.locktype = 'advisory' AND l.granted AND d.datname = current_database()"
)


async def test_one_session_leads_until_it_closes() -> None:
    async with postgres_url() as url:
        first, second = PostgresLeadership(url), PostgresLeadership(url)
        try:
            assert await first.held()
            assert not await second.held()
            assert await first.held()  # a leader keeps leading, pass after pass
            assert not await second.held()
            await first.aclose()
            assert await second.held()
        finally:
            await first.aclose()
            await second.aclose()


async def test_a_leader_whose_session_is_lost_is_replaced() -> None:
    async with postgres_url() as url:
        first, second = PostgresLeadership(url), PostgresLeadership(url)
        admin = await asyncpg.connect(url.replace("postgresql+asyncpg", "postgresql"))
        try:
            assert await first.held()
            assert not await second.held()
            # The server ends the leader's session, as when its connection is cut (only
            # in this test's database: other databases' leaders are not ours to end).
            terminated = await admin.fetchval(
                "SELECT count(pg_terminate_backend(l.pid)) FROM pg_locks l"
                " JOIN pg_database d ON d.oid = l.database"
                " WHERE l.locktype = 'advisory' AND l.granted AND l.pid <> pg_backend_pid()"
                " AND d.datname = current_database()"
            )
            assert terminated == 1
            # pg_terminate_backend only signals the backend: the lock is free once it
            # has exited.
            deadline = time.monotonic() + 10
            while await admin.fetchval(ADVISORY_LOCKS_HERE) and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            assert await second.held()
            assert not await first.held()  # it notices, and the lock is taken meanwhile
            assert not await first.held()
            await second.aclose()
            assert await first.held()  # and it leads again on a new session
        finally:
            await admin.close()
            await first.aclose()
            await second.aclose()


def _until(check: Callable[[], bool], what: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


@pytest.mark.slow
async def test_two_worker_processes_elect_one_leader(tmp_path: Path) -> None:
    async with postgres_url() as url:
        await asyncio.to_thread(upgrade, url)
        env = {"EASEL_DATABASE_URL": url, "EASEL_RECONCILE_INTERVAL_SECONDS": "0.3"}
        workers = [WorkerProcess(tmp_path / f"w{i}", env, f"w{i}") for i in range(2)]
        try:
            for worker in workers:
                worker.launch()
            for worker in workers:
                await asyncio.to_thread(worker.wait_started)
            leaders = [w for w in workers if LEADING in w.log()]
            assert len(leaders) == 1, [w.log() for w in workers]
            leader = leaders[0]
            (other,) = (w for w in workers if w is not leader)
            await asyncio.sleep(2)  # a few passes: still one leader
            assert LEADING not in other.log(), other.log()
            await asyncio.to_thread(leader.stop)
            await asyncio.to_thread(
                _until, lambda: LEADING in other.log(), "the other worker to lead"
            )
        finally:
            for worker in workers:
                await asyncio.to_thread(worker.stop)
