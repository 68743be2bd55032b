"""Two servers with embedded workers on one PostgreSQL database, without Redis: they share
the queue of work through the database (each reconciler pushes every queued variant to
its own queue, so both claim from the same rows), elect one leader with an advisory lock,
and must never deadlock.

200 variants of the offline engine at its smallest size: about 10 s on a quiet machine,
40 s with its two cores shared by other work."""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path

import asyncpg
import httpx
import pytest

from easel.db.migrate import upgrade
from support.client import MODEL
from support.databases import postgres_url
from support.server import ServerProcess, create_token
from support.services import POSTGRES_HOST, POSTGRES_PORT, POSTGRES_USER

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

JOBS = 25
PER_JOB = 8  # 200 variants
LEADING = "leading the cluster's periodic passes"


async def _deadlocks(url: str) -> int:
    name = url.rsplit("/", 1)[1]
    conn = await asyncpg.connect(
        host=POSTGRES_HOST, port=POSTGRES_PORT, user=POSTGRES_USER, database="postgres"
    )
    try:
        return int(
            await conn.fetchval("SELECT deadlocks FROM pg_stat_database WHERE datname = $1", name)
        )
    finally:
        await conn.close()


async def _finish(client: httpx.AsyncClient, job_id: str) -> dict[str, object]:
    # Every half second: 25 jobs polled faster would take the CPU the servers work with.
    for _ in range(240):
        job: dict[str, object] = (await client.get(f"/api/v1/jobs/{job_id}")).json()
        if job["finished_at"] is not None:
            return job
        await asyncio.sleep(0.5)
    raise AssertionError(f"job {job_id} did not finish")


async def test_two_servers_share_one_postgres_without_deadlocks(tmp_path: Path) -> None:
    async with postgres_url() as url:
        env = {
            "EASEL_DATABASE_URL": url,
            "EASEL_STORAGE_URL": (tmp_path / "images").as_uri(),
            "EASEL_OFFLINE_CONCURRENCY": "4",
        }
        servers = [ServerProcess(tmp_path / f"data-{i}", env=env) for i in range(2)]
        # Migrated first, so both start at once (each finds the schema current).
        await asyncio.to_thread(upgrade, url)
        try:
            await asyncio.gather(*(asyncio.to_thread(s.start) for s in servers))
            token = await asyncio.to_thread(create_token, servers[0].data_dir, "pat", url)
            headers = {"Authorization": f"Bearer {token}"}
            clients = [
                httpx.AsyncClient(base_url=s.url, headers=headers, timeout=60) for s in servers
            ]
            try:
                created = await asyncio.gather(
                    *(
                        clients[i % 2].post(
                            "/api/v1/jobs",
                            json={
                                "prompt": f"a red kite over hills, study {i}",
                                "models": [MODEL],
                                "n": PER_JOB,
                                "size": "64x64",
                                "seed": i * PER_JOB,
                            },
                        )
                        for i in range(JOBS)
                    )
                )
                assert all(r.status_code == 202 for r in created), [r.text for r in created]
                jobs = await asyncio.gather(
                    *(_finish(clients[i % 2], r.json()["id"]) for i, r in enumerate(created))
                )
            finally:
                for client in clients:
                    await client.aclose()
            deadlocks = await _deadlocks(url)
            # Read while both run: once the leader stops, the other rightly takes over.
            leaders = sum(LEADING in s.log() for s in servers)
        finally:
            for server in servers:
                server.stop()
        logs = [s.log() for s in servers]
    statuses = Counter(v["status"] for job in jobs for v in job["variants"])  # type: ignore[attr-defined]
    assert statuses == {"succeeded": JOBS * PER_JOB}, (statuses, [log[-3000:] for log in logs])
    assert deadlocks == 0
    assert not [log for log in logs if "deadlock" in log.lower()]
    # Both worked, and one of them (elected by the advisory lock) led the passes.
    assert all("variant succeeded" in log for log in logs)
    assert leaders == 1, [log[-3000:] for log in logs]
