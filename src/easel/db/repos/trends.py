"""Time series behind the dashboard's charts: spend per day and generation times."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from easel.db.ids import as_utc
from easel.db.tables import Variant

MAX_DURATION_ROWS = 20_000


async def finished_since(
    session: AsyncSession, *, user_id: str, since: datetime
) -> list[tuple[datetime, str, Decimal | None]]:
    """(finished_at, status, cost) of the user's variants finished at or after ``since``."""
    query = select(Variant.finished_at, Variant.status, Variant.cost_usd).where(
        Variant.user_id == user_id,
        Variant.finished_at.is_not(None),
        Variant.finished_at >= since,
    )
    rows: Sequence[tuple[datetime | None, str, Decimal | None]] = (
        (await session.execute(query)).tuples().all()
    )
    return [(as_utc(at), status, cost) for at, status, cost in rows if at is not None]


async def recent_durations(
    session: AsyncSession, *, user_id: str, per_model: int
) -> dict[str, list[int]]:
    """Generation times (ms) of each model's latest successful variants, newest first."""
    query = (
        select(Variant.model_id, Variant.duration_ms)
        .where(
            Variant.user_id == user_id,
            Variant.status == "succeeded",
            Variant.duration_ms.is_not(None),
        )
        .order_by(Variant.finished_at.desc())
        .limit(MAX_DURATION_ROWS)
    )
    samples: dict[str, list[int]] = {}
    for model, duration in (await session.execute(query)).tuples():
        kept = samples.setdefault(model, [])
        if duration is not None and len(kept) < per_model:
            kept.append(duration)
    return samples
