"""Lineage: which images each job worked from, and what was made from an image.

A job's inputs are rows of ``job_inputs``; its variants' results are "made from" them,
and an input image's "made into" is every job that names it. Every query is scoped to
one user: the same image may be in two users' lineages, and neither sees the other's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession

from easel.db.tables import Job, JobInput, Variant


@dataclass(frozen=True)
class InputRef:
    role: str
    position: int
    sha256: str


async def add_inputs(
    session: AsyncSession, *, job_id: str, user_id: str, inputs: Sequence[InputRef]
) -> None:
    if not inputs:
        return
    session.add_all(
        JobInput(job_id=job_id, role=i.role, position=i.position, user_id=user_id, sha256=i.sha256)
        for i in inputs
    )
    await session.flush()


async def inputs_of(session: AsyncSession, *, job_ids: Sequence[str]) -> dict[str, list[InputRef]]:
    """Each job's inputs, in role and position order."""
    found: dict[str, list[InputRef]] = {j: [] for j in job_ids}
    if not job_ids:
        return found
    query = (
        select(JobInput)
        .where(JobInput.job_id.in_(job_ids))
        .order_by(JobInput.job_id, JobInput.role, JobInput.position)
    )
    for row in (await session.scalars(query)).all():
        found[row.job_id].append(InputRef(row.role, row.position, row.sha256))
    return found


@dataclass(frozen=True)
class Use:
    """One job of the user that worked from an image."""

    sha256: str
    job_id: str
    role: str
    operation: str


async def uses_of(session: AsyncSession, *, user_id: str, shas: Sequence[str]) -> list[Use]:
    """The user's jobs that worked from any of ``shas`` (their "made into"), oldest first."""
    if not shas:
        return []
    query = (
        select(JobInput.sha256, JobInput.job_id, JobInput.role, Job.operation)
        .join(Job, Job.id == JobInput.job_id)
        .where(JobInput.user_id == user_id, JobInput.sha256.in_(set(shas)))
        .order_by(JobInput.job_id)
    )
    return [Use(*row) for row in (await session.execute(query)).tuples()]


def descends_from(user_id: str, sha256: str) -> ColumnElement[bool]:
    """Jobs made from ``sha256`` or, transitively, from anything made from it.

    A recursive walk over the user's own inputs: an image leads to the jobs that used it,
    a job to the images its variants made. ``UNION`` (not ``ALL``) drops repeats, so the
    walk ends even if lineage ever loops."""
    start = select(JobInput.sha256.label("sha")).where(
        JobInput.user_id == user_id, JobInput.sha256 == sha256
    )
    walk = start.cte("lineage", recursive=True)
    step = (
        select(Variant.image_sha256.label("sha"))
        .join(JobInput, JobInput.job_id == Variant.job_id)
        .join(walk, walk.c.sha == JobInput.sha256)
        .where(JobInput.user_id == user_id, Variant.image_sha256.is_not(None))
    )
    lineage = walk.union(step)
    used = select(JobInput.job_id).where(
        JobInput.user_id == user_id, JobInput.sha256.in_(select(lineage.c.sha))
    )
    return Job.id.in_(used)
