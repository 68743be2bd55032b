"""The worker: claim → generate → store → publish, for one variant at a time per task.

A worker holds a variant through a lease it renews while it works. If the process dies
the lease lapses and the reconciler puts the variant back in the queue; if the variant is
canceled (here or by another process) the renewal notices and the work stops.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import io
import logging
import time
from collections.abc import Mapping
from datetime import timedelta
from decimal import Decimal
from functools import partial
from typing import Any

from PIL import Image

from easel.config import Settings
from easel.db.engine import Database
from easel.db.ids import utcnow
from easel.db.repos import jobs as job_repo
from easel.db.repos.images import ImageFacts
from easel.db.tables import Job, Variant
from easel.engine import transitions
from easel.engine.commit import Change, commit
from easel.engine.owners import new_worker_id
from easel.engine.pricing import price_params, usd, variant_cost
from easel.engine.retry import ProviderGate
from easel.engine.runner import RunHooks, Runner, RunResult, describe, task_from_dict
from easel.errors import EaselError, ProviderError, StorageError
from easel.events.bus import EventBus
from easel.events.types import Event, VariantSucceeded
from easel.providers import Catalog, CatalogEntry
from easel.providers.base import Finished, GenerationRequest, ReferenceImage, RunContext
from easel.redaction import redact
from easel.storage.base import ImageStore
from easel.storage.images import GenerationRecord, Limits, sniff_mime
from easel.storage.keeper import ImageKeeper
from easel.urls import image_path, thumbnail_path

log = logging.getLogger(__name__)

PROGRESS_MIN_INTERVAL = 0.25
"""Seconds between stored progress events of one variant, unless a preview arrives."""


def _image_mime(data: bytes) -> str:
    return sniff_mime(data) or "image/jpeg"


def billed_cost(entry: CatalogEntry, request: GenerationRequest) -> Decimal:
    """What a failed generation the provider charges for cost, from the price table."""
    return variant_cost(entry.model.pricing, price_params(request), Finished(outputs=()))


def data_url(data: bytes) -> str:
    return f"data:{_image_mime(data)};base64,{base64.b64encode(data).decode()}"


PREVIEW_MAX_BYTES = 64 * 1024
"""Larger previews are shrunk before they go into events: some APIs (gpt-image-1) stream
partial images at full size, megabytes each."""


def small_preview(data: bytes, side: int = 384) -> bytes | None:
    """A WebP of at most ``side`` px, or None when the bytes are not an image."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.thumbnail((side, side))
            out = io.BytesIO()
            image.convert("RGB").save(out, "WEBP", quality=75)
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        return None  # a broken preview must not fail the generation
    return out.getvalue()


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
    ) -> None:
        self.settings = settings
        self.db = db
        self.bus = bus
        self.store = store
        self.catalog = catalog
        self.runner = runner
        self.keeper = keeper
        self.id = new_worker_id()
        self.gates = {pid: ProviderGate(pid, self._concurrency(pid)) for pid in catalog.providers}
        self._active: dict[str, asyncio.Task[None]] = {}

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
        """Work on one variant if it is still queued. Safe to call for any id, any time."""
        async with self.db.session() as session:
            variant = await job_repo.get_variant(session, variant_id=variant_id)
        if variant is None or variant.status != "queued":
            return
        gate = self.gates.get(variant.provider_id) or ProviderGate(variant.provider_id, 1)
        async with gate.slots:
            claimed: list[Variant | None] = [None]

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
                return
            task = asyncio.create_task(self._work(claimed[0], gate))
            self._active[variant_id] = task
            renewer = asyncio.create_task(self._renew(variant_id, task))
            try:
                await task
            except asyncio.CancelledError:
                if not task.cancelled():
                    raise  # this handler itself was cancelled: shutting down
            finally:
                renewer.cancel()
                self._active.pop(variant_id, None)

    async def _renew(self, variant_id: str, task: asyncio.Task[None]) -> None:
        """Keep the lease; stop the work when the variant is no longer ours."""
        while True:
            await asyncio.sleep(self.settings.lease_seconds / 3)
            until = utcnow() + timedelta(seconds=self.settings.lease_seconds)
            async with self.db.transaction() as session:
                held = await job_repo.renew_lease(
                    session, variant_id=variant_id, owner=self.id, until=until
                )
            if not held:
                task.cancel()
                return

    def abort(self, variant_id: str) -> bool:
        """Stop local work on a variant that was canceled."""
        task = self._active.get(variant_id)
        if task is None:
            return False
        task.cancel()
        return True

    async def _work(self, variant: Variant, gate: ProviderGate) -> None:
        entry = self.catalog.get(variant.model_id)
        async with self.db.session() as session:
            job = await job_repo.get_job(session, user_id=variant.user_id, job_id=variant.job_id)
        assert job is not None
        request: GenerationRequest | None = None
        hooks = self._hooks(variant)
        try:
            request = await self._request(job, variant, entry)
            result = await self.runner.run(
                entry=entry,
                gate=gate,
                request=request,
                remote_task=variant.remote_task,
                remote_result=variant.remote_result,
                hooks=hooks,
            )
            image = await self.keeper.keep(
                result.image,
                self._record(job, variant, entry, result),
                holder=variant.id,
                limits=Limits(allowed_types=entry.model.capabilities.output_types),
                report=hooks.report,
            )
            await self._succeed(variant, image, result)
        except asyncio.CancelledError:
            await self._cancel_remote(variant.id, entry)
            raise
        except StorageError as exc:
            await self._fail(variant, "storage", f"Storing the image failed: {exc}", True)
        except ProviderError as exc:
            message = describe(exc, entry.model.name)
            cost = billed_cost(entry, request) if exc.billed and request else None
            await self._fail(variant, exc.code, message, exc.retryable, cost)
        except EaselError as exc:
            await self._fail(variant, exc.code, f"{entry.model.name}: {exc}", False)
        except Exception as exc:  # a bug must fail the variant, not leave it running
            log.exception("variant %s crashed", variant.id)
            await self._fail(
                variant, "internal", f"Internal error: {type(exc).__name__}: {exc}", True
            )

    async def _request(self, job: Job, variant: Variant, entry: CatalogEntry) -> GenerationRequest:
        params = variant.params
        references = []
        for sha in job.params.get("reference_images", []):
            key = job.params.get("reference_keys", {}).get(sha)
            if key:
                data = await self.store.get(key)
                references.append(ReferenceImage(data, _image_mime(data)))
        return GenerationRequest(
            model=entry.model,
            prompt=job.prompt,
            width=int(params["width"]),
            height=int(params["height"]),
            aspect_ratio=params.get("aspect_ratio"),
            seed=variant.seed,
            negative_prompt=job.negative_prompt,
            style=params.get("style"),
            quality=params.get("quality"),
            reference_images=tuple(references),
            extra=job.params.get("extra") or {},
        )

    def _record(
        self, job: Job, variant: Variant, entry: CatalogEntry, result: RunResult
    ) -> GenerationRecord:
        params = {k: v for k, v in variant.params.items() if k not in ("width", "height")}
        return GenerationRecord(
            prompt=job.prompt,
            negative_prompt=job.negative_prompt,
            model_id=entry.model.id,
            model_name=entry.model.name,
            provider=entry.provider.id,
            seed=result.seed if result.seed is not None else variant.seed,
            width=int(variant.params["width"]),
            height=int(variant.params["height"]),
            params=params,
        )

    def _hooks(self, variant: Variant) -> RunHooks:
        last_at, last_step = 0.0, (-1.0, "")

        async def report(fraction: float, message: str, preview: bytes | None) -> None:
            nonlocal last_at, last_step
            now = time.monotonic()
            if preview is None and (
                (fraction, message) == last_step or now - last_at < PROGRESS_MIN_INTERVAL
            ):
                return
            last_at, last_step = now, (fraction, message)
            if preview is not None and len(preview) > PREVIEW_MAX_BYTES:
                preview = await asyncio.to_thread(small_preview, preview)
            preview_url = data_url(preview) if preview else None
            await self._write(
                lambda s: transitions.progress(
                    s,
                    variant_id=variant.id,
                    owner=self.id,
                    fraction=min(max(fraction, 0.0), 0.99),
                    message=message,
                    preview=preview_url,
                )
            )

        async def save_task(task: Mapping[str, Any]) -> None:
            variant.remote_task = dict(task)
            async with self.db.transaction() as session:
                await transitions.save_remote(
                    session, variant_id=variant.id, owner=self.id, task=task
                )

        async def save_result(result: Mapping[str, Any]) -> None:
            async with self.db.transaction() as session:
                await transitions.save_remote(
                    session, variant_id=variant.id, owner=self.id, result=result
                )

        return RunHooks(report=report, save_task=save_task, save_result=save_result)

    async def _cancel_remote(self, variant_id: str, entry: CatalogEntry) -> None:
        async with self.db.session() as session:
            variant = await job_repo.get_variant(session, variant_id=variant_id)
        if variant is None or variant.status != "canceled" or not variant.remote_task:
            return
        ctx = RunContext(http=self.runner.http, report=_ignore_progress)
        with contextlib.suppress(Exception):
            async with asyncio.timeout(10):
                await entry.provider.cancel(task_from_dict(variant.remote_task), ctx)

    async def _fail(
        self,
        variant: Variant,
        code: str,
        message: str,
        retryable: bool,
        cost_usd: Decimal | None = None,
    ) -> None:
        await self._write(
            lambda s: transitions.fail(
                s,
                variant_id=variant.id,
                owner=self.id,
                code=code,
                message=redact(message, self.settings),
                retryable=retryable,
                cost_usd=cost_usd,
            )
        )

    async def _succeed(self, variant: Variant, image: ImageFacts, result: RunResult) -> None:
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
                holder=variant.id,
                reference=partial(
                    transitions.succeed,
                    session,
                    variant_id=variant.id,
                    owner=self.id,
                    image_sha256=image.sha256,
                    payload_for=payload,
                    cost_usd=result.cost_usd,
                    seed=result.seed,
                ),
            )

        await self._write(write)

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


async def _ignore_progress(fraction: float, message: str, preview: bytes | None) -> None:
    return None
