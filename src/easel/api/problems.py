"""Every error as ``application/problem+json`` (RFC 9457): what was wrong, how to fix it."""

from __future__ import annotations

import logging
import re
from functools import lru_cache
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError
from starlette.exceptions import HTTPException
from starlette.routing import Match

from easel.api.limits import BodyTooLarge
from easel.api.openai_errors import OPENAI_PREFIX, OpenAIError
from easel.errors import EaselError, TooBusy, UserInputError
from easel.redaction import redact

log = logging.getLogger(__name__)
PROBLEM = "application/problem+json"
TYPE_BASE = "https://easel.dev/problems/"


def problem(
    status: int,
    title: str,
    detail: str,
    *,
    code: str,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    body = {"type": TYPE_BASE + code, "title": title, "status": status, "detail": detail}
    body.update({k: v for k, v in extra.items() if v is not None})
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


def _location(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "request"


async def _validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {"field": _location(tuple(e.get("loc", ()))), "message": e.get("msg", "invalid")}
        for e in exc.errors()
    ]
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
    return problem(
        422,
        "Invalid request",
        detail,
        code="invalid-input",
        errors=errors,
        hint="Fix the fields listed in errors; the schema is at /docs.",
    )


async def _model_validation(request: Request, exc: Exception) -> JSONResponse:
    """A pydantic model built inside a route (not from the request) refused its input:
    still the caller's input, so 422, never 500."""
    assert isinstance(exc, ValidationError)
    return await _validation(request, RequestValidationError(exc.errors()))


def _headers(exc: UserInputError) -> dict[str, str] | None:
    if isinstance(exc, TooBusy):
        return {"Retry-After": str(exc.retry_after)}
    if exc.status == 401:
        return {"WWW-Authenticate": "Bearer"}
    return None


async def _easel(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, EaselError)
    if isinstance(exc, UserInputError):
        return problem(
            exc.status,
            exc.code.replace("-", " ").capitalize(),
            exc.message,
            code=exc.code,
            hint=exc.hint,
            field=exc.field,
            allowed=exc.allowed,
            headers=_headers(exc),
        )
    log.warning("unexpected %s at %s: %s", type(exc).__name__, request.url.path, exc)
    detail = redact(exc.message, request.app.state.services.settings)
    return problem(503, "Service problem", detail, code=exc.code, hint=exc.hint)


METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


@lru_cache(maxsize=512)
def _template(path: str) -> re.Pattern[str]:
    pattern = re.sub(r"\\\{[^}]*:path\\\}", ".+", re.escape(path))
    return re.compile("^" + re.sub(r"\\\{[^}]*\\\}", "[^/]+", pattern) + "$")


def allowed_methods(request: Request) -> list[str]:
    """The methods of the path as the OpenAPI document describes it (the most specific
    template: ``/webhooks/secret`` before ``/webhooks/{id}``), else of every route that
    matches. Starlette's own 405 names only the first matching route's methods."""
    path = request.scope.get("path", "")
    paths: dict[str, dict[str, Any]] = request.app.openapi().get("paths", {})
    documented = sorted(
        (template for template in paths if _template(template).match(path)),
        key=lambda template: template.count("{"),
    )
    if documented:
        allowed = [m for m in METHODS if m.lower() in paths[documented[0]]]
    else:
        allowed = [
            m
            for m in METHODS
            if any(
                route.matches({**request.scope, "method": m})[0] == Match.FULL
                for route in request.app.router.routes
            )
        ]
    return [*allowed, "OPTIONS"]


async def _http(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 405:
        allow = {"Allow": ", ".join(allowed_methods(request))}
        if request.method == "OPTIONS":
            return Response(status_code=204, headers=allow)
        exc.headers = {**(exc.headers or {}), **allow}
    if request.url.path.startswith(OPENAI_PREFIX):
        error = OpenAIError(exc.status_code, str(exc.detail), headers=dict(exc.headers or {}))
        return error.response()
    hints = {
        404: "Check the path; the API is described at /docs.",
        405: "Check the HTTP method; the API is described at /docs.",
    }
    return problem(
        exc.status_code,
        str(exc.detail),
        str(exc.detail),
        code=f"http-{exc.status_code}",
        hint=hints.get(exc.status_code),
        headers=getattr(exc, "headers", None),
    )


async def _too_large(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, BodyTooLarge)
    return problem(
        413,
        "Request body too large",
        str(exc.detail),
        code="body-too-large",
        hint=exc.hint,
        limit_bytes=exc.limit,
        setting=exc.setting,
        headers={"Connection": "close"},
    )


async def _integrity(request: Request, exc: Exception) -> JSONResponse:
    # A uniqueness race the route's own check did not catch: the caller can retry.
    log.info("integrity conflict at %s: %s", request.url.path, exc)
    return problem(
        409,
        "Conflict",
        "The change conflicts with data saved at the same moment.",
        code="conflict",
        hint="Reload and try again.",
    )


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error at %s", request.url.path)
    return problem(
        500,
        "Internal error",
        "Easel hit an unexpected error; it has been logged.",
        code="internal",
        hint="Try again; if it persists, report it with the server log.",
    )


def install(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(ValidationError, _model_validation)
    app.add_exception_handler(EaselError, _easel)
    app.add_exception_handler(HTTPException, _http)
    app.add_exception_handler(BodyTooLarge, _too_large)
    app.add_exception_handler(IntegrityError, _integrity)
    app.add_exception_handler(Exception, _unexpected)
