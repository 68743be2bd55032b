"""Jobs and their variants. Every query that takes a ``user_id`` is scoped to that user."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    Select,
    Table,
    and_,
    bindparam,
    delete,
    exists,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from easel.db.repos.lineage import descends_from
from easel.db.tables import Image, Job, JobInput, Variant


@dataclass(frozen=True)
class JobFilters:
    model: str | None = None
    status: str | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None
    favorite: bool | None = None
    text: str | None = None
    id_prefix: str | None = None
    """Jobs whose id starts with this (the CLI accepts a unique prefix of an id)."""
    operation: str | None = None
    descendants_of: str | None = None
    """An image's sha256: only jobs made from it, directly or through other results."""


async def get_job(session: AsyncSession, *, user_id: str, job_id: str) -> Job | None:
    return await session.scalar(select(Job).where(Job.id == job_id, Job.user_id == user_id))


async def variants_of(session: AsyncSession, *, job_ids: Sequence[str]) -> Sequence[Variant]:
    """The jobs' variants in position order."""
    if not job_ids:
        return []
    query = select(Variant).where(Variant.job_id.in_(job_ids)).order_by(Variant.position)
    return (await session.scalars(query)).all()


async def images_of(session: AsyncSession, *, shas: Sequence[str]) -> dict[str, Image]:
    if not shas:
        return {}
    rows = (await session.scalars(select(Image).where(Image.sha256.in_(set(shas))))).all()
    return {row.sha256: row for row in rows}


def _matching(user_id: str, filters: JobFilters) -> Select[Job]:
    query = select(Job).where(Job.user_id == user_id)
    if filters.status:
        query = query.where(Job.status == filters.status)
    if filters.favorite is not None:
        query = query.where(Job.favorite == filters.favorite)
    if filters.created_after:
        query = query.where(Job.created_at >= filters.created_after)
    if filters.created_before:
        query = query.where(Job.created_at < filters.created_before)
    if filters.text:
        query = query.where(Job.prompt.icontains(filters.text, autoescape=True))
    if filters.id_prefix:
        query = query.where(Job.id.startswith(filters.id_prefix, autoescape=True))
    if filters.operation:
        query = query.where(Job.operation == filters.operation)
    if filters.descendants_of:
        query = query.where(descends_from(user_id, filters.descendants_of))
    if filters.model:
        query = query.where(
            exists().where(Variant.job_id == Job.id, Variant.model_id == filters.model)
        )
    return query


async def list_jobs(
    session: AsyncSession,
    *,
    user_id: str,
    filters: JobFilters,
    before_id: str | None,
    limit: int,
) -> Sequence[Job]:
    """Newest first. Ids start with their creation time, so keyset paging on id alone
    is both stable and ordered by time."""
    query = _matching(user_id, filters)
    if before_id:
        query = query.where(Job.id < before_id)
    query = query.order_by(Job.id.desc()).limit(limit)
    return (await session.scalars(query)).all()


async def count_jobs(session: AsyncSession, *, user_id: str, filters: JobFilters) -> int:
    """How many jobs match, for "N jobs" above a gallery that shows them a page at a time."""
    query = select(func.count()).select_from(_matching(user_id, filters).subquery())
    return int(await session.scalar(query) or 0)


async def set_favorite(session: AsyncSession, *, user_id: str, job_id: str, value: bool) -> bool:
    result = await session.execute(
        update(Job).where(Job.id == job_id, Job.user_id == user_id).values(favorite=value)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def delete_job(session: AsyncSession, *, user_id: str, job_id: str) -> set[str] | None:
    """Delete a job, its variants and its inputs; return the sha256 of the images they
    produced or worked from (the caller marks those nothing else refers to), or None when
    the job does not exist for this user."""
    job = await session.scalar(
        select(Job).where(Job.id == job_id, Job.user_id == user_id).with_for_update()
    )
    if job is None:
        return None
    shas = set(
        (
            await session.scalars(
                select(Variant.image_sha256).where(
                    Variant.job_id == job_id, Variant.image_sha256.is_not(None)
                )
            )
        ).all()
    )
    inputs = await session.scalars(select(JobInput.sha256).where(JobInput.job_id == job_id))
    shas.update(inputs.all())
    await session.execute(delete(JobInput).where(JobInput.job_id == job_id))
    await session.execute(delete(Variant).where(Variant.job_id == job_id))
    await session.delete(job)
    await session.flush()
    return {sha for sha in shas if sha is not None}


def _held_by(variant_id: str, owner: str) -> ColumnElement[bool]:
    """The variant is running under this worker's lease."""
    return and_(Variant.id == variant_id, Variant.lease_owner == owner, Variant.status == "running")


async def held_variant(session: AsyncSession, *, variant_id: str, owner: str) -> Variant | None:
    """The variant, if this worker still holds it."""
    return await session.scalar(select(Variant).where(_held_by(variant_id, owner)))


_VARIANTS = cast(Table, Variant.__table__)
# Built once: building a statement costs more CPU than running it on this path.
_SAVE_TASK = (
    update(_VARIANTS)
    .where(
        _VARIANTS.c.id == bindparam("variant_id"),
        _VARIANTS.c.lease_owner == bindparam("owner"),
        _VARIANTS.c.status == "running",
    )
    .values(remote_task=bindparam("task", type_=_VARIANTS.c.remote_task.type))
)


async def save_remote_tasks(
    session: AsyncSession, *, owner: str, tasks: Sequence[tuple[str, dict[str, Any]]]
) -> None:
    """Save the remote tasks of the variants this worker still holds, in one statement
    (others are left alone: canceled or taken back meanwhile)."""
    params = [{"variant_id": v, "owner": owner, "task": task} for v, task in tasks]
    await session.execute(_SAVE_TASK, params)


async def renew_leases(session: AsyncSession, *, owner: str, until: datetime) -> set[str]:
    """Extend every lease this worker holds, in one statement; return the ids of the
    variants it still holds.

    Rows a transition has locked right now are skipped rather than waited for (renewed
    next time), so renewing never joins a lock queue: it cannot deadlock with the
    transitions, which lock a job row before its variants.
    """
    mine = (Variant.lease_owner == owner) & (Variant.status == "running")
    unlocked = select(Variant.id).where(mine).with_for_update(skip_locked=True)
    await session.execute(
        update(Variant)
        .where(Variant.id.in_(unlocked.scalar_subquery()))
        .values(lease_expires_at=until)
        .execution_options(synchronize_session=False)
    )
    return set((await session.scalars(select(Variant.id).where(mine))).all())


async def ids_to_resume(session: AsyncSession, *, now: datetime) -> Sequence[tuple[str, str, bool]]:
    """Variants waiting to run, as (id, user id, lapsed): queued ones, and running ones
    whose lease lapsed (those must go back to queued first)."""
    lapsed = (Variant.status == "running") & (Variant.lease_expires_at < now)
    query = (
        select(Variant.id, Variant.user_id, lapsed)
        .where(or_(Variant.status == "queued", lapsed))
        .order_by(Variant.queued_at)
    )
    rows = (await session.execute(query)).tuples()
    return [(vid, user_id, bool(was_lapsed)) for vid, user_id, was_lapsed in rows]


_COUNT_QUEUED = (
    select(func.count())
    .select_from(_VARIANTS)
    .where(_VARIANTS.c.user_id == bindparam("user_id"), _VARIANTS.c.status == "queued")
)


async def count_queued(session: AsyncSession, *, user_id: str) -> int:
    """How many of the user's variants wait for a worker."""
    return int(await session.scalar(_COUNT_QUEUED, {"user_id": user_id}) or 0)


async def leased_variants(session: AsyncSession, *, now: datetime) -> Sequence[tuple[str, str]]:
    """(variant id, lease owner) of running variants whose lease has not lapsed."""
    query = select(Variant.id, Variant.lease_owner).where(
        Variant.status == "running",
        Variant.lease_expires_at >= now,
        Variant.lease_owner.is_not(None),
    )
    return [(vid, str(owner)) for vid, owner in (await session.execute(query)).tuples()]


async def count_variants(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(Variant)) or 0)


async def job_image(session: AsyncSession, *, job_id: str, sha256: str) -> Image | None:
    """The image, if one of the job's variants made it."""
    made = exists().where(Variant.job_id == job_id, Variant.image_sha256 == sha256)
    return await session.scalar(select(Image).where(Image.sha256 == sha256, made))
