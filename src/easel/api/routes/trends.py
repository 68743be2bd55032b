"""Series for the dashboard's charts: spend per day, and generation-time samples."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, timedelta
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from easel.api.deps import CurrentUser, ServicesDep
from easel.db.ids import utcnow
from easel.db.repos import assist as assist_repo
from easel.db.repos import trends as trend_repo

router = APIRouter(prefix="/stats", tags=["models"])


class DaySpend(BaseModel):
    date: date
    images: int
    failed: int
    cost_usd: str = Field(description="Everything spent that day: images and assistants.")
    image_cost_usd: str = "0"
    assists: int = Field(default=0, description="Assist runs (descriptions, suggestions).")
    assist_cost_usd: str = "0"


class DurationSamples(BaseModel):
    model: str
    samples_ms: list[int]


@router.get("/spend", response_model=list[DaySpend])
async def spend_by_day(
    user: CurrentUser,
    services: ServicesDep,
    days: Annotated[int, Query(ge=1, le=366)] = 30,
    tz_offset: Annotated[
        int, Query(ge=-840, le=840, description="Minutes east of UTC of the caller's days.")
    ] = 0,
) -> list[DaySpend]:
    """Images made, failures, assist runs and cost per day over the last `days` days
    (oldest first)."""
    shift = timedelta(minutes=tz_offset)
    today = (utcnow() + shift).date()
    first = today - timedelta(days=days - 1)
    since = utcnow() - timedelta(days=days + 1)
    async with services.db.session() as session:
        rows = await trend_repo.finished_since(session, user_id=user.id, since=since)
        assist_rows = await assist_repo.finished_since(session, user_id=user.id, since=since)
    images: Counter[date] = Counter()
    failed: Counter[date] = Counter()
    assists: Counter[date] = Counter()
    cost: defaultdict[date, Decimal] = defaultdict(Decimal)
    assist_cost: defaultdict[date, Decimal] = defaultdict(Decimal)
    for finished_at, status, usd in rows:
        day = (finished_at + shift).date()
        images[day] += status == "succeeded"
        failed[day] += status == "failed"
        cost[day] += usd or Decimal(0)
    for finished_at, usd in assist_rows:
        day = (finished_at + shift).date()
        assists[day] += 1
        assist_cost[day] += usd or Decimal(0)
    return [
        DaySpend(
            date=day,
            images=images[day],
            failed=failed[day],
            cost_usd=str(cost[day] + assist_cost[day]),
            image_cost_usd=str(cost[day]),
            assists=assists[day],
            assist_cost_usd=str(assist_cost[day]),
        )
        for day in (first + timedelta(days=i) for i in range(days))
    ]


@router.get("/durations", response_model=list[DurationSamples])
async def duration_samples(
    user: CurrentUser,
    services: ServicesDep,
    per_model: Annotated[int, Query(ge=1, le=2000)] = 300,
) -> list[DurationSamples]:
    """Generation times of each model's latest successful images, for a distribution chart."""
    async with services.db.session() as session:
        samples = await trend_repo.recent_durations(session, user_id=user.id, per_model=per_model)
    return [DurationSamples(model=m, samples_ms=s) for m, s in sorted(samples.items())]
