"""The worker: claim → generate → store → publish, for many variants at once.

A worker holds each variant through a lease, renewed for all of them at once by a
`LeaseKeeper`. If the process dies the lease lapses and the reconciler puts the variant
back in the queue; if the variant is canceled (here or by another process) the renewal
notices and the work stops.

Per variant the database sees three write transactions when the provider answers at
once (claim-and-start; the image's pin, committed before its files are stored, as
`easel.storage.collector` requires; the final transition with the image's reference),
plus the remote task saved for create-then-poll providers (with the tasks of other
variants created meanwhile, `easel.engine.task_saver`; their result is written only
with a failure: a restart asks the task for it again) or the result's URLs for the
others. Each transition reads the job and its variants once and derives the rest in memory
(`easel.engine.transitions`); a variant this process just queued is taken without
reading it back (`easel.engine.fresh`). Progress and previews never touch the database:
they are live events on the bus (`easel.engine.progress`).

``handle`` returns as soon as a variant waits on a remote task: polling goes on in the
background, holding neither the queue's in-flight slot nor the provider's concurrency
slot, so a thousand remote tasks can be in flight while the queue's cap still bounds
the work that holds memory (renders, downloads, images being stored).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping
from decimal import Decimal
from functools import partial
from typing import Any

from easel.config import Settings
from easel.db.engine import Database
from easel.db.repos.images import ImageFacts
from easel.db.repos.lineage import InputRef
from easel.db.tables import Job, Variant
from easel.engine import transitions
from easel.engine.commit import Change, commit
from easel.engine.compositing import composite_back, wants_composite
from easel.engine.fresh import FreshVariants
from easel.engine.handoff import ImageHandoff
from easel.engine.inputs import load_inputs
from easel.engine.leases import LeaseKeeper
from easel.engine.owners import new_worker_id
from easel.engine.pricing import price_params, usd, variant_cost
from easel.engine.progress import live_reporter
from easel.engine.retry import GateFactory, ProviderGate, Slot
from easel.engine.runner import RunHooks, Runner, RunResult, describe, task_from_dict
from easel.engine.task_saver import RemoteTaskSaver
from easel.errors import EaselError, ProviderError, StorageError, UnsupportedRequest
from easel.events.bus import EventBus
from easel.events.types import Event, VariantSucceeded
from easel.ops.logs import log_context
from easel.ops.metrics import VariantMetrics
from easel.providers import Catalog, CatalogEntry
from easel.providers.base import (
    OPERATIONS,
    Finished,
    GenerationRequest,
    Operation,
    RunContext,
)
from easel.redaction import redact
from easel.storage.base import ImageStore
from easel.storage.images import GenerationRecord, Limits
from easel.storage.keeper import ImageKeeper
from easel.storage.records import source_key
from easel.urls import image_path, thumbnail_path

log = logging.getLogger(__name__)

FINISHING_AT_ONCE = 16
"""Finished variants stored at once (remote tasks also downloaded); the rest wait their
turn, so a thousand tasks ending together do not hold a thousand images in memory, and
a variant whose image is back waits for a turn before it frees its provider slot, so
storing that falls behind (an outage) holds new generations back."""


RECORDED_APART = frozenset({"width", "height", "prompt", "cell"})
"""Variant params the image's metadata records in fields of their own (or not at all)."""


def variant_prompt(job: Job, variant: Variant) -> str:
    """A grid's prompts axis gives each variant its own prompt; else the job's."""
    own = variant.params.get("prompt")
    return own if isinstance(own, str) and own else job.prompt


def _operation(name: str) -> Operation:
    if name not in OPERATIONS:  # a row written by a newer Easel
        raise UnsupportedRequest(f"This Easel does not know the operation {name!r}.")
    return name


def billed_cost(entry: CatalogEntry, request: GenerationRequest) -> Decimal:
    """What a failed generation the provider charges for cost, from the price table."""
    return variant_cost(entry.model.pricing, price_params(request), Finished(outputs=()))


class _Run:
    """One variant being worked on here: its task, its provider slot, and where it is."""

    def __init__(
        self, job: Job, variant: Variant, slot: Slot | None, inputs: list[InputRef] | None
    ) -> None:
        self.job = job
        self.variant = variant
        self.slot = slot
        self.inputs = inputs
        """The job's inputs when known from the variant's creation (else read)."""
        self.task: asyncio.Task[None] | None = None
        self.parked = asyncio.Event()
        """Set while the variant waits on a remote task."""
        self.finishing = False
        """Holds one of the worker's finishing turns (download and store)."""
        self.final = False
        """Its final transition is being written: it must not be interrupted."""
        self.result: Mapping[str, Any] | None = None
        """The finished remote result, written with a failure so a retry reuses it."""
        self.metrics = VariantMetrics(variant.id, variant.provider_id, variant.model_id)


class Worker:
    def __init__(
        self,
        *,
        settings: Settings,
        db: Database,
        bus: EventBus,
        store: ImageStore,
        catalog: Catalog,
        runner: Runner,
        keeper: ImageKeeper,
        handoff: ImageHandoff | None = None,
        gate: GateFactory = ProviderGate,
        fresh: FreshVariants | None = None,
    ) -> None:
        self.settings = settings
        self.db = db
        self.bus = bus
        self.store = store
        self.catalog = catalog
        self.runner = runner
        self.keeper = keeper
        self.handoff = handoff or ImageHandoff()
        self.fresh = fresh or FreshVariants()
        self.id = new_worker_id()
        self.gates = {pid: gate(pid, self._concurrency(pid)) for pid in catalog.providers}
        self.leases = LeaseKeeper(
            db, owner=self.id, lease_seconds=settings.lease_seconds, on_lost=self.abort
        )
        self.tasks = RemoteTaskSaver(db, owner=self.id)
        self._active: dict[str, _Run] = {}
        self._finishing = asyncio.Semaphore(FINISHING_AT_ONCE)
        # A cancel, made in this process or another, reaches the variant through the bus.
        bus.on_cancel(self.abort)

    def _concurrency(self, provider_id: str) -> int:
        configured = self.settings.provider(provider_id).concurrency
        if configured:
            return configured
        if provider_id == "offline":
            return self.settings.offline_concurrency
        return self.settings.default_provider_concurrency

    async def _write(self, change: Change) -> list[Event]:
        return await commit(self.db, self.bus, change)

    async def handle(self, variant_id: str) -> None:
        """Work on one variant if it is still queued. Safe to call for any id, any time.

        Returns when the variant is done, or as soon as it waits on a remote task."""
        fresh = self.fresh.take(variant_id)
        if fresh is not None:  # just queued by this process: no need to read it back
            provider_id, user_id, resuming = fresh.provider_id, fresh.user_id, False
        else:
            async with self.db.session() as session:
                variant = await session.get(Variant, variant_id)
            if variant is None or variant.status != "queued":
                return
            provider_id, user_id = variant.provider_id, variant.user_id
            # A saved remote task or result needs no new creation at the vendor: no slot.
            resuming = bool(variant.remote_task or variant.remote_result)
        gate = self.gates.get(provider_id) or ProviderGate(provider_id, 1)
        slot = None if resuming else await gate.acquire(user_id)
        try:
            run = await self._claim(variant_id, slot, fresh.inputs if fresh else None)
            if run is None:
                return
            run.task = asyncio.create_task(self._work(run, gate))
            parked = asyncio.create_task(run.parked.wait())
            try:
                await asyncio.wait((run.task, parked), return_when=asyncio.FIRST_COMPLETED)
            finally:
                parked.cancel()
        finally:
            if slot is not None:
                slot.release()

    async def _claim(
        self, variant_id: str, slot: Slot | None, inputs: list[InputRef] | None
    ) -> _Run | None:
        """Claim and start the variant in one transaction."""
        claimed: list[transitions.Claimed | None] = [None]

        async def claim(session: Any) -> list[Event]:
            claimed[0], events = await transitions.claim(
                session,
                variant_id=variant_id,
                owner=self.id,
                lease_seconds=self.settings.lease_seconds,
                max_attempts=self.settings.max_attempts,
            )
            return events

        await self._write(claim)
        if claimed[0] is None:
            return None
        run = _Run(claimed[0].job, claimed[0].variant, slot, inputs)
        self._active[variant_id] = run
        self.leases.hold(variant_id)
        return run

    def abort(self, variant_id: str) -> bool:
        """Stop local work on a variant that was canceled or is no longer ours."""
        run = self._active.get(variant_id)
        if run is None or run.task is None or run.final:
            return False
        run.task.cancel()
        return True

    async def _work(self, run: _Run, gate: ProviderGate) -> None:
        try:
            with log_context(job_id=run.job.id, variant_id=run.variant.id), run.metrics:
                await self._generate(run, gate)
        finally:
            if run.finishing:
                self._finishing.release()
            if run.slot is not None:
                run.slot.release()
            self.leases.release(run.variant.id)
            self._active.pop(run.variant.id, None)

    async def _generate(self, run: _Run, gate: ProviderGate) -> None:
        job, variant = run.job, run.variant
        entry = self.catalog.get(variant.model_id)
        request: GenerationRequest | None = None
        try:
            hooks = await self._hooks(run)
            request, sources = await self._request(job, variant, entry, run.inputs)
            result = await self.runner.run(
                entry=entry,
                gate=gate,
                request=request,
                remote_task=variant.remote_task,
                remote_result=variant.remote_result,
                hooks=hooks,
            )
            await self._image_back(run)
            staged = result.image
            if wants_composite(request.operation, request.inputs):
                staged = await composite_back(staged, request.inputs, self.runner.staging)
            image = await self.keeper.keep(
                staged,
                self._record(job, variant, entry, result, sources),
                holder=variant.id,
                limits=Limits(allowed_types=entry.model.capabilities.output_types),
                report=hooks.report,
                hand_over=self.handoff.receiver(job.id),
            )
            await self._succeed(run, image, result)
        except asyncio.CancelledError:
            await self._cancel_remote(variant.id, entry)
            raise
        except StorageError as exc:
            await self._fail(run, "storage", f"Storing the image failed: {exc}", True)
        except ProviderError as exc:
            message = describe(exc, entry.model.name)
            cost = billed_cost(entry, request) if exc.billed and request else None
            await self._fail(run, exc.code, message, exc.retryable, cost)
        except EaselError as exc:
            await self._fail(run, exc.code, f"{entry.model.name}: {exc}", False)
        except Exception as exc:  # a bug must fail the variant, not leave it running
            log.exception("variant %s crashed", variant.id)
            await self._fail(run, "internal", f"Internal error: {type(exc).__name__}: {exc}", True)

    async def _image_back(self, run: _Run) -> None:
        """The vendor's part is done: with a finishing turn taken, the provider's slot
        goes to the next generation while this image is stored (the slot limits
        generations, as vendors count them, not the storing after)."""
        if not run.finishing:
            await self._finishing.acquire()
            run.finishing = True
        if run.slot is not None:
            run.slot.release()

    async def _request(
        self, job: Job, variant: Variant, entry: CatalogEntry, inputs: list[InputRef] | None
    ) -> tuple[GenerationRequest, list[InputRef]]:
        """The provider's request, and the job's inputs it was made from."""
        params = variant.params
        loaded = await load_inputs(
            self.db,
            self.store,
            job,
            composite_default=entry.model.capabilities.mask_is_hint,
            refs=inputs,
        )
        request = GenerationRequest(
            model=entry.model,
            prompt=variant_prompt(job, variant),
            width=int(params["width"]),
            height=int(params["height"]),
            aspect_ratio=params.get("aspect_ratio"),
            seed=variant.seed,
            negative_prompt=job.negative_prompt,
            style=params.get("style"),
            quality=params.get("quality"),
            reference_images=loaded.references,
            extra=job.params.get("extra") or {},
            operation=_operation(job.operation),
            inputs=loaded.inputs,
        )
        return request, loaded.refs

    def _record(
        self,
        job: Job,
        variant: Variant,
        entry: CatalogEntry,
        result: RunResult,
        refs: list[InputRef],
    ) -> GenerationRecord:
        params = {k: v for k, v in variant.params.items() if k not in RECORDED_APART}
        return GenerationRecord(
            prompt=variant_prompt(job, variant),
            negative_prompt=job.negative_prompt,
            model_id=entry.model.id,
            model_name=entry.model.name,
            provider=entry.provider.id,
            seed=result.seed if result.seed is not None else variant.seed,
            width=int(variant.params["width"]),
            height=int(variant.params["height"]),
            params=params,
            operation=job.operation,
            sources={source_key(r.role, r.position): r.sha256 for r in refs},
        )

    async def _previews_wanted(self, job: Job) -> bool:
        """Someone can see previews: the job asked for them when it was submitted, or a
        subscriber follows it (or the user's account stream) right now."""
        return job.params.get("previews") is True or await self.bus.watched(job.user_id, job.id)

    async def _hooks(self, run: _Run) -> RunHooks:
        job, variant = run.job, run.variant

        async def save_task(task: Mapping[str, Any]) -> None:
            variant.remote_task = dict(task)
            await self.tasks.save(variant.id, task)

        async def save_result(result: Mapping[str, Any], now: bool) -> None:
            run.result = result
            if not now:
                return
            async with self.db.transaction() as session:
                await transitions.save_remote_result(
                    session, variant_id=variant.id, owner=self.id, result=result
                )

        async def parked() -> None:
            if run.slot is not None:
                run.slot.release()
            run.parked.set()

        async def unparked() -> None:
            await self._finishing.acquire()
            run.finishing = True

        return RunHooks(
            report=live_reporter(
                self.bus,
                user_id=job.user_id,
                job_id=job.id,
                variant_id=variant.id,
                previews_wanted=partial(self._previews_wanted, job),
            ),
            save_task=save_task,
            save_result=save_result,
            parked=parked,
            unparked=unparked,
            want_previews=await self._previews_wanted(job),
        )

    async def _cancel_remote(self, variant_id: str, entry: CatalogEntry) -> None:
        async with self.db.session() as session:
            variant = await session.get(Variant, variant_id)
        if variant is None or variant.status != "canceled" or not variant.remote_task:
            return
        ctx = RunContext(http=self.runner.http, report=_ignore_progress)
        with contextlib.suppress(Exception):
            async with asyncio.timeout(10):
                await entry.provider.cancel(task_from_dict(variant.remote_task), ctx)

    async def _final(
        self, run: _Run, change: Change, cost_usd: Decimal | None = None
    ) -> list[Event]:
        """Write the variant's last transition; from here a cancel no longer interrupts."""
        run.final = True
        self.leases.release(run.variant.id)
        events = await self._write(change)
        run.metrics.finished(events, cost_usd)
        return events

    async def _fail(
        self,
        run: _Run,
        code: str,
        message: str,
        retryable: bool,
        cost_usd: Decimal | None = None,
    ) -> None:
        await self._final(
            run,
            partial(
                transitions.fail,
                variant_id=run.variant.id,
                owner=self.id,
                code=code,
                message=redact(message, self.settings),
                retryable=retryable,
                cost_usd=cost_usd,
                result=run.result,
            ),
            cost_usd,
        )

    async def _succeed(self, run: _Run, image: ImageFacts, result: RunResult) -> None:
        def payload(v: Variant) -> VariantSucceeded:
            return VariantSucceeded(
                image=image_path(image.sha256),
                thumbnail=thumbnail_path(image.sha256),
                width=image.width,
                height=image.height,
                seed=v.seed,
                cost_usd=usd(result.cost_usd),
                duration_ms=v.duration_ms,
            )

        async def write(session: Any) -> list[Event]:
            # The keeper's pin becomes the variant's reference in this same transaction
            # (or just goes, when the variant was canceled meanwhile and no events come).
            return await self.keeper.settle(
                session,
                image,
                holder=run.variant.id,
                reference=partial(
                    transitions.succeed,
                    session,
                    variant_id=run.variant.id,
                    owner=self.id,
                    image_sha256=image.sha256,
                    payload_for=payload,
                    cost_usd=result.cost_usd,
                    seed=result.seed,
                ),
            )

        await self._final(run, write, result.cost_usd)

    async def hand_back(self) -> None:
        """On shutdown, give running variants back to the queue so a restart resumes them
        at once instead of waiting for their leases to lapse."""
        for variant_id in list(self._active):
            await self._write(
                partial(
                    transitions.requeue,
                    variant_id=variant_id,
                    reason="server stopped; resuming",
                    owner=self.id,
                )
            )

    async def aclose(self) -> None:
        """Stop every variant still running here (handed back first) and the renewals."""
        tasks = [run.task for run in self._active.values() if run.task is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await self.leases.aclose()


async def _ignore_progress(fraction: float, message: str, preview: bytes | None) -> None:
    return None
