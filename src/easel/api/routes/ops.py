"""Operations endpoints at the root: ``/metrics`` (Prometheus) and ``/readyz``."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from easel.api.deps import ServicesDep
from easel.api.error_docs import PROBLEM_RESPONSES
from easel.api.problems import problem
from easel.ops import metrics
from easel.ops.readiness import check_all
from easel.ops.scrape_access import authorize_scrape

router = APIRouter(tags=["operations"], responses=PROBLEM_RESPONSES)


@router.get(
    "/metrics",
    response_class=PlainTextResponse,
    summary="Prometheus metrics",
    description="Prometheus text format. Open to loopback callers when no "
    "`EASEL_METRICS_TOKEN` is set; otherwise it needs `Authorization: Bearer <token>`.",
)
async def prometheus_metrics(request: Request, services: ServicesDep) -> Response:
    authorize_scrape(request, services.settings.metrics_token)
    await metrics.refresh_shared(services.db, services.catalog.providers)
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)


@router.get(
    "/readyz",
    summary="Ready to serve",
    description="200 when the database, the image store and Redis (when configured) "
    "answer; otherwise 503 naming what is down.",
)
async def ready(services: ServicesDep) -> JSONResponse:
    # The Redis setting belongs to the queue; read the same variable it is configured by.
    outcomes = await check_all(services.db, services.store, services.settings.redis_url)
    checks = {o.name: o.detail for o in outcomes}
    down = [o.name for o in outcomes if not o.ok]
    if not down:
        return JSONResponse({"status": "ready", "checks": checks})
    return problem(
        503,
        "Not ready",
        f"Unreachable: {', '.join(down)}.",
        code="not-ready",
        down=down,
        checks=checks,
    )
