"""Every variant state change, in one place.

Each function runs inside a write transaction the caller owns and returns the events it
appended; the caller publishes them after commit. Only state changes are written here:
progress and previews travel the event bus alone (`easel.engine.progress`).

Every transition takes its locks in one order: the job row, then the variant rows, then
the user's event-sequence row (taken by the first event appended). It reads the job and
all its variants once (one statement on SQLite, two on PostgreSQL), changes them in
memory and derives the job's status and webhook payloads from what it holds: the only
other statements are the updates and the event log's two. The job lock
serialises the transitions of one job, so the job status derived after each one is
always right (``job.finished`` is emitted exactly once), and the one order means two
processes on one PostgreSQL database never wait on each other in a cycle.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import Table, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from easel.db.ids import as_utc, utcnow
from easel.db.repos import events as event_log
from easel.db.repos import jobs as job_repo
from easel.db.repos.events import NewEvent
from easel.db.tables import Job, Variant
from easel.db.tracked import Tracked
from easel.engine.pricing import usd
from easel.engine.states import TERMINAL, can_move, job_status
from easel.errors import Conflict, NotFound
from easel.events.types import (
    Event,
    EventPayload,
    JobFinished,
    VariantCanceled,
    VariantFailed,
    VariantQueued,
    VariantStarted,
    VariantSucceeded,
)
from easel.webhooks import outbox


@dataclass
class _Locked:
    """A job under its transition lock, with every variant of it (in position order),
    read as plain instances whose changes `_move` writes back (`easel.db.tracked`)."""

    job: Job
    variants: list[Variant]
    rows: Tracked


_JOBS = cast(Table, Job.__table__)
_VARIANTS = cast(Table, Variant.__table__)
# Built once: building a statement and its cache key costs more CPU than running it.
_JOB_OF_VARIANT = (
    select(_VARIANTS.c.job_id).where(_VARIANTS.c.id == bindparam("variant_id")).scalar_subquery()
)
_JOB_AND_VARIANTS = (
    select(_VARIANTS, _JOBS)
    .join(_JOBS, _JOBS.c.id == _VARIANTS.c.job_id)
    .where(_VARIANTS.c.job_id == _JOB_OF_VARIANT)
    .order_by(_VARIANTS.c.position)
)
# On PostgreSQL ``FOR NO KEY UPDATE`` on the job (no transition changes a job's id)
# leaves the ``KEY SHARE`` locks of foreign-key checks (an event row naming the job) free
# to proceed instead of queueing behind a transition.
_LOCK_JOB = select(_JOBS).with_for_update(key_share=True)
_LOCK_JOB_BY_ID = _LOCK_JOB.where(_JOBS.c.id == bindparam("job_id"))
_LOCK_JOB_OF_VARIANT = _LOCK_JOB.where(_JOBS.c.id == _JOB_OF_VARIANT)
_LOCK_VARIANTS = (
    select(_VARIANTS)
    .where(_VARIANTS.c.job_id == bindparam("job_id"))
    .order_by(_VARIANTS.c.position)
    .with_for_update()
)


async def _locked(session: AsyncSession, variant_id: str) -> tuple[_Locked, Variant] | None:
    """The variant's job, locked, and all its variants, read once: the transition changes
    them in memory and derives the job's status from them without reading them again."""
    if session.get_bind().dialect.name == "sqlite":
        # A SQLite write transaction holds the whole database from its first statement,
        # so one statement reads the job and its variants.
        rows = (await session.execute(_JOB_AND_VARIANTS, {"variant_id": variant_id})).all()
        if not rows:
            return None
        tracked = Tracked()
        job = tracked.adopt(Job, rows[0]._mapping)
        variants = [tracked.adopt(Variant, row._mapping) for row in rows]
        locked = _Locked(job, variants, tracked)
    else:
        found = await _lock_job(session, _LOCK_JOB_OF_VARIANT, {"variant_id": variant_id})
        if found is None:
            return None
        locked = found
    variant = next((v for v in locked.variants if v.id == variant_id), None)
    return None if variant is None else (locked, variant)


async def _lock_job(session: AsyncSession, query: Any, params: Mapping[str, Any]) -> _Locked | None:
    """The job ``query`` finds, locked, then its variants, locked (PostgreSQL), in that
    order, as every transition takes them."""
    row = (await session.execute(query, params)).first()
    if row is None:
        return None
    tracked = Tracked()
    job = tracked.adopt(Job, row._mapping)
    rows = (await session.execute(_LOCK_VARIANTS, {"job_id": job.id})).all()
    return _Locked(job, [tracked.adopt(Variant, r._mapping) for r in rows], tracked)


async def _move(
    session: AsyncSession, locked: _Locked, variant: Variant, target: str, payload: EventPayload
) -> list[Event]:
    if not can_move(variant.status, target):
        raise Conflict(
            f"Variant {variant.id} is {variant.status} and cannot become {target}.",
            hint="Reload the job to see its current state.",
        )
    now = utcnow()
    variant.status = target
    if target in TERMINAL:
        variant.finished_at = now
        variant.lease_owner = None
        variant.lease_expires_at = None
        if variant.started_at is not None and variant.duration_ms is None:
            variant.duration_ms = _elapsed_ms(variant, now)
    job = locked.job
    new = [NewEvent(job.id, payload, variant.id), *_refresh_job(locked, now)]
    await locked.rows.save(session)
    events = await event_log.append(session, user_id=job.user_id, events=new)
    # Webhook deliveries are written in the same transaction as their events.
    await outbox.record(session, job, events, locked.variants)
    return events


def _elapsed_ms(variant: Variant, now: datetime) -> int:
    assert variant.started_at is not None
    return int((now - as_utc(variant.started_at)).total_seconds() * 1000)


def _refresh_job(locked: _Locked, now: datetime) -> list[NewEvent]:
    """Derive the job's status from its variants; ``job.finished`` when it just ended."""
    job, variants = locked.job, locked.variants
    status = job_status(v.status for v in variants)
    if status == job.status:
        return []
    job.status = status
    job.updated_at = now
    finished = all(v.status in TERMINAL for v in variants)
    job.finished_at = now if finished else None
    if not finished:
        return []
    cost = sum((v.cost_usd or Decimal(0) for v in variants), Decimal(0))
    return [NewEvent(job.id, JobFinished(status=status, cost_usd=usd(cost)))]


@dataclass(frozen=True)
class Claimed:
    job: Job
    variant: Variant


async def claim(
    session: AsyncSession,
    *,
    variant_id: str,
    owner: str,
    lease_seconds: float,
    max_attempts: int,
) -> tuple[Claimed | None, list[Event]]:
    """Take a queued variant for this worker and start it (``variant.started``), in one
    transaction. Returns (None, events) when it is not claimable (already taken,
    finished, canceled) or has used up its attempts."""
    found = await _locked(session, variant_id)
    if found is None or found[1].status != "queued":
        return None, []
    locked, variant = found
    if variant.attempts >= max_attempts:
        events = await _move(
            session,
            locked,
            variant,
            "failed",
            _failure(
                variant,
                "attempts",
                f"Gave up after {variant.attempts} attempts: the worker stopped each time "
                "before the image was stored.",
                retryable=True,
            ),
        )
        return None, events
    now = utcnow()
    variant.attempts += 1
    variant.lease_owner = owner
    variant.lease_expires_at = now + timedelta(seconds=lease_seconds)
    variant.started_at = variant.started_at or now
    events = await _move(
        session,
        locked,
        variant,
        "running",
        VariantStarted(model=variant.model_id, attempt=variant.attempts),
    )
    return Claimed(locked.job, variant), events


def _failure(variant: Variant, code: str, message: str, *, retryable: bool) -> VariantFailed:
    variant.error_code = code
    variant.error_message = message
    return VariantFailed(error_code=code, error=message, retryable=retryable)


async def _owned(
    session: AsyncSession, variant_id: str, owner: str
) -> tuple[_Locked, Variant] | None:
    found = await _locked(session, variant_id)
    if found is None:
        return None
    _, variant = found
    if variant.status != "running" or variant.lease_owner != owner:
        return None
    return found


async def save_remote_result(
    session: AsyncSession, *, variant_id: str, owner: str, result: Mapping[str, Any]
) -> bool:
    """Keep a finished remote result's URLs on a variant this worker still holds (remote
    tasks are saved in groups, `easel.engine.task_saver`)."""
    variant = await job_repo.held_variant(session, variant_id=variant_id, owner=owner)
    if variant is None:
        return False
    variant.remote_result = dict(result)
    return True


async def succeed(
    session: AsyncSession,
    *,
    variant_id: str,
    owner: str,
    image_sha256: str,
    payload_for: Any,
    cost_usd: Decimal | None,
    seed: int | None,
) -> list[Event]:
    """Mark the variant succeeded with its stored image, whose row the storing pinned
    (`easel.storage.keeper`). ``payload_for(variant)`` builds the event (it needs the
    final duration)."""
    owned = await _owned(session, variant_id, owner)
    if owned is None:
        return []
    locked, variant = owned
    variant.image_sha256 = image_sha256
    variant.cost_usd = cost_usd
    variant.seed = seed if seed is not None else variant.seed
    variant.error_code = variant.error_message = None
    variant.remote_result = None
    if variant.started_at is not None:
        variant.duration_ms = _elapsed_ms(variant, utcnow())
    payload: VariantSucceeded = payload_for(variant)
    return await _move(session, locked, variant, "succeeded", payload)


async def fail(
    session: AsyncSession,
    *,
    variant_id: str,
    owner: str,
    code: str,
    message: str,
    retryable: bool,
    cost_usd: Decimal | None = None,
    result: Mapping[str, Any] | None = None,
) -> list[Event]:
    """Mark the variant failed; ``cost_usd`` when the provider charges for the failure,
    ``result`` the finished remote result a retry can download again."""
    owned = await _owned(session, variant_id, owner)
    if owned is None:
        return []
    locked, variant = owned
    variant.cost_usd = cost_usd
    if result is not None:
        variant.remote_result = dict(result)
    return await _move(
        session, locked, variant, "failed", _failure(variant, code, message, retryable=retryable)
    )


async def requeue(
    session: AsyncSession, *, variant_id: str, reason: str, owner: str | None = None
) -> list[Event]:
    """Put a running variant back in the queue: its lease lapsed (``owner`` None, checked
    against the clock) or its own worker hands it back."""
    found = await _locked(session, variant_id)
    if found is None:
        return []
    locked, variant = found
    if variant.status != "running":
        return []
    if owner is not None and variant.lease_owner != owner:
        return []
    lapsed = variant.lease_expires_at is None or as_utc(variant.lease_expires_at) < utcnow()
    if owner is None and not lapsed:
        return []
    variant.lease_owner = None
    variant.lease_expires_at = None
    variant.queued_at = utcnow()
    payload = VariantQueued(model=variant.model_id, attempt=variant.attempts, reason=reason)
    return await _move(session, locked, variant, "queued", payload)


async def cancel(
    session: AsyncSession, *, user_id: str, job_id: str, variant_id: str | None = None
) -> tuple[list[Variant], list[Event]]:
    """Cancel one variant, or every unfinished variant of the job. Returns the variants
    that were running (their workers and remote tasks must be stopped)."""
    locked = await _lock_job(session, _LOCK_JOB_BY_ID, {"job_id": job_id})
    if locked is None or locked.job.user_id != user_id:
        raise NotFound(f"No job {job_id}.", hint="List your jobs with GET /api/v1/jobs.")
    variants = locked.variants
    if variant_id is not None:
        variants = [v for v in variants if v.id == variant_id]
        if not variants:
            raise NotFound(f"Job {job_id} has no variant {variant_id}.")
        if variants[0].status in TERMINAL:
            raise Conflict(
                f"Variant {variant_id} already {variants[0].status}; only queued or running "
                "variants can be canceled."
            )
    events: list[Event] = []
    was_running: list[Variant] = []
    for variant in variants:
        if variant.status in TERMINAL:
            continue
        if variant.status == "running":
            was_running.append(variant)
        events += await _move(session, locked, variant, "canceled", VariantCanceled())
    return was_running, events


async def retry(
    session: AsyncSession, *, user_id: str, job_id: str, variant_id: str
) -> tuple[Variant, list[Event]]:
    locked = await _lock_job(session, _LOCK_JOB_BY_ID, {"job_id": job_id})
    if locked is None or locked.job.user_id != user_id:
        raise NotFound(f"Job {job_id} has no variant {variant_id}.")
    variant = next((v for v in locked.variants if v.id == variant_id), None)
    if variant is None:
        raise NotFound(f"Job {job_id} has no variant {variant_id}.")
    if variant.status not in ("failed", "canceled"):
        raise Conflict(
            f"Variant {variant_id} is {variant.status}; only failed or canceled variants "
            "can be retried."
        )
    variant.attempts = 0
    variant.error_code = variant.error_message = None
    variant.finished_at = None
    variant.started_at = None
    variant.duration_ms = None
    variant.queued_at = utcnow()
    if not variant.remote_result:
        variant.remote_task = None
    payload = VariantQueued(model=variant.model_id, attempt=0, reason="retry")
    return variant, await _move(session, locked, variant, "queued", payload)
