"""Scale-out: what Redis and `easel worker` processes buy, each figure beside the same
run's baseline without Redis.

Every configuration gets a PostgreSQL database of its own (on the test server,
127.0.0.1:5432) and its own key prefix on one `redis-server` this benchmark starts on a
free port; providers are the BFL emulator in a process of its own with a fixed latency.

a. throughput and p95 variant latency (queued → finished) with 1, 2 and 3 `easel
   worker`s behind one API, 2 s emulated latency; baseline: one `easel serve` with
   embedded workers and no Redis;
b. 1,000 hosted variants in flight (10 s latency) across 3 workers: their RSS and CPU;
   baseline: the same on the single embedded process;
c. SSE delivery p50/p99 to 1,000 subscribers of one job, spread over two API replicas
   (one worker); baseline: one replica without Redis;
d. submit → first event p99 through Redis; baseline: without Redis;
e. the reconciler with 2,000 queued variants: the start-up sweep's time and each later
   sweep's time and transactions (``pg_stat_database`` deltas), with Redis and without;
   baseline: the reconciler of ``--baseline PATH`` (a checkout's ``src``, or
   $EASEL_BENCH_BASELINE) or else of the commit ``--reconciler-baseline`` (default: the
   commit before it became leader-run and pushed only what was lost).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import httpx

from _common import (
    PRODUCTION_TIMINGS,
    ROOT,
    ServerProcess,
    baseline_arg,
    create_token,
    emulator_process,
    percentile,
    submit_jobs,
    summary,
    tree_cpu_seconds,
    tree_rss_bytes,
)
from bench_sse_fanout import WATCHED_JOB, subscriber
from bench_submit_latency import measure as submit_latencies
from easel.db.migrate import upgrade
from support.cluster import RedisServer, WorkerProcess
from support.databases import database_for
from support.services import POSTGRES_HOST, POSTGRES_PORT, POSTGRES_USER

MODELS = [{"model": "bfl/flux-2-pro", "n": 4}, {"model": "bfl/flux-2-klein-4b", "n": 4}]
"""8 hosted variants a job."""
RECONCILER_BASELINE = "f58ef9b"
"""The last commit whose reconciler ran in every process and pushed every queued variant."""


# --- one configuration: a database, and servers and workers on it ------------------------


@contextlib.contextmanager
def database() -> Iterator[tuple[str, str]]:
    """(name, SQLAlchemy URL) of a new migrated database, dropped afterwards."""
    with database_for("postgres") as url:
        upgrade(url)
        yield url.rsplit("/", 1)[1], url


@dataclass
class Stack:
    url: str
    apis: list[ServerProcess]
    workers: list[WorkerProcess] = field(default_factory=list)
    token: str = ""

    @property
    def working_pids(self) -> list[int]:
        """The processes that run variants."""
        parts = self.workers or self.apis
        return [p.process.pid for p in parts if p.process is not None]


@contextlib.contextmanager
def stack(
    root: Path,
    env: dict[str, str],
    *,
    redis: RedisServer | None,
    apis: int = 1,
    workers: int = 0,
) -> Iterator[Stack]:
    """``apis`` `easel serve`s, with embedded workers when ``redis`` is None, otherwise
    API only beside ``workers`` `easel worker`s on that Redis."""
    root.mkdir(parents=True)
    with database() as (_, url):
        env = {**PRODUCTION_TIMINGS, **env, "EASEL_DATABASE_URL": url}
        env["EASEL_STORAGE_URL"] = (root / "images").as_uri()
        if redis is not None:
            env |= {"EASEL_REDIS_URL": redis.url, "EASEL_REDIS_PREFIX": root.name}
            api_env = {**env, "EASEL_EMBEDDED_WORKERS": "false"}
        else:
            api_env = env
        built = Stack(url, [ServerProcess(root / f"api{i}", env=api_env) for i in range(apis)])
        built.workers = [WorkerProcess(root / f"w{i}", env, f"w{i}") for i in range(workers)]
        try:
            for worker in built.workers:
                worker.launch()
            for api in built.apis:
                api.start(timeout=600)
            for worker in built.workers:
                worker.wait_started(timeout=600)
            built.token = create_token(root / "api0", "bench", url)
            yield built
        finally:
            for part in [*built.apis, *built.workers]:
                part.stop()


def _client(server: ServerProcess, token: str, **kwargs: object) -> httpx.AsyncClient:
    headers = {"Authorization": f"Bearer {token}"}
    return httpx.AsyncClient(base_url=server.url, headers=headers, timeout=300, **kwargs)  # type: ignore[arg-type]


async def _submit_jobs(built: Stack, jobs: int, models: list[dict[str, object]]) -> None:
    await submit_jobs(built.apis[0], built.token, jobs, models)


async def _variant_times(url: str) -> tuple[int, list[float], float]:
    """(succeeded, each variant's seconds from queued to finished, seconds from the first
    queued to the last finished)."""
    conn = await asyncpg.connect(url.replace("postgresql+asyncpg", "postgresql"))
    try:
        rows = await conn.fetch(
            "SELECT status, queued_at, finished_at FROM variants WHERE finished_at IS NOT NULL"
        )
    finally:
        await conn.close()
    spans = [(r["finished_at"] - r["queued_at"]).total_seconds() for r in rows]
    wall = (max(r["finished_at"] for r in rows) - min(r["queued_at"] for r in rows)).total_seconds()
    return sum(r["status"] == "succeeded" for r in rows), spans, wall


async def _unfinished(url: str) -> int:
    conn = await asyncpg.connect(url.replace("postgresql+asyncpg", "postgresql"))
    try:
        return int(await conn.fetchval("SELECT count(*) FROM variants WHERE finished_at IS NULL"))
    finally:
        await conn.close()


def _wait_done(url: str, timeout: float = 1800) -> None:
    deadline = time.monotonic() + timeout
    while asyncio.run(_unfinished(url)):
        if time.monotonic() > deadline:
            raise RuntimeError("variants still unfinished")
        time.sleep(0.5)


# --- a. throughput ------------------------------------------------------------------------


def throughput(root: Path, bfl: dict[str, str], redis: RedisServer, variants: int) -> None:
    jobs = variants // 8
    env = {**bfl, "EASEL_PROVIDERS__BFL__CONCURRENCY": "256"}
    runs: list[tuple[str, int | None]] = [("embedded, no Redis (baseline)", None)]
    runs += [(f"{n} worker{'s' if n > 1 else ''} + Redis", n) for n in (1, 2, 3)]
    for label, workers in runs:
        with stack(
            root / f"a{workers or 0}",
            env,
            redis=redis if workers else None,
            workers=workers or 0,
        ) as built:
            started = time.monotonic()
            asyncio.run(_submit_jobs(built, jobs, MODELS))
            _wait_done(built.url)
            elapsed = time.monotonic() - started
            ok, spans, wall = asyncio.run(_variant_times(built.url))
        print(
            f"a. {label:<30} {ok}/{jobs * 8} succeeded, {ok / wall:5.1f} variants/s "
            f"(first queued to last finished {wall:.1f} s; submit to done {elapsed:.1f} s), "
            f"variant latency p50 {percentile(spans, 0.5):.2f} s "
            f"p95 {percentile(spans, 0.95):.2f} s",
            flush=True,
        )


# --- b. 1,000 hosted variants in flight ---------------------------------------------------


def in_flight(root: Path, bfl: dict[str, str], redis: RedisServer, variants: int) -> None:
    env = {**bfl, "EASEL_PROVIDERS__BFL__CONCURRENCY": "256"}
    for label, workers in (("embedded, no Redis (baseline)", 0), ("3 workers + Redis", 3)):
        with stack(
            root / f"b{workers}", env, redis=redis if workers else None, workers=workers
        ) as built:
            pids = built.working_pids
            peaks = [tree_rss_bytes(pid) for pid in pids]
            stop = threading.Event()

            def sample(
                pids: list[int] = pids, peaks: list[int] = peaks, stop: threading.Event = stop
            ) -> None:
                while not stop.wait(0.25):
                    for i, pid in enumerate(pids):
                        peaks[i] = max(peaks[i], tree_rss_bytes(pid))

            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
            cpu_before, started = [tree_cpu_seconds(p) for p in pids], time.monotonic()
            asyncio.run(_submit_jobs(built, variants // 8, MODELS))
            _wait_done(built.url)
            elapsed = time.monotonic() - started
            cpu = [tree_cpu_seconds(p) - c for p, c in zip(pids, cpu_before, strict=True)]
            stop.set()
            sampler.join()
            ok, _, _ = asyncio.run(_variant_times(built.url))
        print(
            f"b. {label:<30} {ok}/{variants} succeeded in {elapsed:.1f} s; peak RSS "
            f"{' + '.join(f'{p / 2**20:.0f}' for p in peaks)} = {sum(peaks) / 2**20:.0f} MB; "
            f"CPU {' + '.join(f'{c:.1f}' for c in cpu)} = {sum(cpu):.1f} s "
            f"({sum(cpu) / elapsed:.2f} cores on average)",
            flush=True,
        )


# --- c. SSE fan-out over replicas ---------------------------------------------------------


async def _fan_out(built: Stack, subscribers: int) -> list[float]:
    limits = httpx.Limits(max_connections=subscribers + 10, max_keepalive_connections=subscribers)
    clients = [_client(api, built.token, limits=limits) for api in built.apis]
    try:
        # Keeps the one worker busy until every subscriber is connected, then is canceled,
        # so the measured job runs whole in front of all of them (a worker process of its
        # own could otherwise finish a shorter blocker while the 1,000 still connect).
        blocker = {"prompt": "a long blocking job", "models": ["offline/procedural"], "n": 8}
        blocking = await clients[0].post("/api/v1/jobs", json={**blocker, "size": "2048x2048"})
        assert blocking.status_code == 202, blocking.text
        created = await clients[0].post("/api/v1/jobs", json=WATCHED_JOB)
        events_url = created.json()["events_url"]
        ready, connected, latencies = asyncio.Event(), [], []  # type: ignore[var-annotated]
        connecting = asyncio.Semaphore(50)
        tasks = [
            asyncio.create_task(
                subscriber(
                    clients[i % len(clients)], events_url, ready, connected, latencies, connecting
                )
            )
            for i in range(subscribers)
        ]
        while len(connected) < subscribers:
            await asyncio.sleep(0.05)
        ready.set()
        await clients[0].post(f"/api/v1/jobs/{blocking.json()['id']}/cancel")
        await asyncio.wait_for(asyncio.gather(*tasks), 900)
        return latencies
    finally:
        for client in clients:
            await client.aclose()


def fan_out(root: Path, redis: RedisServer, subscribers: int) -> None:
    env = {"EASEL_OFFLINE_CONCURRENCY": "1"}
    for label, apis in (("1 replica, no Redis (baseline)", 1), ("2 replicas + Redis", 2)):
        with stack(
            root / f"c{apis}",
            env,
            redis=redis if apis > 1 else None,
            apis=apis,
            workers=1 if apis > 1 else 0,
        ) as built:
            latencies = asyncio.run(_fan_out(built, subscribers))
        print(f"c. {summary(f'{label}: delivery to {subscribers} subscribers', latencies)}")


# --- d. submit → first event --------------------------------------------------------------


def first_event(root: Path, redis: RedisServer) -> None:
    for label, workers in (("embedded, no Redis (baseline)", 0), ("API + 1 worker + Redis", 1)):
        with stack(
            root / f"d{workers}", {}, redis=redis if workers else None, workers=workers
        ) as built:
            latencies = asyncio.run(submit_latencies(built.apis[0], built.token))
        print(f"d. {summary(f'{label}: submit to first event', latencies)}")


# --- e. the reconciler --------------------------------------------------------------------

_SWEEPS = """
import asyncio, json, sys, time
import asyncpg
from easel.config import Settings
from easel.services import build_services

async def stats(name):
    conn = await asyncpg.connect(host={host!r}, port={port!r}, user={user!r}, database="postgres")
    try:
        row = await conn.fetchrow(
            "SELECT xact_commit, xact_rollback FROM pg_stat_database WHERE datname = $1", name)
        return row["xact_commit"], row["xact_rollback"]
    finally:
        await conn.close()

async def main(name, sweeps):
    services = build_services(Settings())
    try:
        started = time.perf_counter()
        pushed = await services.reconciler.sweep()
        first = time.perf_counter() - started
        later = []
        for _ in range(sweeps):
            await asyncio.sleep(1.5)  # PostgreSQL reports a session's counts once a second
            before = await stats(name)
            started = time.perf_counter()
            again = await services.reconciler.sweep()
            took = time.perf_counter() - started
            await asyncio.sleep(1.5)
            after = await stats(name)
            later.append([took, after[0] - before[0], after[1] - before[1], again])
        print(json.dumps({{"first": first, "pushed": pushed, "later": later}}))
    finally:
        await services.aclose()

asyncio.run(main(sys.argv[1], int(sys.argv[2])))
"""


def _sweeps(src: Path, env: dict[str, str], name: str, sweeps: int) -> dict[str, object]:
    code = _SWEEPS.format(host=POSTGRES_HOST, port=POSTGRES_PORT, user=POSTGRES_USER)
    clean = {k: v for k, v in os.environ.items() if not k.startswith("EASEL_")}
    done = subprocess.run(
        [sys.executable, "-c", code, name, str(sweeps)],
        env={**clean, **env, "PYTHONPATH": str(src)},
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise RuntimeError(done.stderr[-3000:])
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _export(commit: str, into: Path) -> Path:
    """The ``src`` folder of ``commit``, written out of git."""
    into.mkdir(parents=True)
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", commit, "src"], capture_output=True, check=True
    )
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive.stdout, check=True)
    return into / "src"


def reconciler(
    root: Path, redis: RedisServer, queued: int, sweeps: int, baseline: Path | str | None
) -> None:
    env = {"EASEL_MAX_QUEUED_VARIANTS_PER_USER": str(queued * 2)}
    root.mkdir(parents=True)
    with database() as (name, url):
        filler = ServerProcess(
            root / "api",
            env={
                **env,
                "EASEL_DATABASE_URL": url,
                "EASEL_EMBEDDED_WORKERS": "false",  # they stay queued
                "EASEL_STORAGE_URL": (root / "images").as_uri(),
            },
        )
        filler.start(timeout=600)
        try:
            built = Stack(url, [filler], token=create_token(root / "api", "bench", url))
            models = [{"model": "offline/procedural", "n": 8}]
            asyncio.run(_submit_jobs(built, queued // 8, models))
        finally:
            filler.stop()
        common = {
            **env,
            "EASEL_DATABASE_URL": url,
            "EASEL_DATA_DIR": str(root / "sweeper"),
            "EASEL_STORAGE_URL": (root / "images").as_uri(),
        }
        runs: list[tuple[str, Path, dict[str, str]]] = []
        if isinstance(baseline, Path):
            runs.append((f"{baseline}, no Redis (baseline)", baseline.resolve(), common))
        elif baseline:
            old = _export(baseline, root / "baseline")
            runs.append((f"{baseline}, no Redis (baseline)", old, common))
        here = ROOT / "src"
        runs.append(("this checkout, no Redis", here, common))
        redis_env = {**common, "EASEL_REDIS_URL": redis.url, "EASEL_REDIS_PREFIX": "e-sweep"}
        runs.append(("this checkout + Redis", here, redis_env))
        for label, src, run_env in runs:
            result = _sweeps(src, run_env, name, sweeps)
            later: list[list[float]] = result["later"]  # type: ignore[assignment]
            took = [row[0] * 1000 for row in later]
            commits = [row[1] for row in later]
            rollbacks = [row[2] for row in later]
            print(
                f"e. {label:<32} start-up sweep {float(result['first']) * 1000:7.1f} ms "  # type: ignore[arg-type]
                f"(pushed {result['pushed']}); later sweeps: median "
                f"{percentile(took, 0.5):6.1f} ms, transactions each: commits "
                f"{min(commits):.0f}–{max(commits):.0f}, rollbacks (reads) "
                f"{min(rollbacks):.0f}–{max(rollbacks):.0f}, pushed {later[-1][3]:.0f}",
                flush=True,
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parts", default="abcde", help="which parts to run (default: abcde)")
    parser.add_argument("--variants", type=int, default=400, help="part a's variants")
    parser.add_argument("--in-flight", type=int, default=1000, help="part b's variants")
    parser.add_argument("--subscribers", type=int, default=1000, help="part c's subscribers")
    parser.add_argument("--queued", type=int, default=2000, help="part e's queued variants")
    parser.add_argument("--sweeps", type=int, default=5, help="part e's measured sweeps")
    parser.add_argument(
        "--reconciler-baseline",
        default=RECONCILER_BASELINE,
        help=f"commit whose reconciler part e measures as baseline ('' for none; "
        f"default {RECONCILER_BASELINE})",
    )
    baseline_arg(parser)
    args = parser.parse_args()
    print(f"load average at start: {os.getloadavg()}", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        redis = RedisServer(root / "redis")
        redis.start()
        try:
            if "a" in args.parts:
                with emulator_process("bfl", "BFLEmulator", task_seconds=2.0) as bfl:
                    throughput(root, _bfl_env(bfl.base_url), redis, args.variants)
            if "b" in args.parts:
                with emulator_process("bfl", "BFLEmulator", task_seconds=10.0) as bfl:
                    in_flight(root, _bfl_env(bfl.base_url), redis, args.in_flight)
            if "c" in args.parts:
                fan_out(root, redis, args.subscribers)
            if "d" in args.parts:
                first_event(root, redis)
            if "e" in args.parts:
                old = args.baseline or args.reconciler_baseline
                reconciler(root / "e", redis, args.queued, args.sweeps, old)
        finally:
            redis.stop()
    print(f"load average at end: {os.getloadavg()}", flush=True)


def _bfl_env(base_url: str) -> dict[str, str]:
    return {"BFL_API_KEY": "test-key", "EASEL_PROVIDERS__BFL__BASE_URL": base_url}


if __name__ == "__main__":
    main()
