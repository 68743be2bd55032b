"""Assist runs from request to history: validate, stream, store once.

`AssistService.describe` and `.suggest` check everything a caller can get wrong (the
model, the images' ownership, the target models) before anything streams, so those
failures are ordinary 4xx answers. They return an `AssistRun`, whose `frames()` streams
the run: each delta goes to the caller and to the account's live stream (never to the
database), suggestions are read out as they complete, and the finished text, usage and
cost are written once at the end, as one row of the assist history. A run whose caller
went away is stored as canceled, with the text so far.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

import httpx

from easel.assist import live
from easel.assist.base import TextContext, TextDelta, TextDone, TextRequest, TextUsage
from easel.assist.catalog import OFFLINE_MODEL, AssistCatalog, AssistEntry
from easel.assist.frames import (
    AnyFrame,
    DeltaFrame,
    DoneFrame,
    ErrorFrame,
    Frame,
    SuggestionFrame,
    SuggestionOut,
    UsageOut,
    error_frame,
)
from easel.assist.images import load_owned
from easel.assist.parse import Suggestion, SuggestionReader, reproducing_prompt
from easel.assist.pricing import text_cost
from easel.assist.prompts import Targets, describe_request, suggest_request, targets_from
from easel.assist.runner import StreamPolicy, run_stream
from easel.assist.specs import DescribeSpec, SuggestSpec
from easel.config import Settings
from easel.db.engine import Database
from easel.db.ids import new_id, utcnow
from easel.db.repos import assist as assist_repo
from easel.db.tables import AssistRun as AssistRow
from easel.engine.pricing import usd
from easel.errors import EaselError, UserInputError
from easel.events.bus import EventBus
from easel.providers import Catalog
from easel.storage.base import ImageStore
from easel.urls import API

log = logging.getLogger(__name__)
F = TypeVar("F", bound=Frame)


def assist_path(run_id: str) -> str:
    return f"{API}/assist/{run_id}"


@dataclass
class _Outcome:
    """What a run produced, filled in as it streams."""

    started: float = field(default_factory=time.monotonic)
    created_at: Any = field(default_factory=utcnow)
    pieces: list[str] = field(default_factory=list)
    first_delta_ms: int | None = None
    usage: TextUsage | None = None
    status: str = "failed"
    error: EaselError | None = None

    @property
    def text(self) -> str:
        return "".join(self.pieces)

    def elapsed_ms(self) -> int:
        return int((time.monotonic() - self.started) * 1000)


class AssistRun:
    """One validated run; iterate `frames()` once to run it."""

    def __init__(
        self,
        service: AssistService,
        *,
        user_id: str,
        entry: AssistEntry,
        request: TextRequest,
        request_text: str,
        params: dict[str, Any],
        targets: Targets | None = None,
    ) -> None:
        self.id = new_id()
        self.service = service
        self.user_id = user_id
        self.entry = entry
        self.request = request
        self.request_text = request_text
        self.params = params
        self.reader = SuggestionReader() if targets is not None else None
        self.targets = targets or Targets()
        self.outcome = _Outcome()

    @property
    def kind(self) -> str:
        return self.request.task

    @property
    def url(self) -> str:
        return assist_path(self.id)

    def _suggestion(self, found: Suggestion) -> SuggestionFrame:
        return SuggestionFrame(
            run_id=self.id,
            index=found.index,
            prompt=found.prompt,
            negative_prompt=found.negative_prompt if self.targets.wants_negative else None,
            models=list(self.targets.models),
        )

    async def _stream(self) -> AsyncIterator[AnyFrame]:
        service, outcome = self.service, self.outcome
        ctx = TextContext(http=service.http, timeout=service.settings.provider_timeout_seconds)
        events = run_stream(self.entry.provider, self.request, ctx, service.policy)
        async for event in events:
            if isinstance(event, TextDone):
                outcome.usage = event.usage
                continue
            assert isinstance(event, TextDelta)
            if outcome.first_delta_ms is None:
                outcome.first_delta_ms = outcome.elapsed_ms()
            outcome.pieces.append(event.text)
            yield await self._published(DeltaFrame(run_id=self.id, text=event.text))
            for found in self.reader.feed(event.text) if self.reader else []:
                yield await self._published(self._suggestion(found))
        for found in self.reader.finish() if self.reader else []:
            yield await self._published(self._suggestion(found))
        outcome.status = "succeeded"

    async def _published(self, frame: F) -> F:
        await live.publish(self.service.bus, self.user_id, frame)
        return frame

    async def frames(self) -> AsyncIterator[AnyFrame]:
        """Deltas (and suggestions) as they come, then one ``done`` or ``error`` frame."""
        try:
            async for frame in self._stream():
                yield frame
        except EaselError as exc:
            self.outcome.error = exc
        except Exception as exc:  # a defect: logged in full, told to the caller plainly
            log.exception("assist run %s failed", self.id)
            name = type(exc).__name__
            self.outcome.error = EaselError(f"Easel hit an unexpected error ({name}).")
        except BaseException:  # the caller went away (cancelled, or the stream closed)
            self.outcome.status = "canceled"
            self.service.store_later(self)
            raise
        final = await self.service.store(self)
        await live.publish(self.service.bus, self.user_id, final)
        yield final

    async def result(self) -> DoneFrame | ErrorFrame:
        """Run to the end and return only the final frame."""
        final: DoneFrame | ErrorFrame | None = None
        async for frame in self.frames():
            if isinstance(frame, DoneFrame | ErrorFrame):
                final = frame
        assert final is not None
        return final


class AssistService:
    def __init__(
        self,
        *,
        settings: Settings,
        db: Database,
        bus: EventBus,
        store: ImageStore,
        images: Catalog,
        catalog: AssistCatalog,
        http: httpx.AsyncClient,
    ) -> None:
        self.settings = settings
        self.db = db
        self.bus = bus
        self.image_store = store
        self.images = images
        self.catalog = catalog
        self.http = http
        self.policy = StreamPolicy(
            idle_timeout=settings.assist_idle_timeout_seconds,
            retry_budget=settings.assist_retry_seconds,
            max_attempts=settings.assist_max_attempts,
            backoff=max(settings.retry_base_seconds, 0.01),
        )
        self._pending: set[asyncio.Task[Any]] = set()

    def model(self, model_id: str | None) -> AssistEntry:
        """The requested model, else the studio's default, else the offline assistant."""
        return self.catalog.require(model_id or self.settings.assist_model or OFFLINE_MODEL)

    async def describe(self, *, user_id: str, spec: DescribeSpec) -> AssistRun:
        entry = self.model(spec.model)
        if len(spec.images) > entry.model.max_images:
            raise UserInputError(
                f"{entry.model.name} reads at most {entry.model.max_images} images per "
                f"request; {len(spec.images)} were given.",
                field="images",
            )
        images = await load_owned(self.db, self.image_store, user_id=user_id, shas=spec.images)
        request = describe_request(
            entry.model,
            images,
            spec.question,
            max_output_tokens=self.settings.assist_max_output_tokens,
        )
        params = {"images": list(spec.images)}
        return AssistRun(
            self,
            user_id=user_id,
            entry=entry,
            request=request,
            request_text=spec.question or "",
            params=params,
        )

    async def suggest(self, *, user_id: str, spec: SuggestSpec) -> AssistRun:
        entry = self.model(spec.model)
        targets = targets_from(self.images, spec.models)
        request = suggest_request(
            entry.model,
            spec.idea,
            count=spec.count,
            style=spec.style,
            targets=targets,
            max_output_tokens=self.settings.assist_max_output_tokens,
        )
        params = {"models": list(spec.models), "count": spec.count, "style": spec.style}
        return AssistRun(
            self,
            user_id=user_id,
            entry=entry,
            request=request,
            request_text=spec.idea,
            params=params,
            targets=targets,
        )

    def _final(self, run: AssistRun, row: AssistRow) -> DoneFrame | ErrorFrame:
        if run.outcome.error is not None:
            return error_frame(run.id, run.outcome.error, self.settings)
        usage = run.outcome.usage
        return DoneFrame(
            run_id=run.id,
            kind=run.kind,
            model=run.entry.model.id,
            text=row.text,
            prompt=row.result.get("prompt"),
            suggestions=[SuggestionOut(**s) for s in row.result.get("suggestions", [])]
            if run.reader
            else None,
            usage=UsageOut(input_tokens=usage.input_tokens, output_tokens=usage.output_tokens)
            if usage
            else None,
            cost_usd=usd(row.cost_usd) if row.cost_usd is not None else None,
            duration_ms=row.duration_ms,
            first_delta_ms=row.first_delta_ms,
            url=run.url,
        )

    def _row(self, run: AssistRun) -> AssistRow:
        outcome, usage = run.outcome, run.outcome.usage
        text = outcome.text
        if run.reader is not None:
            result: dict[str, Any] = {
                "suggestions": [
                    SuggestionOut(
                        index=s.index,
                        prompt=s.prompt,
                        negative_prompt=s.negative_prompt if run.targets.wants_negative else None,
                    ).model_dump()
                    for s in run.reader.found
                ]
            }
        else:
            result = {"prompt": reproducing_prompt(text)}
        error = outcome.error
        cost = text_cost(run.entry.model.pricing, usage, self.catalog.today()) if usage else None
        return AssistRow(
            id=run.id,
            user_id=run.user_id,
            kind=run.kind,
            model_id=run.entry.model.id,
            provider_id=run.entry.provider.id,
            status="failed" if error else outcome.status,
            request_text=run.request_text,
            params=run.params,
            text=text,
            result=result,
            input_tokens=usage.input_tokens if usage else None,
            output_tokens=usage.output_tokens if usage else None,
            usage=dict(usage.raw) if usage else None,
            cost_usd=cost,
            error_code=error.code if error else None,
            error_message=error_frame(run.id, error, self.settings).detail if error else None,
            created_at=outcome.created_at,
            finished_at=utcnow(),
            duration_ms=outcome.elapsed_ms(),
            first_delta_ms=outcome.first_delta_ms,
        )

    async def store(self, run: AssistRun) -> DoneFrame | ErrorFrame:
        """Write the run's one history row; the final frame reports what was stored."""
        row = self._row(run)
        final = self._final(run, row)
        try:
            async with self.db.transaction() as session:
                await assist_repo.add_run(session, row)
        except Exception:
            log.exception("could not store assist run %s", run.id)
        return final

    def store_later(self, run: AssistRun) -> None:
        """Store a canceled run without holding up the cancellation."""
        task = asyncio.create_task(self.store(run))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def aclose(self) -> None:
        if self._pending:
            await asyncio.gather(*self._pending, return_exceptions=True)
        await self.http.aclose()
