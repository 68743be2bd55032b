"""Request latency by route template, as an ASGI middleware.

The label is the route's template (``/api/v1/jobs/{job_id}``), never the raw path, so
ids do not explode the number of series; a request no route matched is ``unmatched``.
"""

from __future__ import annotations

import time

from fastapi.routing import APIRoute
from starlette.routing import Route
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
    """The matched route's template with the prefixes of the routers it was included
    through: the router records the innermost route (``/jobs/{job_id}``), so the prefix
    is the part of the path in front of what that route's pattern matches."""
    route = scope.get("route")
    if not isinstance(route, Route | APIRoute):
        return UNMATCHED
    path = str(scope.get("path", ""))
    for cut in (i for i, char in enumerate(path) if char == "/"):
        if route.path_regex.match(path[cut:]):
            return path[:cut] + route.path_format
    return route.path_format
