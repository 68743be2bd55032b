"""JobService: what callers (HTTP API, CLI, MCP) do with jobs, scoped to a user."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from easel.config import Settings
from easel.db import tracked
from easel.db.engine import Database
from easel.db.ids import new_id, utcnow
from easel.db.repos import events as event_log
from easel.db.repos import images as image_repo
from easel.db.repos import jobs as job_repo
from easel.db.repos import lineage
from easel.db.repos import presets as preset_repo
from easel.db.repos import shares as share_repo
from easel.db.repos import users as user_repo
from easel.db.repos.events import NewEvent
from easel.db.repos.jobs import JobFilters
from easel.db.repos.lineage import InputRef, Use
from easel.db.tables import Image, Job, Variant
from easel.engine import transitions
from easel.engine.defaults import effective_defaults
from easel.engine.fresh import FreshVariant, FreshVariants
from easel.engine.grids import plan_grid
from easel.engine.inputs import InputResolver, lock_owned
from easel.engine.queue import Ticket, VariantQueue
from easel.engine.specs import JobSpec, check_lengths, plan_variants
from easel.errors import NotFound, TooBusy
from easel.events.bus import EventBus
from easel.events.types import Event, JobCreated, LiveEvent, VariantQueued
from easel.providers import Catalog
from easel.storage.base import ImageStore
from easel.storage.keeper import ImageKeeper
from easel.webhooks.targets import check_target

log = logging.getLogger(__name__)

# A full queue drains at the pace of the user's own variants; a short wait is a fair ask.
QUEUE_FULL_RETRY_SECONDS = 30
PRESET_FIELDS = (
    "n",
    "size",
    "aspect_ratio",
    "seed",
    "negative_prompt",
    "style",
    "quality",
    "extra",
)


@dataclass(frozen=True)
class JobView:
    job: Job
    variants: list[Variant]
    images: dict[str, Image]
    live_progress: dict[str, float] = field(default_factory=dict)
    """The latest progress of running variants, from the event bus's live state."""
    inputs: list[InputRef] = field(default_factory=list)
    """The images the job worked from ("made from")."""
    uses: dict[str, list[Use]] = field(default_factory=dict)
    """Per result sha256, the user's jobs that worked from it ("made into")."""

    @property
    def cost_usd(self) -> Decimal:
        return sum((v.cost_usd or Decimal(0) for v in self.variants), Decimal(0))

    def progress(self, variant: Variant) -> float:
        """0..1: done when succeeded, the live value while running, else 0."""
        if variant.status == "succeeded":
            return 1.0
        if variant.status == "running":
            return self.live_progress.get(variant.id, 0.0)
        return 0.0


class JobService:
    def __init__(
        self,
        *,
        settings: Settings,
        db: Database,
        bus: EventBus,
        queue: VariantQueue,
        catalog: Catalog,
        store: ImageStore,
        keeper: ImageKeeper,
        fresh: FreshVariants | None = None,
    ) -> None:
        self.settings = settings
        self.fresh = fresh or FreshVariants()
        self.db = db
        self.bus = bus
        self.queue = queue
        self.catalog = catalog
        self.store = store
        self.inputs = InputResolver(
            db=db, store=store, keeper=keeper, max_bytes=settings.max_reference_image_bytes
        )

    async def _apply_preset(self, user_id: str, spec: JobSpec) -> JobSpec:
        if not spec.preset_id:
            return spec
        async with self.db.session() as session:
            preset = await preset_repo.get_preset(
                session, user_id=user_id, preset_id=spec.preset_id
            )
        if preset is None:
            raise NotFound(f"No preset {spec.preset_id}.", field="preset_id")
        merged: dict[str, Any] = {k: v for k, v in preset.params.items() if k in PRESET_FIELDS}
        merged["models"] = preset.models
        merged.update(spec.model_dump(exclude_unset=True))
        return JobSpec.model_validate(merged)

    async def _with_defaults(self, user_id: str, spec: JobSpec) -> JobSpec:
        """A spec naming no model (nor a preset with models) runs on the user's defaults."""
        if spec.models or (spec.grid and spec.grid.axis("model")):
            return spec
        async with self.db.session() as session:
            user = await user_repo.get_user(session, user_id=user_id)
        chosen = user.default_models if user else None
        models = effective_defaults(self.catalog, chosen, spec.operation)
        return spec.model_copy(update={"models": models}) if models else spec

    async def create(self, *, user_id: str, spec: JobSpec) -> Job:
        """Write the job, its variants and their first events in one transaction, then
        publish the events and queue the variants."""
        spec = await self._with_defaults(user_id, await self._apply_preset(user_id, spec))
        spec.check_operation()  # before any image is read or stored
        inputs = await self.inputs.resolve(user_id, spec)
        limit = self.settings.max_variants_per_job
        grid: dict[str, Any] | None = None
        if spec.grid is not None:
            planned, grid = plan_grid(
                spec,
                self.catalog,
                max_variants=limit,
                max_prompt_length=self.settings.max_prompt_length,
            )
        else:
            check_lengths(spec, self.settings.max_prompt_length)  # a grid checks each cell
            planned = plan_variants(spec, self.catalog, max_variants=limit, source=inputs.source)
        if spec.webhook_url:
            await check_target(
                spec.webhook_url,
                allow_private=self.settings.allow_private_webhooks,
                field="webhook_url",
            )
        job_params = spec.model_dump(
            include={"n", "size", "aspect_ratio", "seed", "style", "quality", "extra"}
            | {"extend", "factor", "composite"},
            exclude_none=True,
        )
        job_params["models"] = [c.model_dump(exclude_none=True) for c in spec.choices()]
        if spec.previews:
            job_params["previews"] = True
        if grid is not None:
            job_params["grid"] = grid
        now = utcnow()
        job = Job(
            id=new_id(),
            user_id=user_id,
            prompt=spec.prompt,
            negative_prompt=spec.negative_prompt,
            params=job_params,
            preset_id=spec.preset_id,
            webhook_url=spec.webhook_url,
            operation=spec.operation,
            status="queued",
            favorite=False,
            created_at=now,
            updated_at=now,
        )
        variants = [
            Variant(
                id=new_id(),
                job_id=job.id,
                user_id=user_id,
                position=p.position,
                model_id=p.entry.model.id,
                provider_id=p.entry.provider.id,
                params=p.params,
                seed=p.seed,
                status="queued",
                attempts=0,
                queued_at=now,
            )
            for p in planned
        ]
        async with self.db.transaction() as session:
            await self._admit(session, user_id, len(variants))
            await lock_owned(session, user_id=user_id, refs=inputs.refs)
            # Core inserts (`easel.db.tracked`): the ORM's flush costs more than they do.
            await tracked.insert_new(session, [job])
            await lineage.add_inputs(session, job_id=job.id, user_id=user_id, inputs=inputs.refs)
            await tracked.insert_new(session, variants)
            created = JobCreated(
                prompt=spec.prompt,
                models=sorted({v.model_id for v in variants}),
                variants=len(variants),
            )
            new = [NewEvent(job.id, created)] + [
                NewEvent(job.id, VariantQueued(model=v.model_id, attempt=0), v.id) for v in variants
            ]
            events = await event_log.append(session, user_id=user_id, events=new)
        await self.bus.publish(events)
        known = sorted(inputs.refs, key=lambda r: (r.role, r.position))
        for v in variants:
            self.fresh.note(v.id, FreshVariant(v.provider_id, user_id, known))
        await self.queue.push(Ticket(v.id, user_id) for v in variants)
        return job

    async def _admit(self, session: AsyncSession, user_id: str, adding: int) -> None:
        """Refuse work past the user's share of the queue (checked in the transaction
        that adds it; concurrent submissions may overshoot by one request's variants)."""
        limit = self.settings.max_queued_variants_per_user
        waiting = await job_repo.count_queued(session, user_id=user_id)
        if waiting + adding > limit:
            raise TooBusy(
                f"You have {waiting} variants waiting and may have at most {limit} queued; "
                f"this request adds {adding}.",
                retry_after=QUEUE_FULL_RETRY_SECONDS,
                hint="Wait for some to finish, or cancel queued jobs; "
                "the limit is the max_queued_variants_per_user setting.",
            )

    async def get(self, *, user_id: str, job_id: str) -> JobView:
        views = await self._views(user_id, [job_id])
        if not views:
            raise NotFound(f"No job {job_id}.", hint="List your jobs with GET /api/v1/jobs.")
        return views[0]

    async def _views(
        self, user_id: str, job_ids: list[str], jobs: list[Job] | None = None
    ) -> list[JobView]:
        # Live state first: a variant's is dropped only after its final state is
        # committed, so rows read after it never pair "running" with a cleared progress.
        live = await self.bus.live_snapshot(user_id)
        async with self.db.session() as session:
            if jobs is None:
                found = [
                    await job_repo.get_job(session, user_id=user_id, job_id=j) for j in job_ids
                ]
                jobs = [j for j in found if j is not None]
            variants = await job_repo.variants_of(session, job_ids=[j.id for j in jobs])
            inputs = await lineage.inputs_of(session, job_ids=[j.id for j in jobs])
            results = [v.image_sha256 for v in variants if v.image_sha256]
            images = await job_repo.images_of(
                session, shas=results + [i.sha256 for refs in inputs.values() for i in refs]
            )
            uses: dict[str, list[Use]] = {}
            for use in await lineage.uses_of(session, user_id=user_id, shas=results):
                uses.setdefault(use.sha256, []).append(use)
        by_job: dict[str, list[Variant]] = {j.id: [] for j in jobs}
        for variant in variants:
            by_job[variant.job_id].append(variant)
        return [
            JobView(
                j,
                by_job[j.id],
                images,
                _live_progress(by_job[j.id], live),
                inputs[j.id],
                uses,
            )
            for j in jobs
        ]

    async def search(
        self, *, user_id: str, filters: JobFilters, before: str | None, limit: int
    ) -> list[JobView]:
        async with self.db.session() as session:
            jobs = await job_repo.list_jobs(
                session, user_id=user_id, filters=filters, before_id=before, limit=limit
            )
        return await self._views(user_id, [], list(jobs))

    async def count(self, *, user_id: str, filters: JobFilters) -> int:
        async with self.db.session() as session:
            return await job_repo.count_jobs(session, user_id=user_id, filters=filters)

    async def _publish(self, events: list[Event]) -> None:
        await self.bus.publish(events)

    async def cancel(self, *, user_id: str, job_id: str, variant_id: str | None = None) -> JobView:
        # The variant.canceled events reach the worker holding each running variant,
        # in this process or another, through the bus (`EventBus.on_cancel`).
        async with self.db.transaction() as session:
            _, events = await transitions.cancel(
                session, user_id=user_id, job_id=job_id, variant_id=variant_id
            )
        await self._publish(events)
        return await self.get(user_id=user_id, job_id=job_id)

    async def retry(self, *, user_id: str, job_id: str, variant_id: str) -> JobView:
        view = await self.get(user_id=user_id, job_id=job_id)
        for variant in view.variants:
            if variant.id == variant_id:
                self.catalog.require(variant.model_id)  # a retired model cannot run again
        async with self.db.transaction() as session:
            await self._admit(session, user_id, 1)
            variant, events = await transitions.retry(
                session, user_id=user_id, job_id=job_id, variant_id=variant_id
            )
        await self._publish(events)
        await self.queue.push([Ticket(variant.id, user_id)])
        return await self.get(user_id=user_id, job_id=job_id)

    async def set_favorite(self, *, user_id: str, job_id: str, value: bool) -> JobView:
        async with self.db.transaction() as session:
            found = await job_repo.set_favorite(
                session, user_id=user_id, job_id=job_id, value=value
            )
        if not found:
            raise NotFound(f"No job {job_id}.")
        return await self.get(user_id=user_id, job_id=job_id)

    async def delete(self, *, user_id: str, job_id: str) -> None:
        view = await self.get(user_id=user_id, job_id=job_id)
        if any(v.status in ("queued", "running") for v in view.variants):
            await self.cancel(user_id=user_id, job_id=job_id)
        async with self.db.transaction() as session:
            shas = await job_repo.delete_job(session, user_id=user_id, job_id=job_id)
            if shas is None:
                raise NotFound(f"No job {job_id}.")
            # Files are never removed here: another user's variant may share them, or a
            # worker may be about to. The collector removes them after a grace period.
            await image_repo.mark_orphans(session, shas)
            await share_repo.revoke_job(session, user_id=user_id, job_id=job_id)
            await share_repo.revoke_unowned_images(session, shas)


def _live_progress(variants: list[Variant], live: list[LiveEvent]) -> dict[str, float]:
    """The latest live progress of each running variant."""
    running = {v.id for v in variants if v.status == "running"}
    progress: dict[str, float] = {}
    for event in live:
        value = event.data.get("progress")
        if event.variant_id in running and isinstance(value, int | float):
            progress[event.variant_id] = max(progress.get(event.variant_id, 0.0), value)
    return progress
