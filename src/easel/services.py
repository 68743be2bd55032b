"""build_services(settings): the one place where implementations are chosen and wired."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import httpx

from easel.config import Settings
from easel.db.engine import Database
from easel.engine.handoff import ImageHandoff
from easel.engine.jobs import JobService
from easel.engine.queue import InProcessQueue, VariantQueue
from easel.engine.reconciler import Reconciler
from easel.engine.runner import Runner
from easel.engine.worker import Worker
from easel.events.bus import EventBus, InProcessEventBus
from easel.providers import Catalog
from easel.storage.base import ImageStore
from easel.storage.factory import open_image_store
from easel.storage.local import LocalImageStore
from easel.storage.s3 import s3_options_from_env
from easel.webhooks.delivery import Dispatcher


@dataclass
class Services:
    settings: Settings
    db: Database
    store: ImageStore
    bus: EventBus
    queue: VariantQueue
    catalog: Catalog
    http: httpx.AsyncClient
    worker: Worker
    handoff: ImageHandoff
    jobs: JobService
    reconciler: Reconciler
    webhooks: Dispatcher
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)

    async def start_workers(self) -> None:
        """Run workers and the reconciler in this process (embedded mode)."""
        if isinstance(self.store, LocalImageStore):
            await self.store.remove_stale_staging()
        await self.reconciler.sweep()
        self._tasks.append(asyncio.create_task(self.queue.consume(self.worker.handle)))
        self._tasks.append(asyncio.create_task(self.reconciler.run()))
        self._tasks.append(asyncio.create_task(self.webhooks.run()))

    async def aclose(self) -> None:
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
        await self.webhooks.aclose()
        await self.http.aclose()
        await self.queue.aclose()
        await self.bus.aclose()
        await self.store.aclose()
        await self.db.dispose()


def build_services(settings: Settings, *, catalog: Catalog | None = None) -> Services:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    db = Database(settings.resolved_database_url)
    store = open_image_store(settings.resolved_storage_url, s3_options_from_env(settings.environ))
    bus: EventBus = InProcessEventBus()
    queue: VariantQueue = InProcessQueue()
    catalog = catalog or Catalog.load(settings)
    http = httpx.AsyncClient(
        timeout=httpx.Timeout(settings.provider_timeout_seconds, connect=10.0),
        limits=httpx.Limits(max_connections=100, max_keepalive_connections=20),
        headers={"User-Agent": "easel-studio"},
    )
    runner = Runner(settings=settings, http=http)
    handoff = ImageHandoff()
    worker = Worker(
        settings=settings,
        db=db,
        bus=bus,
        store=store,
        catalog=catalog,
        runner=runner,
        handoff=handoff,
    )
    jobs = JobService(
        settings=settings, db=db, bus=bus, queue=queue, catalog=catalog, store=store, worker=worker
    )
    reconciler = Reconciler(
        db=db, bus=bus, queue=queue, interval=settings.reconcile_interval_seconds
    )
    return Services(
        settings=settings,
        db=db,
        store=store,
        bus=bus,
        queue=queue,
        catalog=catalog,
        http=http,
        worker=worker,
        handoff=handoff,
        jobs=jobs,
        reconciler=reconciler,
        webhooks=Dispatcher(settings=settings, db=db),
    )


@contextlib.asynccontextmanager
async def running_services(settings: Settings) -> AsyncIterator[Services]:
    services = build_services(settings)
    try:
        if settings.embedded_workers:
            await services.start_workers()
        yield services
    finally:
        await services.aclose()
