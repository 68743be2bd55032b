"""Compare winners and the per-user model leaderboard they add up to."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from easel.db.tables import Job, Variant


@dataclass
class Standing:
    model: str
    wins: int = 0
    contests: int = 0
    """Judged jobs this model took part in."""

    @property
    def win_rate(self) -> float:
        return self.wins / self.contests if self.contests else 0.0


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


async def leaderboard(session: AsyncSession, *, user_id: str) -> list[Standing]:
    """Every model that took part in a judged job, most wins first."""
    judged = (
        select(Job.id, Job.winner_variant_id)
        .where(Job.user_id == user_id, Job.winner_variant_id.is_not(None))
        .subquery()
    )
    rows: Sequence[tuple[str, str, str, str | None]] = (
        (
            await session.execute(
                select(
                    Variant.job_id, Variant.id, Variant.model_id, judged.c.winner_variant_id
                ).join(judged, judged.c.id == Variant.job_id)
            )
        )
        .tuples()
        .all()
    )
    standings: dict[str, Standing] = {}
    seen: set[tuple[str, str]] = set()
    for job_id, variant_id, model, winner_id in rows:
        standing = standings.setdefault(model, Standing(model))
        if (job_id, model) not in seen:
            seen.add((job_id, model))
            standing.contests += 1
        if variant_id == winner_id:
            standing.wins += 1
    return sorted(standings.values(), key=lambda s: (-s.wins, -s.win_rate, s.model))
