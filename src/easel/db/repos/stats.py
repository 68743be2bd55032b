"""Per-model statistics of a user's variants."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from easel.db.tables import Variant


@dataclass
class ModelTally:
    model: str
    count: int = 0
    by_status: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    durations_ms: list[int] = field(default_factory=list)
    cost_usd: Decimal = Decimal(0)

    def percentile(self, fraction: float) -> int | None:
        """Nearest-rank percentile of successful generation times."""
        if not self.durations_ms:
            return None
        ordered = sorted(self.durations_ms)
        rank = max(1, -(-int(fraction * 100) * len(ordered) // 100))
        return ordered[min(rank, len(ordered)) - 1]

    @property
    def success_rate(self) -> float | None:
        finished = self.by_status["succeeded"] + self.by_status["failed"]
        return self.by_status["succeeded"] / finished if finished else None


async def model_stats(session: AsyncSession, *, user_id: str) -> list[ModelTally]:
    query = select(Variant.model_id, Variant.status, Variant.duration_ms, Variant.cost_usd).where(
        Variant.user_id == user_id
    )
    tallies: dict[str, ModelTally] = {}
    for model_id, status, duration_ms, cost in (await session.execute(query)).tuples():
        tally = tallies.setdefault(model_id, ModelTally(model_id))
        tally.count += 1
        tally.by_status[status] += 1
        if status == "succeeded" and duration_ms is not None:
            tally.durations_ms.append(duration_ms)
        tally.cost_usd += cost or Decimal(0)
    return sorted(tallies.values(), key=lambda t: t.model)
