"""create_app(settings): the FastAPI application."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI

from easel import __version__
from easel.api import error_docs, problems
from easel.api.compression import CompressionMiddleware
from easel.api.error_docs import PROBLEM_RESPONSES
from easel.api.limits import BodyLimitMiddleware
from easel.api.routes import (
    access,
    assist,
    compare,
    events,
    images,
    jobs,
    me,
    models,
    openai_compat,
    ops,
    presets,
    session,
    shared,
    shares,
    trends,
    uploads,
    webhooks,
)
from easel.assist.frames import DoneFrame
from easel.config import Settings
from easel.db.migrate import upgrade
from easel.mcp.http import MCPEndpoint
from easel.ops.http_metrics import HttpMetricsMiddleware
from easel.ops.logs import install_log_format
from easel.redaction import install_log_redaction
from easel.services import running_services
from easel.urls import API
from easel.web import routes as dashboard


def api_router() -> APIRouter:
    router = APIRouter(prefix=API, responses=PROBLEM_RESPONSES)
    modules = (
        jobs,
        events,
        images,
        uploads,
        models,
        me,
        presets,
        session,
        access,
        compare,
        trends,
        webhooks,
        assist,
        shares,
    )
    for module in modules:
        router.include_router(module.router)
    return router


def create_app(
    settings: Settings,
    *,
    migrate: bool = True,
    on_started: Callable[[], object] | None = None,
) -> FastAPI:
    """The studio's ASGI app. ``on_started`` runs once its services are up, before the
    first request: the process that owns the app settles its heap there."""
    mcp = MCPEndpoint(lambda: app.state.services, public_url=settings.public_url)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        if migrate:
            await asyncio.to_thread(upgrade, settings.resolved_database_url)
        # Logging is configured by now (uvicorn does it before start-up): redact it all.
        install_log_redaction(settings)
        install_log_format(settings.log_format)
        async with running_services(settings) as services, mcp.running():
            app.state.services = services
            if on_started is not None:
                on_started()
            yield

    app = FastAPI(
        title="Easel",
        version=__version__,
        summary="A self-hosted image generation studio over many image models.",
        lifespan=lifespan,
    )
    app.add_middleware(CompressionMiddleware, minimum_size=500)
    app.add_middleware(BodyLimitMiddleware, settings=settings)
    app.add_middleware(HttpMetricsMiddleware)
    problems.install(app)
    error_docs.install(app, extra=(DoneFrame,))
    # The OpenAI-compatible routes first: FastAPI tries routes in order, and a gateway
    # call would otherwise be matched against every route of the studio's API first.
    app.include_router(openai_compat.router)
    app.include_router(api_router())
    app.include_router(shared.router)
    app.include_router(ops.router)
    app.router.routes.append(mcp.route())
    dashboard.install(app)

    @app.get("/healthz", tags=["health"])
    async def health() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    return app
