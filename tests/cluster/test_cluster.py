"""A cluster on loopback, every part a real process: PostgreSQL (a database of its own),
a `redis-server` of the test's own, two API servers (`easel serve` with
EASEL_EMBEDDED_WORKERS=false) and three `easel worker` processes, hosted providers
emulated (BFL, Replicate) beside the offline engine.

One test, in phases on the same cluster: progress seen live on the API that did not take
the job; a worker killed mid-run without losing or repeating a paid generation; a cancel
through the other API stopping the variant on its worker through the bus; a provider's
limit held across the workers; a Redis restart losing nothing.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from easel.db.migrate import upgrade
from emulators.bfl import BFLEmulator
from emulators.replicate import ReplicateEmulator
from support.client import LIVE, Received, collect_events, state_changes
from support.cluster import RedisServer, WorkerProcess
from support.databases import postgres_url
from support.server import FAST_PROVIDERS, ServerProcess, create_token

BFL = ("bfl/flux-2-klein-4b", "bfl/flux-2-pro", "bfl/flux-2-max", "bfl/flux-2-klein-9b")
"""One provider (one concurrency limit), several models: a job takes at most 4 of each."""
REPLICATE = "replicate/flux-2-pro"
OFFLINE = "offline/procedural"
LIMIT = 4
CANCEL_BOUND_SECONDS = 4.0
STARTUP_SECONDS = 600
"""Generous: seven Python processes start at once on a machine that may be shared."""

pytestmark = [pytest.mark.postgres, pytest.mark.slow, pytest.mark.timeout(1800)]


async def _until(check: Callable[[], Awaitable[bool]], what: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not await check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


class Cluster:
    def __init__(self, tmp_path: Path, database_url: str, redis: RedisServer) -> None:
        self.tmp_path = tmp_path
        self.database_url = database_url
        self.redis = redis
        self.apis: list[ServerProcess] = []
        self.workers: list[WorkerProcess] = []

    def start(self, env: dict[str, str]) -> None:
        self.workers = [WorkerProcess(self.tmp_path / f"w{i}", env, f"w{i}") for i in range(3)]
        for worker in self.workers:
            worker.launch()
        api_env = {**env, "EASEL_EMBEDDED_WORKERS": "false"}
        self.apis = [ServerProcess(self.tmp_path / f"api{i}", env=api_env) for i in range(2)]
        for api in self.apis:
            api.start(timeout=STARTUP_SECONDS)
        for worker in self.workers:
            worker.wait_started(timeout=STARTUP_SECONDS)

    def stop(self) -> None:
        for part in [*self.apis, *self.workers]:
            part.stop()

    def logs(self) -> str:
        return "\n".join(p.log()[-3000:] for p in [*self.apis, *self.workers])


async def _db(url: str) -> asyncpg.Connection:
    return await asyncpg.connect(url.replace("postgresql+asyncpg", "postgresql"))


async def _finished(client: httpx.AsyncClient, job_id: str, timeout: float = 120) -> dict[str, Any]:
    job: dict[str, Any] = {}

    async def done() -> bool:
        nonlocal job
        job = (await client.get(f"/api/v1/jobs/{job_id}")).json()
        return job["finished_at"] is not None

    await _until(done, f"job {job_id} to finish", timeout)
    return job


def _bfl(n: int) -> list[dict[str, Any]]:
    """``n`` BFL variants spread over its models, four at most each."""
    return [{"model": m, "n": min(4, n - 4 * i)} for i, m in enumerate(BFL) if n > 4 * i]


def _statuses(job: dict[str, Any]) -> list[str]:
    return [v["status"] for v in job["variants"]]


def _errors(job: dict[str, Any]) -> list[tuple[str, str, object]]:
    """The variants that did not succeed, with their errors."""
    return [
        (v["model"], v["status"], v.get("error"))
        for v in job["variants"]
        if v["status"] != "succeeded"
    ]


async def _submit(client: httpx.AsyncClient, models: list[dict[str, Any]], prompt: str) -> str:
    response = await client.post(
        "/api/v1/jobs", json={"prompt": prompt, "models": models, "size": "256x256"}
    )
    assert response.status_code == 202, response.text
    return str(response.json()["id"])


async def test_a_cluster_of_two_apis_and_three_workers(tmp_path: Path) -> None:
    redis = RedisServer(tmp_path / "redis")
    redis.start()
    bfl, replicate = BFLEmulator().start(), ReplicateEmulator().start()
    try:
        async with postgres_url() as url:
            await asyncio.to_thread(upgrade, url)
            env = {
                **FAST_PROVIDERS,
                **bfl.easel_env(),
                **replicate.easel_env(),
                "EASEL_DATABASE_URL": url,
                "EASEL_STORAGE_URL": (tmp_path / "images").as_uri(),
                "EASEL_REDIS_URL": redis.url,
                "EASEL_PROVIDERS__BFL__CONCURRENCY": str(LIMIT),
                # Long leases: a cancel arriving within seconds came through the bus, not
                # through the next lease renewal (every 10 s). A killed worker's variants
                # come back at once all the same: its process is gone from this host.
                "EASEL_LEASE_SECONDS": "30",
                "EASEL_RECONCILE_INTERVAL_SECONDS": "0.5",
                # The machine may be busy: a slow offline render must not time out.
                "EASEL_PROVIDER_TIMEOUT_SECONDS": "60",
            }
            cluster = Cluster(tmp_path, url, redis)
            try:
                await asyncio.to_thread(cluster.start, env)
                token = await asyncio.to_thread(
                    create_token, tmp_path / "api0" / "data", "pat", url
                )
                headers = {"Authorization": f"Bearer {token}"}
                a_url, b_url = (api.url for api in cluster.apis)
                async with (
                    httpx.AsyncClient(base_url=a_url, headers=headers, timeout=30) as a,
                    httpx.AsyncClient(base_url=b_url, headers=headers, timeout=30) as b,
                ):
                    conn = await _db(url)
                    try:
                        await _live_on_b_and_a_worker_killed(a, b, conn, cluster, bfl)
                        await _cancel_through_b(a, b, conn, replicate)
                        await _limit_across_workers(a, bfl)
                        await _redis_restart(a, b, redis, bfl)
                    finally:
                        await conn.close()
            except BaseException:
                print(cluster.logs())
                raise
            finally:
                cluster.stop()
    finally:
        bfl.stop()
        replicate.stop()
        redis.stop()


async def _live_on_b_and_a_worker_killed(
    a: httpx.AsyncClient,
    b: httpx.AsyncClient,
    conn: asyncpg.Connection,
    cluster: Cluster,
    bfl: BFLEmulator,
) -> None:
    bfl.state.task_seconds = 3.0
    job_id = await _submit(a, [*_bfl(6), {"model": OFFLINE, "n": 4}], "a lighthouse at dusk")
    follow = asyncio.create_task(collect_events(b, f"/api/v1/jobs/{job_id}/events", timeout=180))

    async def all_paid_tasks_saved() -> bool:
        saved = await conn.fetchval(
            "SELECT count(*) FROM variants WHERE job_id = $1 AND provider_id = 'bfl'"
            " AND remote_task IS NOT NULL",
            job_id,
        )
        return bool(saved == 6)

    await _until(all_paid_tasks_saved, "every BFL task to be created and saved")
    owners = await conn.fetch(
        "SELECT lease_owner FROM variants WHERE job_id = $1 AND status = 'running'", job_id
    )
    pids = {int(str(row["lease_owner"]).split(":")[1]) for row in owners}
    victim = next(w for w in cluster.workers if w.pid in pids)
    victim.kill()

    job = await _finished(a, job_id)
    events = await follow
    assert _statuses(job) == ["succeeded"] * 10, _errors(job)
    # Exactly one paid creation per BFL variant: the killed worker's tasks were resumed
    # from their saved ids, not created again.
    assert bfl.total_creations == 6
    _assert_live_progress(events)
    # Last-Event-ID resumes on the other replica: A replays exactly what B saw after it.
    seen_on_b = state_changes(events)
    resumed = await collect_events(
        a, f"/api/v1/jobs/{job_id}/events", last_event_id=seen_on_b[2], timeout=30
    )
    assert state_changes(resumed) == seen_on_b[3:]
    print(f"killed worker {victim.pid}, which held {len(owners)} running variants")


def _assert_live_progress(events: list[Received]) -> None:
    """B's stream carried live progress of variants worked by worker processes, each
    before that variant's end, and the job's end."""
    assert events[-1].event == "job.finished"
    ended: dict[str, float] = {
        e.data["variant_id"]: e.at for e in events if e.event == "variant.succeeded"
    }
    live = [e for e in events if e.event in LIVE]
    assert live, [e.event for e in events]
    assert {e.data["variant_id"] for e in live} & set(ended)
    assert all(e.at <= ended.get(e.data["variant_id"], float("inf")) for e in live)


async def _cancel_through_b(
    a: httpx.AsyncClient,
    b: httpx.AsyncClient,
    conn: asyncpg.Connection,
    replicate: ReplicateEmulator,
) -> None:
    replicate.state.task_seconds = 60.0
    job_id = await _submit(a, [{"model": REPLICATE, "n": 1}], "a slow harbour")

    async def polling() -> bool:
        saved = await conn.fetchval(
            "SELECT remote_task IS NOT NULL FROM variants WHERE job_id = $1", job_id
        )
        return bool(saved)

    await _until(polling, "the Replicate prediction to be made and saved")
    started = time.monotonic()
    response = await b.post(f"/api/v1/jobs/{job_id}/cancel")
    assert response.status_code == 200, response.text

    async def vendor_told() -> bool:
        return bool(replicate.canceled_at)

    await _until(vendor_told, "the worker to cancel the prediction at the vendor", 10)
    reached = next(iter(replicate.canceled_at.values())) - started
    job = await _finished(a, job_id)
    assert _statuses(job) == ["canceled"]
    # The worker holding it heard through the bus: its next lease renewal was up to 10 s
    # away. (Well under a second on an idle machine; the bound leaves room for a busy one.)
    assert reached < CANCEL_BOUND_SECONDS, reached
    print(f"cancel through B reached the worker and the vendor in {reached * 1000:.0f} ms")


async def _limit_across_workers(a: httpx.AsyncClient, bfl: BFLEmulator) -> None:
    bfl.state.task_seconds = 0.2
    bfl.create_seconds = 0.3
    bfl.peak_creating = 0
    before = bfl.total_creations
    job_id = await _submit(a, _bfl(16), "a field of poppies")
    job = await _finished(a, job_id)
    bfl.create_seconds = 0.0
    assert _statuses(job) == ["succeeded"] * 16, _errors(job)
    assert bfl.total_creations - before == 16
    # Three workers with four local slots each could have sent twelve at once.
    assert 2 <= bfl.peak_creating <= LIMIT, bfl.peak_creating
    print(f"peak concurrent BFL creations across 3 workers: {bfl.peak_creating}")


async def _redis_restart(
    a: httpx.AsyncClient, b: httpx.AsyncClient, redis: RedisServer, bfl: BFLEmulator
) -> None:
    bfl.state.task_seconds = 2.0
    before = bfl.total_creations
    job_id = await _submit(a, [*_bfl(8), {"model": OFFLINE, "n": 4}], "a castle in the rain")
    follow = asyncio.create_task(collect_events(b, f"/api/v1/jobs/{job_id}/events", timeout=180))

    async def some_created() -> bool:
        return bfl.total_creations > before

    await _until(some_created, "the first BFL creation")
    await asyncio.to_thread(redis.stop)
    await asyncio.sleep(1.0)
    await asyncio.to_thread(redis.start)

    job = await _finished(a, job_id)
    assert _statuses(job) == ["succeeded"] * 12, _errors(job)
    assert bfl.total_creations - before == 8
    # B's stream went back to the log when Redis went away, and still saw the end.
    events = await follow
    assert events[-1].event == "job.finished"
    succeeded = {e.data["variant_id"] for e in events if e.event == "variant.succeeded"}
    assert len(succeeded) == 12
