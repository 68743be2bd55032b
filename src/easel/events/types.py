"""One pydantic class per event. Every state change and progress step becomes one of these,
is appended to the job event log, then published on the bus."""

from __future__ import annotations

import json
from datetime import datetime
from functools import cached_property
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict


class EventPayload(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: ClassVar[str]


class JobCreated(EventPayload):
    name = "job.created"
    prompt: str
    models: list[str]
    variants: int


class VariantQueued(EventPayload):
    name = "variant.queued"
    model: str
    attempt: int
    reason: str = ""


class VariantStarted(EventPayload):
    name = "variant.started"
    model: str
    attempt: int


class VariantProgress(EventPayload):
    name = "variant.progress"
    progress: float
    """0..1"""
    message: str = ""
    preview: str | None = None
    """A small image as a data: URL."""


class VariantSucceeded(EventPayload):
    name = "variant.succeeded"
    image: str
    thumbnail: str
    width: int
    height: int
    seed: int | None
    cost_usd: str | None
    duration_ms: int | None


class VariantFailed(EventPayload):
    name = "variant.failed"
    error_code: str
    error: str
    retryable: bool


class VariantCanceled(EventPayload):
    name = "variant.canceled"


class JobFinished(EventPayload):
    name = "job.finished"
    status: str
    cost_usd: str


class JobDeleted(EventPayload):
    name = "job.deleted"


TERMINAL_JOB_EVENTS = frozenset({JobFinished.name, JobDeleted.name})


class Event(BaseModel):
    """An event as stored in the log and delivered to subscribers."""

    model_config = ConfigDict(frozen=True)

    seq: int
    """Per-user sequence number: the SSE ``id``."""
    user_id: str
    job_id: str
    variant_id: str | None
    type: str
    data: dict[str, Any]
    created_at: datetime

    @cached_property
    def sse_json(self) -> str:
        """The SSE data line, encoded once however many subscribers receive it."""
        return json.dumps(self.sse_data(), separators=(",", ":"))

    def sse_data(self) -> dict[str, Any]:
        return {
            "job_id": self.job_id,
            "variant_id": self.variant_id,
            "type": self.type,
            "at": self.created_at.isoformat(),
            **self.data,
        }
