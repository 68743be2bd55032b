"""The dashboard: one HTML shell for every page, and its static files (no build step).

Every page answers with the same ``index.html``; the ES modules under ``static/js`` route
on the path. A browser asking for a path that is no page gets the same shell with status
404, and the shell says the page does not exist (API callers keep their problem+json).
The shell carries a strict Content-Security-Policy: nothing loads from, or talks to,
anywhere but this server.
"""

from __future__ import annotations

from inspect import isawaitable
from pathlib import Path

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import FileResponse
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

STATIC_DIR = Path(__file__).parent / "static"
PAGES = (
    "/",
    "/sign-in",
    "/history",
    "/history/{job_id}",
    "/compare",
    "/compare/{job_id}",
    "/presets",
    "/stats",
    "/settings",
)
CSP = "; ".join(
    (
        "default-src 'self'",
        "img-src 'self' data: blob:",
        "script-src 'self'",
        "style-src 'self'",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
PAGE_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-cache",
}


class DashboardFiles(StaticFiles):
    """Static files, revalidated on each load (no build step means no hashed names)."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        response.headers["Cache-Control"] = "no-cache"
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response


NOT_PAGES = ("/api/", "/v1/", "/static/", "/mcp", "/docs", "/redoc", "/openapi")
"""Paths that are never dashboard pages: their 404 stays the API's."""


def _page(status_code: int = 200) -> FileResponse:
    return FileResponse(
        STATIC_DIR / "index.html",
        status_code=status_code,
        media_type="text/html",
        headers=PAGE_HEADERS,
    )


def _is_page_request(request: Request) -> bool:
    """A browser navigating to a path outside the API, the files and the docs."""
    path = request.url.path
    if request.method not in ("GET", "HEAD") or path.startswith(NOT_PAGES):
        return False
    return "text/html" in request.headers.get("accept", "")


def _favicon() -> FileResponse:
    return FileResponse(
        STATIC_DIR / "img" / "favicon.svg", media_type="image/svg+xml", headers=PAGE_HEADERS
    )


def router() -> APIRouter:
    pages = APIRouter(include_in_schema=False)
    for path in PAGES:
        pages.add_api_route(path, _page, methods=["GET", "HEAD"], response_class=FileResponse)
    pages.add_api_route("/favicon.ico", _favicon, methods=["GET"], response_class=FileResponse)
    return pages


def install(app: FastAPI) -> None:
    """Serve the dashboard at ``/`` and its files at ``/static``; call after the API's
    error handlers are installed (an unknown page's 404 wraps theirs)."""
    app.include_router(router())
    app.mount("/static", DashboardFiles(directory=STATIC_DIR), name="static")
    api_answer = app.exception_handlers[HTTPException]

    async def not_found(request: Request, exc: Exception) -> Response:
        page = isinstance(exc, HTTPException) and exc.status_code == 404
        if page and _is_page_request(request):
            return _page(404)
        answer = api_answer(request, exc)
        return await answer if isawaitable(answer) else answer

    app.add_exception_handler(HTTPException, not_found)
