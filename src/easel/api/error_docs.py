"""How the OpenAPI document describes error answers.

Every ``/api/v1`` route answers errors as ``application/problem+json`` (RFC 9457); the
OpenAI-compatible ``/v1`` routes answer them in OpenAI's ``{"error": {…}}`` shape. The
routers declare these answers once (`PROBLEM_RESPONSES`, `OPENAI_ERROR_RESPONSES`), and
`install` puts the two schemas they point at into the document's components.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel, ConfigDict, Field

PROBLEM = "application/problem+json"


class FieldProblem(BaseModel):
    field: str
    message: str


class Problem(BaseModel):
    """What went wrong and how to fix it (RFC 9457, plus Easel's ``hint``)."""

    model_config = ConfigDict(extra="allow", title="Problem")

    type: str = Field(description="A URI naming the kind of problem.")
    title: str
    status: int
    detail: str
    hint: str | None = Field(default=None, description="How to fix it.")
    field: str | None = Field(default=None, description="The request field at fault.")
    allowed: list[str] | None = Field(default=None, description="Values that would be taken.")
    errors: list[FieldProblem] | None = None
    limit_bytes: int | None = Field(default=None, description="For 413: the body limit.")
    setting: str | None = Field(default=None, description="For 413: the setting that raises it.")


class OpenAIErrorDetail(BaseModel):
    message: str
    type: str
    param: str | None
    code: str | None


class OpenAIErrorBody(BaseModel):
    """OpenAI's error shape, so its SDKs raise their own exception types."""

    model_config = ConfigDict(title="OpenAIError")

    error: OpenAIErrorDetail


_DESCRIPTIONS = {
    400: "The request is malformed.",
    401: "No valid API token or session.",
    403: "Refused (a cookie request without its CSRF token).",
    404: "Not found, or not yours.",
    405: "The method is not allowed here; see the Allow header.",
    409: "Conflicts with the current state.",
    413: "The request body is over this endpoint's limit.",
    422: "A field is invalid; the answer names it.",
    429: "Too many requests; see Retry-After.",
    500: "Easel hit an unexpected error.",
    502: "The model's provider failed to make the image.",
    503: "A service Easel depends on failed.",
    504: "The model's provider stopped answering.",
}


def _answers(codes: tuple[int, ...], media_type: str, schema: str) -> dict[int | str, Any]:
    ref = {"$ref": f"#/components/schemas/{schema}"}
    return {
        code: {"description": _DESCRIPTIONS[code], "content": {media_type: {"schema": ref}}}
        for code in codes
    }


def problem_answers(*codes: int) -> dict[int | str, Any]:
    """More problem+json answers a route declares beside `PROBLEM_RESPONSES`."""
    return _answers(codes, PROBLEM, "Problem")


PROBLEM_RESPONSES = _answers((400, 401, 403, 404, 405, 409, 413, 422, 429, 503), PROBLEM, "Problem")
OPENAI_ERROR_RESPONSES = _answers(
    (400, 401, 403, 404, 405, 413, 429, 500, 502, 503), "application/json", "OpenAIError"
)


def install(app: FastAPI, extra: tuple[type[BaseModel], ...] = ()) -> None:
    """Add the error schemas (and ``extra`` models that routes name by reference) to the
    OpenAPI document's components."""
    build: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        document = build()
        schemas = document.setdefault("components", {}).setdefault("schemas", {})
        models: tuple[type[BaseModel], ...] = (Problem, OpenAIErrorBody, *extra)
        for model in models:
            definition = model.model_json_schema(ref_template="#/components/schemas/{model}")
            schemas.update(definition.pop("$defs", {}))
            schemas[str(definition["title"])] = definition
        app.openapi_schema = document
        return document

    app.openapi = openapi  # type: ignore[method-assign]
