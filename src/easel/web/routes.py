"""The dashboard: one HTML shell for every page, and its static files (no build step).

Every page answers with the same ``index.html``; the ES modules under ``static/js`` route
on the path. The shell carries a strict Content-Security-Policy: nothing loads from, or
talks to, anywhere but this server.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.responses import FileResponse
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


def _page() -> FileResponse:
    return FileResponse(STATIC_DIR / "index.html", media_type="text/html", headers=PAGE_HEADERS)


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
    """Serve the dashboard at ``/`` and its files at ``/static``."""
    app.include_router(router())
    app.mount("/static", DashboardFiles(directory=STATIC_DIR), name="static")
