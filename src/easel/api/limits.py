"""Request body limits, per route, enforced while the body arrives.

Every route takes at most ``EASEL_MAX_JSON_BODY_BYTES`` unless it declares a larger
limit by naming the setting that holds it:

    @router.post("/uploads", openapi_extra=body_limit("max_upload_body_bytes"))

`BodyLimitMiddleware` counts the bytes of each request as the server receives them
(``Content-Length`` is checked first, and chunked bodies without one are counted), so a
body over the limit is refused with 413 before it is read into memory, never after. The
route is looked up when the application first reads the body (routing has happened by
then), which keeps the declaration on the route itself; the OpenAPI document shows it as
``x-body-limit``.
"""

from __future__ import annotations

from typing import Any

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from easel.config import Settings

BODY_LIMIT_KEY = "x-body-limit"
DEFAULT_SETTING = "max_json_body_bytes"


def body_limit(setting: str) -> dict[str, Any]:
    """``openapi_extra`` for a route whose body may be as large as the named setting."""
    if setting not in Settings.model_fields:
        raise ValueError(f"{setting} is not a setting")
    return {BODY_LIMIT_KEY: {"setting": setting, "env": env_name(setting)}}


def env_name(setting: str) -> str:
    return f"EASEL_{setting.upper()}"


def route_setting(scope: Scope) -> str:
    """The setting that limits the body of the request's route."""
    route = scope.get("route")
    extra = getattr(route, "openapi_extra", None) or {}
    declared = extra.get(BODY_LIMIT_KEY)
    return str(declared["setting"]) if declared else DEFAULT_SETTING


class BodyTooLarge(HTTPException):
    """413: raised from ``receive`` so the route stops reading; the handlers turn it into
    problem+json (or OpenAI's error shape under ``/v1``)."""

    def __init__(self, limit: int, setting: str) -> None:
        self.limit = limit
        self.setting = env_name(setting)
        super().__init__(
            413,
            f"The request body is larger than this endpoint's limit of {limit:,} bytes.",
        )

    @property
    def hint(self) -> str:
        return f"Send less, or raise the limit with {self.setting} (in bytes)."


def _declared_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


class BodyLimitMiddleware:
    """Counts request body bytes as they arrive and stops at the route's limit."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        received = 0
        limit: int | None = None
        setting = DEFAULT_SETTING

        async def limited_receive() -> Message:
            nonlocal received, limit, setting
            if limit is None:
                setting = route_setting(scope)
                limit = int(getattr(self.settings, setting))
                declared = _declared_length(scope)
                if declared is not None and declared > limit:
                    raise BodyTooLarge(limit, setting)
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit, setting)
            return message

        await self.app(scope, limited_receive, send)
