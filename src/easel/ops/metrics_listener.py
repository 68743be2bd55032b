"""A metrics-only HTTP listener for `easel worker`, which serves no API: ``GET /metrics``
with this process's series (variants running per provider, their durations, failures and
cost, and the process's own CPU and memory), under the API's access rule (the metrics
token, or loopback callers only). Off unless ``EASEL_WORKER_METRICS_PORT`` is set.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import AsyncIterator, Iterator

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from easel.api import problems
from easel.config import Settings
from easel.ops.scrape_access import authorize_scrape

log = logging.getLogger(__name__)


def metrics_app(token: str) -> FastAPI:
    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
    problems.install(app)

    @app.get("/metrics")
    async def scrape(request: Request) -> Response:
        authorize_scrape(request, token)
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return app


class _Listener(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        # The worker handles SIGTERM itself (handing its variants back first).
        yield


@contextlib.asynccontextmanager
async def metrics_listener(settings: Settings) -> AsyncIterator[None]:
    """Serve ``/metrics`` while inside, when a port is configured."""
    if not settings.worker_metrics_port:
        yield
        return
    # Bound here, so a port in use fails the start with the OSError naming it.
    sock = socket.create_server((settings.worker_metrics_host, settings.worker_metrics_port))
    config = uvicorn.Config(
        metrics_app(settings.metrics_token), log_config=None, access_log=False, lifespan="off"
    )
    server = _Listener(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    log.info(
        "metrics on http://%s:%d/metrics",
        settings.worker_metrics_host,
        settings.worker_metrics_port,
    )
    try:
        yield
    finally:
        server.should_exit = True
        await task
        sock.close()
