"""Runs one variant against its provider: start or resume, poll, download.

The runner owns the behaviour every provider shares: retries, the poll cadence, time
limits, saving the remote task before polling (so a restart resumes it instead of paying
twice), handing a finished result's URLs to the worker (so a storage failure can be
retried without a new generation), downloading, and cost.

Polling aims at when the task should end, so most tasks are asked about once or twice:

* when the vendor reports progress, two polls give the task's rate and the next one goes
  just after the end that rate foretells;
* else, once this model's tasks are expected to take about T seconds (learned from the
  tasks that finished; until one has, from the end a running task's progress foretold),
  a new task is first asked about at T; just past T it is asked every tenth of T;
* before anything is known, or long past T, each poll waits a fraction of how long the
  task has run so far. A quick model is asked about every second; a task that takes
  minutes every few seconds.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httpx

from easel.config import Settings
from easel.engine.download import fetch
from easel.engine.pricing import price_params, variant_cost
from easel.engine.retry import ProviderGate, RetryPolicy, call_with_retries
from easel.errors import InvalidOutput, ProviderError, ProviderTimeout
from easel.providers import CatalogEntry
from easel.providers.base import (
    Finished,
    GenerationRequest,
    ImageURL,
    Outcome,
    Pending,
    ProgressCallback,
    Provider,
    RemoteTask,
    RunContext,
)
from easel.redaction import redact
from easel.storage.staging import StagedFile, Staging

T = TypeVar("T")

_MAYBE_BILLED = (
    "It may still have generated (and billed) the image; "
    "check the provider's dashboard before retrying."
)


POLL_FRACTION = 0.3
"""With nothing better known, each poll waits this share of the task's elapsed time."""
POLL_MAX_SECONDS = 30.0
OVERDUE_STEP = 0.1
"""Just past the typical duration a task is asked about every tenth of it…"""
OVERDUE_UNTIL = 1.5
"""…until it has run half as long again; then it backs off with its elapsed time."""
END_MARGIN = 1.05
"""A foretold end is aimed at a little late: a poll that lands just before the end costs
another poll and the floor's wait."""
DONE_AT_ONCE = 0.95
"""A task found done at its first poll may have ended well before it: the duration
learned from it is a little shorter, so a model that got quicker is learned as well."""


async def _nothing() -> None:
    return None


@dataclass(frozen=True)
class RunHooks:
    """How the runner reports back to the worker that owns the variant."""

    report: ProgressCallback
    save_task: Callable[[Mapping[str, Any]], Awaitable[None]]
    save_result: Callable[[Mapping[str, Any], bool], Awaitable[None]]
    """A finished result's URLs, and whether they must be saved now. A polled task's need
    not: a restart resumes the task and asks for its result again, so they are written
    only with a failure (for a retry to download them without a new generation)."""
    parked: Callable[[], Awaitable[None]] = _nothing
    """The vendor accepted a remote task: the variant waits on it from now on (its task
    is saved next, before any poll)."""
    unparked: Callable[[], Awaitable[None]] = _nothing
    """The remote task finished: the download and storing start."""
    want_previews: bool = False
    """Whether someone can see previews: providers ask for them only then."""


@dataclass(frozen=True)
class Sighting:
    """A poll that found the task pending with the vendor's progress (0..1)."""

    at: float
    """Seconds since the task was made."""
    progress: float


def remaining_seconds(earlier: Sighting | None, later: Sighting | None) -> float | None:
    """How long the task still needs at the rate its progress moved between two polls
    (None: no such rate). Two polls, not one: a vendor's progress often starts late
    (a queue, a model loading), which one reading would take for slowness."""
    if earlier is None or later is None or later.at <= earlier.at:
        return None
    rate = (later.progress - earlier.progress) / (later.at - earlier.at)
    if rate <= 0 or not 0 < later.progress < 1:
        return None
    return (1 - later.progress) / rate


def poll_delay(
    elapsed: float, typical: float | None, *, floor: float, remaining: float | None = None
) -> float:
    """Seconds until the next poll of a task that has run ``elapsed`` seconds, when this
    model's tasks have lately taken ``typical`` seconds (None: not known yet) and its
    progress foretells ``remaining`` more (None: it does not)."""
    if remaining is not None:
        delay = END_MARGIN * remaining
    elif typical is not None and elapsed < typical:
        delay = typical - elapsed  # one wait to when it should be done
    elif typical is not None and elapsed < OVERDUE_UNTIL * typical:
        delay = OVERDUE_STEP * typical
    else:
        delay = POLL_FRACTION * elapsed
    return min(POLL_MAX_SECONDS, max(floor, delay))


@dataclass(frozen=True)
class RunResult:
    image: StagedFile
    """The result on disk in the staging folder; the worker hands it to the ImageKeeper."""
    seed: int | None
    cost_usd: Decimal


def task_to_dict(task: RemoteTask) -> dict[str, Any]:
    return {"id": task.id, "poll_url": task.poll_url, "state": dict(task.state)}


def task_from_dict(data: Mapping[str, Any]) -> RemoteTask:
    return RemoteTask(
        id=str(data["id"]), poll_url=data.get("poll_url"), state=data.get("state") or {}
    )


def _result_to_dict(result: Finished) -> dict[str, Any] | None:
    """Only URL results can be kept for a later retry; inline bytes are not saved in the DB."""
    if not result.outputs or not all(isinstance(o, ImageURL) for o in result.outputs):
        return None
    return {
        "urls": [o.url for o in result.outputs if isinstance(o, ImageURL)],
        "seed": result.seed,
        "usage": dict(result.usage) if result.usage else None,
        "cost_usd": str(result.cost_usd) if result.cost_usd is not None else None,
    }


def _result_from_dict(data: Mapping[str, Any]) -> Finished:
    cost = data.get("cost_usd")
    return Finished(
        outputs=tuple(ImageURL(u) for u in data["urls"]),
        seed=data.get("seed"),
        usage=data.get("usage"),
        cost_usd=Decimal(cost) if cost is not None else None,
    )


class Runner:
    def __init__(self, *, settings: Settings, http: httpx.AsyncClient, staging: Staging) -> None:
        self.settings = settings
        self.http = http
        self.staging = staging
        self.policy = RetryPolicy(
            attempts=4,
            base_seconds=settings.retry_base_seconds,
            max_seconds=settings.retry_max_seconds,
        )
        self._typical: dict[str, float] = {}
        """Seconds the remote tasks of each model took, smoothed."""
        self._foretold: dict[str, float] = {}
        """Seconds the progress of a running task of each model foretold: what its tasks
        are expected to take until one has been seen to finish."""

    def _expected(self, model_id: str) -> float | None:
        typical = self._typical.get(model_id)
        return typical if typical is not None else self._foretold.get(model_id)

    def _learn(self, model_id: str, seconds: float, *, first_poll: bool) -> None:
        if first_poll:
            seconds *= DONE_AT_ONCE
        previous = self._typical.get(model_id)
        self._typical[model_id] = seconds if previous is None else 0.8 * previous + 0.2 * seconds

    def _timeout(self, provider: Provider) -> float:
        configured = provider.settings.timeout_seconds
        return configured or self.settings.provider_timeout_seconds

    async def _call(
        self,
        provider: Provider,
        gate: ProviderGate,
        call: Callable[[], Awaitable[T]],
        *,
        what: str,
        idempotent: bool,
    ) -> T:
        timeout = self._timeout(provider)

        async def attempt() -> T:
            try:
                async with asyncio.timeout(timeout):
                    return await call()
            except TimeoutError as exc:
                # A create that timed out may still have been made (and billed) remotely,
                # so only idempotent calls are tried again.
                raise ProviderTimeout(
                    f"{provider.display_name} did not answer the {what} within {timeout:.0f} s.",
                    hint=None if idempotent else _MAYBE_BILLED,
                    retryable=idempotent,
                ) from exc
            except ProviderTimeout as exc:
                exc.retryable = idempotent
                if not idempotent:
                    exc.hint = exc.hint or _MAYBE_BILLED
                raise
            except InvalidOutput as exc:
                # An unusable answer to a create came after the provider did (and most
                # likely billed) the work: asking again would pay for a second image.
                if not idempotent:
                    exc.retryable = False
                    exc.hint = exc.hint or _MAYBE_BILLED
                raise

        return await call_with_retries(attempt, gate=gate, policy=self.policy)

    async def run(
        self,
        *,
        entry: CatalogEntry,
        gate: ProviderGate,
        request: GenerationRequest,
        remote_task: Mapping[str, Any] | None,
        remote_result: Mapping[str, Any] | None,
        hooks: RunHooks,
    ) -> RunResult:
        provider = entry.provider
        ctx = RunContext(
            http=self.http,
            report=hooks.report,
            timeout=self._timeout(provider),
            want_previews=hooks.want_previews,
        )
        if remote_result:
            try:
                return await self._finish(entry, request, _result_from_dict(remote_result))
            except InvalidOutput as exc:
                if exc.retryable:
                    raise
                remote_task = None  # the saved result expired: generate anew
        outcome: Outcome
        if remote_task:
            outcome = Pending(task_from_dict(remote_task))
            await hooks.report(0.0, "Resuming the remote task", None)
        else:
            outcome = await self._call(
                provider,
                gate,
                lambda: provider.start(request, ctx),
                what="request",
                idempotent=False,
            )
        polled = isinstance(outcome, Pending)
        if isinstance(outcome, Pending):
            await hooks.parked()  # the vendor has the task: no creation in flight any more
            await hooks.save_task(task_to_dict(outcome.task))
            outcome = await self._poll(entry, gate, outcome, ctx, hooks)
            await hooks.unparked()
        saved = _result_to_dict(outcome)
        if saved is not None:
            await hooks.save_result(saved, not polled)
        return await self._finish(entry, request, outcome)

    async def _poll(
        self,
        entry: CatalogEntry,
        gate: ProviderGate,
        pending: Pending,
        ctx: RunContext,
        hooks: RunHooks,
    ) -> Finished:
        provider = entry.provider
        started = time.monotonic()
        deadline = started + self.settings.task_timeout_seconds
        outcome: Outcome = pending
        polls = 0
        seen: tuple[Sighting | None, Sighting | None] = (None, None)
        while isinstance(outcome, Pending):
            if outcome.progress is not None or outcome.message:
                await hooks.report(outcome.progress or 0.0, outcome.message or "Generating", None)
            now = time.monotonic()
            if now > deadline:
                raise ProviderTimeout(
                    f"{provider.display_name} did not finish within "
                    f"{self.settings.task_timeout_seconds:.0f} s.",
                    hint="Retry the variant, or raise EASEL_TASK_TIMEOUT_SECONDS.",
                )
            if polls and outcome.progress is not None:
                seen = (seen[1], Sighting(now - started, outcome.progress))
            remaining = remaining_seconds(*seen)
            if remaining is not None:
                self._foretold[entry.model.id] = now - started + END_MARGIN * remaining
            delay = poll_delay(
                now - started,
                self._expected(entry.model.id),
                floor=self.settings.poll_interval_seconds,
                remaining=remaining,
            )
            await asyncio.sleep(max(delay, outcome.retry_after or 0.0))
            task = outcome.task
            polls += 1
            try:
                outcome = await self._call(
                    provider,
                    gate,
                    partial(provider.poll, task, ctx),
                    what="status poll",
                    idempotent=True,
                )
            except ProviderError as exc:
                if not exc.retryable:
                    raise
                # The remote task is paid for and may still finish: an outage while polling
                # ends the variant only at the deadline, as a retry would pay a second time.
                waiting = redact(f"Waiting for {provider.display_name}: {exc}", self.settings)
                outcome = Pending(task, message=waiting)
        self._learn(entry.model.id, time.monotonic() - started, first_poll=polls == 1)
        return outcome

    def _trusted_hosts(self, provider: Provider) -> list[str]:
        host = urlsplit(provider.base_url).hostname
        return [host] if host else []

    async def _finish(
        self, entry: CatalogEntry, request: GenerationRequest, result: Finished
    ) -> RunResult:
        if not result.outputs:
            raise InvalidOutput(f"{entry.model.name} returned no image.")
        output = result.outputs[0]
        if isinstance(output, ImageURL):
            provider = entry.provider
            image = await call_with_retries(
                lambda: fetch(
                    self.http,
                    output.url,
                    trusted_hosts=self._trusted_hosts(provider),
                    result_hosts=provider.result_hosts,
                    max_bytes=self.settings.max_download_bytes,
                    timeout=self._timeout(provider),
                    staging=self.staging,
                ),
                gate=ProviderGate(provider.id, 1),
                policy=self.policy,
            )
        else:  # staged now, so the bytes go once the provider's answer is dropped
            image = await self.staging.write(output.data, output.mime_type)
        cost = variant_cost(entry.model.pricing, price_params(request), result)
        return RunResult(image=image, seed=result.seed, cost_usd=cost)


def describe(exc: ProviderError, model_name: str) -> str:
    """A failure message naming the model and what to do."""
    text = f"{model_name}: {exc.message}"
    return f"{text} {exc.hint}" if exc.hint else text
