"""The model catalog, its check against what vendors serve, and per-model statistics."""

from __future__ import annotations

from fastapi import APIRouter, Query

from easel.api.deps import AdminUser, CurrentUser, ServicesDep
from easel.api.schemas import ModelOut, ModelStats
from easel.db.repos import stats as stats_repo
from easel.engine.pricing import usd
from easel.providers.drift import DriftReport

router = APIRouter(tags=["models"])


@router.get("/models", response_model=list[ModelOut])
async def list_models(
    user: CurrentUser,
    services: ServicesDep,
    include_retired: bool = Query(
        default=False, description="Also list shut-down models (to name them in history)."
    ),
) -> list[ModelOut]:
    """Every model on offer with its capabilities, price, lifecycle (deprecated models
    carry their shutdown date) and whether it can run now (and if not, why). Admins also
    see, per model, what the last catalog check found (``drift``)."""
    notes = services.model_check.notes() if user.is_admin else None
    return [
        ModelOut.build(e, None if notes is None else notes.get(e.model.id, []))
        for e in services.catalog.entries(include_retired=include_retired)
    ]


@router.get("/models/check", response_model=DriftReport | None)
async def last_check(user: AdminUser, services: ServicesDep) -> DriftReport | None:
    """For admins: the last comparison of the catalog with what each vendor serves (null
    before the first). The server runs it daily with EASEL_CHECK_MODELS=true."""
    return services.model_check.report


@router.post("/models/check", response_model=DriftReport)
async def check_now(user: AdminUser, services: ServicesDep) -> DriftReport:
    """For admins: ask every configured vendor which models it serves, now."""
    return await services.model_check.run_now()


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
