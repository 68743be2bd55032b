"""Request latency by route template, as an ASGI middleware.

The label is the route's template (``/api/v1/jobs/{job_id}``), never the raw path, so
ids do not explode the number of series; a request no route matched is ``unmatched``.
"""

from __future__ import annotations

import time

from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from easel.ops.metrics import HTTP_LATENCY

UNMATCHED = "unmatched"


class HttpMetricsMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.monotonic()
        status = 500  # what the client sees when the app raises before answering

        async def send_and_note(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            HTTP_LATENCY.labels(scope["method"], _template(scope), str(status)).observe(
                time.monotonic() - started
            )


def _template(scope: Scope) -> str:
    # The router records the matched route in the scope it was given (ours).
    route = scope.get("route")
    path = getattr(route, "path", None) if isinstance(route, BaseRoute) else None
    return path if isinstance(path, str) else UNMATCHED
