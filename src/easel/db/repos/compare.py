"""Compare winners and the per-user model leaderboard they add up to.

A job has one job-wide pick (``Job.winner_variant_id``); a compare grid can also have a
pick per row, column or cell (``GridWinner``). Each pick is a contest among the models of
the variants in its scope."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, delete, select, union, update
from sqlalchemy.ext.asyncio import AsyncSession

from easel.db.ids import utcnow
from easel.db.tables import GridWinner, Job, Variant

JOB_SCOPE = "job"


@dataclass
class Standing:
    model: str
    wins: int = 0
    contests: int = 0
    """Judged jobs (or grid rows, columns, cells) this model took part in."""

    @property
    def win_rate(self) -> float:
        return self.wins / self.contests if self.contests else 0.0


def scope_of(row: int | None, column: int | None) -> str:
    """The key of a pick: the whole job, a grid row, a column or a cell."""
    if row is None and column is None:
        return JOB_SCOPE
    if row is None:
        return f"column:{column}"
    if column is None:
        return f"row:{row}"
    return f"cell:{column}:{row}"


def in_scope(scope: str, params: dict[str, Any]) -> bool:
    """Whether a variant (by its params) takes part in the pick of ``scope``."""
    if scope == JOB_SCOPE:
        return True
    cell = params.get("cell")
    if not isinstance(cell, dict):
        return False
    kind, _, rest = scope.partition(":")
    if kind == "row":
        return str(cell.get("row")) == rest
    if kind == "column":
        return str(cell.get("column")) == rest
    return f"{cell.get('column')}:{cell.get('row')}" == rest


async def set_winner(
    session: AsyncSession, *, user_id: str, job_id: str, variant_id: str | None
) -> bool:
    """Store (or clear, with None) the job's winner; False when the job is not the user's."""
    result = await session.execute(
        update(Job)
        .where(Job.id == job_id, Job.user_id == user_id)
        .values(winner_variant_id=variant_id)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def set_grid_winner(
    session: AsyncSession, *, job_id: str, scope: str, variant_id: str | None
) -> None:
    """Store (or clear) the pick of one grid scope; the caller checked the job is the user's."""
    await session.execute(
        delete(GridWinner).where(GridWinner.job_id == job_id, GridWinner.scope == scope)
    )
    if variant_id is not None:
        session.add(
            GridWinner(job_id=job_id, scope=scope, variant_id=variant_id, picked_at=utcnow())
        )
        await session.flush()


async def grid_winners(session: AsyncSession, *, job_id: str) -> dict[str, str]:
    """Scope → picked variant id, for one job (its owner already checked)."""
    rows = await session.execute(
        select(GridWinner.scope, GridWinner.variant_id).where(GridWinner.job_id == job_id)
    )
    return dict(rows.tuples().all())


def _judged(user_id: str) -> tuple[Select[str, str | None], Select[str, str, str]]:
    """The user's job-wide picks, and their grid picks."""
    job_wide = select(Job.id, Job.winner_variant_id).where(
        Job.user_id == user_id, Job.winner_variant_id.is_not(None)
    )
    grid = (
        select(GridWinner.job_id, GridWinner.scope, GridWinner.variant_id)
        .join(Job, Job.id == GridWinner.job_id)
        .where(Job.user_id == user_id)
    )
    return job_wide, grid


async def leaderboard(session: AsyncSession, *, user_id: str) -> list[Standing]:
    """Every model that took part in a judged contest, most wins first."""
    job_wide, grid = _judged(user_id)
    picks = [
        (job_id, JOB_SCOPE, str(v)) for job_id, v in (await session.execute(job_wide)).tuples()
    ]
    picks += [(job_id, scope, v) for job_id, scope, v in (await session.execute(grid)).tuples()]
    if not picks:
        return []
    # The judged jobs as a subquery, not a list of ids: a long history stays one query.
    judged = union(select(job_wide.subquery().c.id), select(grid.subquery().c.job_id)).subquery()
    rows: Sequence[tuple[str, str, str, dict[str, Any]]] = (
        (
            await session.execute(
                select(Variant.job_id, Variant.id, Variant.model_id, Variant.params).where(
                    Variant.job_id.in_(select(judged.c[0]))
                )
            )
        )
        .tuples()
        .all()
    )
    by_job: dict[str, list[tuple[str, str, dict[str, Any]]]] = {}
    for job_id, variant_id, model, params in rows:
        by_job.setdefault(job_id, []).append((variant_id, model, params))
    standings: dict[str, Standing] = {}
    for job_id, scope, winner_id in picks:
        entrants = [(v, m) for v, m, params in by_job.get(job_id, []) if in_scope(scope, params)]
        for model in {m for _, m in entrants}:
            standings.setdefault(model, Standing(model)).contests += 1
        for variant_id, model in entrants:
            if variant_id == winner_id:
                standings[model].wins += 1
    return sorted(standings.values(), key=lambda s: (-s.wins, -s.win_rate, s.model))
