"""Errors of the OpenAI-compatible endpoint, in OpenAI's shape.

``{"error": {"message", "type", "param", "code"}}`` with OpenAI's status codes, so the
official SDKs raise their own exception types (BadRequestError, AuthenticationError,
NotFoundError …). `OpenAIRoute` translates Easel's errors once, at this edge; the rest
of the API keeps answering problem+json.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import ValidationError
from starlette.exceptions import HTTPException

from easel.api.limits import BodyTooLarge
from easel.config import Settings
from easel.errors import (
    EaselError,
    ModelRetired,
    NotFound,
    TooBusy,
    Unauthorized,
    UserInputError,
)
from easel.redaction import redact

log = logging.getLogger(__name__)

OPENAI_PREFIX = "/v1/"

# Easel's field names → the OpenAI parameter they come from.
PARAMS = {"models": "model", "reference_images": "image", "aspect_ratio": "size"}

# A failed variant's error code → (status, type, code) a client of OpenAI expects.
FAILURES: dict[str, tuple[int, str, str]] = {
    "content-rejected": (400, "invalid_request_error", "content_policy_violation"),
    "unsupported": (400, "invalid_request_error", "unsupported_parameter"),
    "rate-limited": (429, "rate_limit_error", "rate_limit_exceeded"),
    "quota": (429, "insufficient_quota", "insufficient_quota"),
}


class OpenAIError(Exception):
    def __init__(
        self,
        status: int,
        message: str,
        *,
        type: str = "invalid_request_error",
        param: str | None = None,
        code: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.type = type
        self.param = param
        self.code = code
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        return {
            "error": {
                "message": self.message,
                "type": self.type,
                "param": self.param,
                "code": self.code,
            }
        }

    def response(self) -> JSONResponse:
        return JSONResponse(self.body(), status_code=self.status, headers=self.headers)


def from_easel(exc: EaselError, settings: Settings) -> OpenAIError:
    if isinstance(exc, Unauthorized):
        return OpenAIError(
            401,
            f"{exc.message} Use an Easel API token as the API key.",
            code="invalid_api_key",
            headers={"WWW-Authenticate": "Bearer"},
        )
    if isinstance(exc, ModelRetired):
        # OpenAI answers a retired model id with 404 model_not_found; so does Easel, naming
        # the replacement in the message.
        return OpenAIError(404, str(exc), param="model", code="model_not_found")
    if isinstance(exc, TooBusy):
        return OpenAIError(
            429,
            str(exc),
            type="rate_limit_error",
            code="rate_limit_exceeded",
            headers={"Retry-After": str(exc.retry_after)},
        )
    if isinstance(exc, UserInputError):
        message = exc.message
        if exc.allowed:
            message += f" Allowed values: {', '.join(exc.allowed)}."
        elif exc.hint:
            message += f" {exc.hint}"
        param = PARAMS.get(exc.field or "", exc.field)
        if isinstance(exc, NotFound):
            code = "model_not_found" if param == "model" else "not_found"
            return OpenAIError(404, message, param=param, code=code)
        return OpenAIError(exc.status if exc.status != 422 else 400, message, param=param)
    return OpenAIError(500, redact(str(exc), settings), type="server_error", code=exc.code)


def failure(code: str | None, message: str, job_id: str) -> OpenAIError:
    """The error for a job that produced no image, from its first failed variant."""
    status, kind, openai_code = FAILURES.get(code or "", (502, "server_error", code or "failed"))
    # Easel already retried the provider; a client retry would start (and pay for) a new job.
    headers = {"x-should-retry": "false", "x-easel-job-id": job_id}
    return OpenAIError(
        status, f"{message} (Easel job {job_id})", type=kind, code=openai_code, headers=headers
    )


def _validation(exc: RequestValidationError) -> OpenAIError:
    first = exc.errors()[0] if exc.errors() else {}
    loc = [str(p) for p in first.get("loc", ()) if p not in ("body", "query", "path")]
    param = loc[0] if loc else None
    where = f"{'.'.join(loc)}: " if loc else ""
    return OpenAIError(400, f"{where}{first.get('msg', 'invalid request')}", param=param)


class OpenAIRoute(APIRoute):
    """A route whose every error, including auth and validation, is OpenAI-shaped."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def openai_handler(request: Request) -> Response:
            try:
                return await handler(request)
            except OpenAIError as exc:
                return exc.response()
            except EaselError as exc:
                return from_easel(exc, request.app.state.services.settings).response()
            except RequestValidationError as exc:
                return _validation(exc).response()
            except ValidationError as exc:  # a model built in the route refused its input
                return _validation(RequestValidationError(exc.errors())).response()
            except BodyTooLarge as exc:
                message = f"{exc.detail} {exc.hint}"
                return OpenAIError(413, message, code="request_too_large").response()
            except HTTPException as exc:
                return OpenAIError(exc.status_code, str(exc.detail)).response()
            except Exception:
                log.exception("unhandled error at %s", request.url.path)
                message = "Easel hit an unexpected error; it has been logged."
                return OpenAIError(500, message, type="server_error").response()

        return openai_handler
