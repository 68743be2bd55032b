"""The model catalog and per-model statistics."""

from __future__ import annotations

from fastapi import APIRouter

from easel.api.deps import CurrentUser, ServicesDep
from easel.api.schemas import ModelOut, ModelStats
from easel.db.repos import stats as stats_repo
from easel.engine.pricing import usd

router = APIRouter(tags=["models"])


@router.get("/models", response_model=list[ModelOut])
async def list_models(user: CurrentUser, services: ServicesDep) -> list[ModelOut]:
    """Every model with its capabilities, price, and whether it can run now (and if not, why)."""
    return [ModelOut.build(e) for e in services.catalog.entries()]


@router.get("/stats/models", response_model=list[ModelStats])
async def model_stats(user: CurrentUser, services: ServicesDep) -> list[ModelStats]:
    """Per model: variants, success rate, p50/p95 generation time and total cost."""
    async with services.db.session() as session:
        tallies = await stats_repo.model_stats(session, user_id=user.id)
    return [
        ModelStats(
            model=t.model,
            count=t.count,
            succeeded=t.by_status["succeeded"],
            failed=t.by_status["failed"],
            canceled=t.by_status["canceled"],
            success_rate=t.success_rate,
            p50_ms=t.percentile(0.5),
            p95_ms=t.percentile(0.95),
            total_cost_usd=usd(t.cost_usd),
        )
        for t in tallies
    ]
