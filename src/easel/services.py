"""build_services(settings): the one place where implementations are chosen and wired."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from functools import partial

import httpx

from easel.assist.catalog import AssistCatalog
from easel.assist.service import AssistService
from easel.cluster.leader import Leadership, SoleProcess
from easel.config import Settings
from easel.db.engine import Database
from easel.engine.background import Background
from easel.engine.fresh import FreshVariants
from easel.engine.handoff import ImageHandoff
from easel.engine.jobs import JobService
from easel.engine.model_check import ModelCheck
from easel.engine.queue import InProcessQueue, VariantQueue
from easel.engine.reconciler import Reconciler
from easel.engine.retry import GateFactory, ProviderGate
from easel.engine.runner import Runner
from easel.engine.worker import Worker
from easel.events.bus import EventBus, InProcessEventBus
from easel.events.log_reads import LogReads
from easel.providers import Catalog
from easel.providers.pool import provider_client
from easel.storage.base import ImageStore
from easel.storage.collector import Collector
from easel.storage.factory import open_image_store, staging_for
from easel.storage.keeper import ImageKeeper
from easel.storage.local import LocalImageStore
from easel.storage.s3 import s3_options_from_env
from easel.storage.staging import Staging
from easel.webhooks.delivery import Dispatcher


@dataclass
class Cluster:
    """What API servers and workers share: embedded (the defaults), or on Redis."""

    bus: EventBus = field(default_factory=InProcessEventBus)
    queue: VariantQueue = field(default_factory=InProcessQueue)
    leader: Leadership = field(default_factory=SoleProcess)
    gate: GateFactory = ProviderGate
    closing: tuple[Callable[[], Awaitable[None]], ...] = ()

    async def aclose(self) -> None:
        for close in self.closing:
            await close()


@dataclass
class Services:
    settings: Settings
    db: Database
    store: ImageStore
    bus: EventBus
    log_reads: LogReads
    queue: VariantQueue
    catalog: Catalog
    http: httpx.AsyncClient
    worker: Worker
    handoff: ImageHandoff
    jobs: JobService
    reconciler: Reconciler
    webhooks: Dispatcher
    model_check: ModelCheck
    staging: Staging
    keeper: ImageKeeper
    collector: Collector
    assist: AssistService
    cluster: Cluster = field(default_factory=Cluster)
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)
    background: Background = field(default_factory=Background)

    async def start_workers(self) -> None:
        """Run workers and the periodic passes in this process (`easel worker`, or
        `easel serve` with embedded workers). With Redis, reconciling and collecting run
        in one process of the cluster at a time (the leader)."""
        if isinstance(self.store, LocalImageStore):
            await self.store.remove_stale_staging()
        await self.bus.open()
        await self.reconciler.sweep()
        self._tasks.append(asyncio.create_task(self.queue.consume(self.worker.handle)))
        self.background.every(self.reconciler.interval, self.reconciler.sweep, what="reconciling")
        self.background.every(
            self.webhooks.poll_seconds, self.webhooks.drain, what="delivering webhooks"
        )
        self.background.every(self.collector.interval, self._collect, what="collecting images")

    async def _collect(self) -> None:
        if await self.cluster.leader.held():
            await self.collector.collect_and_sweep()

    def start_model_check(self) -> None:
        """Check the vendors' model lists on a schedule (the `check_models` setting)."""
        self.background.every(
            self.model_check.seconds_until_due,
            self.model_check.check_when_due,
            what="checking the vendors' models",
        )

    async def aclose(self) -> None:
        await self.background.stop()
        if self._tasks:
            await self.worker.hand_back()
        await self.worker.aclose()
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()
        await self.catalog.aclose()
        await self.assist.aclose()
        await self.webhooks.aclose()
        await self.http.aclose()
        await self.queue.aclose()
        await self.cluster.aclose()
        await self.bus.aclose()
        await self.store.aclose()
        await self.db.dispose()


def build_services(
    settings: Settings, *, catalog: Catalog | None = None, store: ImageStore | None = None
) -> Services:
    """Everything wired from ``settings``; ``catalog`` and ``store`` replace the configured
    ones (tests wrap a real store to make it fail)."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    db = Database(settings.resolved_database_url)
    if store is None:
        options = s3_options_from_env(settings.environ)
        store = open_image_store(settings.resolved_storage_url, options)
    staging = staging_for(store, settings.data_dir)
    cluster = cluster_parts(settings, db)
    bus, queue = cluster.bus, cluster.queue
    catalog = catalog or Catalog.load(settings)
    http = provider_client(settings)
    assist = AssistService(
        settings=settings,
        db=db,
        bus=bus,
        store=store,
        images=catalog,
        catalog=AssistCatalog.load(settings),
        http=assist_client(settings),
    )
    runner = Runner(settings=settings, http=http, staging=staging)
    keeper = ImageKeeper(
        db=db, store=store, staging=staging, retry_seconds=settings.storage_retry_seconds
    )
    handoff = ImageHandoff()
    fresh = FreshVariants()
    worker = Worker(
        settings=settings,
        db=db,
        bus=bus,
        store=store,
        catalog=catalog,
        runner=runner,
        keeper=keeper,
        handoff=handoff,
        gate=cluster.gate,
        fresh=fresh,
    )
    jobs = JobService(
        settings=settings,
        db=db,
        bus=bus,
        queue=queue,
        catalog=catalog,
        store=store,
        keeper=keeper,
        fresh=fresh,
    )
    reconciler = Reconciler(
        db=db,
        bus=bus,
        queue=queue,
        interval=settings.reconcile_interval_seconds,
        leader=cluster.leader,
    )
    return Services(
        settings=settings,
        db=db,
        store=store,
        bus=bus,
        log_reads=LogReads(db),
        queue=queue,
        catalog=catalog,
        http=http,
        worker=worker,
        handoff=handoff,
        jobs=jobs,
        reconciler=reconciler,
        webhooks=Dispatcher(settings=settings, db=db),
        model_check=ModelCheck(
            catalog=catalog,
            http=http,
            data_dir=settings.data_dir,
            interval=settings.check_models_interval_seconds,
        ),
        staging=staging,
        keeper=keeper,
        collector=Collector(
            db=db,
            store=store,
            staging=staging,
            orphan_grace_seconds=settings.orphan_grace_seconds,
            upload_grace_seconds=settings.upload_grace_seconds,
            interval_seconds=settings.collect_interval_seconds,
        ),
        assist=assist,
        cluster=cluster,
    )


def cluster_parts(settings: Settings, db: Database) -> Cluster:
    """In the process, or on Redis when ``redis_url`` is set (API servers and workers in
    separate processes). Without Redis on PostgreSQL, several processes may still share
    the database: a PostgreSQL advisory lock chooses which of them leads."""
    if not settings.redis_url:
        if db.is_sqlite:
            return Cluster()
        from easel.cluster.postgres_leader import PostgresLeadership

        elected = PostgresLeadership(db.url)
        return Cluster(leader=elected, closing=(elected.aclose,))
    # Imported here: a studio without Redis never loads the client.
    from easel.cluster.limits import ClusterGate, SlotLeases
    from easel.cluster.redis import Keys, connect
    from easel.cluster.redis_leader import RedisLeadership
    from easel.engine.redis_queue import RedisQueue
    from easel.events.redis_bus import RedisEventBus

    url, keys = settings.redis_url, Keys(settings.redis_prefix)
    leases = SlotLeases(connect(url), keys, settings.lease_seconds)
    leader = RedisLeadership(
        # Lapses after three missed passes (10 s at least: a slow pass on a busy machine
        # must not hand the leadership around), so a dead leader is replaced soon.
        connect(url),
        keys.leader,
        ttl_seconds=max(3 * settings.reconcile_interval_seconds, 10.0),
    )
    return Cluster(
        bus=RedisEventBus(connect(url), keys),
        queue=RedisQueue(url, connect(url), keys, idle_seconds=settings.queue_idle_seconds),
        leader=leader,
        gate=partial(ClusterGate, leases=leases),
        closing=(leader.aclose, leases.aclose),
    )


def assist_client(settings: Settings) -> httpx.AsyncClient:
    """Assistant streams hold a connection each for as long as the model writes, so they
    get their own pool rather than queue behind image downloads."""
    return httpx.AsyncClient(
        timeout=httpx.Timeout(settings.provider_timeout_seconds, connect=10.0),
        limits=httpx.Limits(max_connections=512, max_keepalive_connections=64),
        headers={"User-Agent": "easel-studio"},
    )


@contextlib.asynccontextmanager
async def running_services(settings: Settings) -> AsyncIterator[Services]:
    services = build_services(settings)
    try:
        if settings.embedded_workers:
            await services.start_workers()
        if settings.check_models:
            services.start_model_check()
        yield services
    finally:
        await services.aclose()
