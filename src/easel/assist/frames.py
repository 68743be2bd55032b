"""The frames an assist run streams, one pydantic class per kind, and their SSE form.

``delta`` (a piece of text), ``suggestion`` (a prompt suggestion, once it is complete),
then exactly one of ``done`` (the whole text, what was read out of it, usage and cost) or
``error`` (a problem object, RFC 9457, saying what to do). Frames carry no SSE ``id``:
they are live, never replayed from a log; the finished run is in the assist history.
"""

from __future__ import annotations

import json
from typing import ClassVar

from pydantic import BaseModel, Field
from sse_starlette import ServerSentEvent

from easel.api.problems import TYPE_BASE
from easel.config import Settings
from easel.errors import (
    ContentRejected,
    EaselError,
    ProviderError,
    ProviderTimeout,
    RateLimited,
    StorageError,
    UserInputError,
)
from easel.redaction import redact


class Frame(BaseModel):
    event: ClassVar[str]
    run_id: str


class DeltaFrame(Frame):
    event = "delta"
    text: str


class SuggestionOut(BaseModel):
    index: int = Field(description="0-based, in the order the model wrote them.")
    prompt: str
    negative_prompt: str | None = Field(
        default=None, description="Set when a target model takes a negative prompt."
    )


class SuggestionFrame(Frame, SuggestionOut):
    event = "suggestion"
    models: list[str] = Field(description="The image models the suggestion was written for.")


class UsageOut(BaseModel):
    input_tokens: int
    output_tokens: int


class DoneFrame(Frame):
    event = "done"
    kind: str = Field(description="describe or prompt.")
    model: str
    text: str = Field(description="Everything the model wrote.")
    prompt: str | None = Field(
        default=None, description="describe: the prompt that would reproduce the image(s)."
    )
    suggestions: list[SuggestionOut] | None = Field(default=None, description="prompt: the list.")
    usage: UsageOut | None
    cost_usd: str | None
    duration_ms: int
    first_delta_ms: int | None
    url: str = Field(description="The run in the assist history.")


class ErrorFrame(Frame):
    """A problem object (``type``, ``title``, ``status``, ``detail``, ``hint``) plus the run."""

    event = "error"
    type: str
    title: str
    status: int
    detail: str
    hint: str | None = None
    code: str


AnyFrame = DeltaFrame | SuggestionFrame | DoneFrame | ErrorFrame


def to_sse(frame: Frame) -> ServerSentEvent:
    data = json.dumps(frame.model_dump(mode="json"), separators=(",", ":"))
    return ServerSentEvent(data=data, event=frame.event)


def _status(exc: EaselError) -> tuple[int, str]:
    if isinstance(exc, UserInputError):
        return exc.status, exc.code.replace("-", " ").capitalize()
    if isinstance(exc, RateLimited):
        return 429, "The assistant's provider is rate limiting"
    if isinstance(exc, ProviderTimeout):
        return 504, "The assistant's provider stopped answering"
    if isinstance(exc, ContentRejected):
        return 422, "The assistant's provider refused"
    if isinstance(exc, ProviderError):
        return 502, "The assistant's provider failed"
    if isinstance(exc, StorageError):
        return 503, "Storage problem"
    return 500, "Internal error"


def error_frame(run_id: str, exc: EaselError, settings: Settings) -> ErrorFrame:
    """The failure as a problem a person can act on, with secrets and paths removed."""
    status, title = _status(exc)
    hint = exc.hint or ("Try again in a moment." if status >= 500 else None)
    return ErrorFrame(
        run_id=run_id,
        type=TYPE_BASE + exc.code,
        title=title,
        status=status,
        detail=redact(exc.message, settings),
        hint=redact(hint, settings) if hint else None,
        code=exc.code,
    )
