"""Events, one pydantic class per kind, in two families.

* **Durable events** (`Event`) are state changes: a job created, a variant queued,
  started, succeeded, failed or canceled, a job finished or deleted. Each is appended to
  the job event log in the transaction that made the change, with a per-user gap-free
  sequence number (the SSE ``id``, what ``Last-Event-ID`` replays), then published.
* **Live events** (`LiveEvent`) are ephemeral frames: progress steps, previews, and any
  later stream of small frames (an assistant's text deltas). They never touch the
  database and carry no sequence number; they travel the event bus only, which keeps the
  newest one per ``retain`` key of each running variant for late subscribers.
"""

from __future__ import annotations

import json
from datetime import datetime
from functools import cached_property
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict

from easel.db.ids import utcnow


class EventPayload(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: ClassVar[str]


class LivePayload(EventPayload):
    """The payload of a live event."""

    retain: ClassVar[str | None] = None
    """Latest-wins key: the bus keeps the newest live event of each (variant, key) until
    the variant's next durable event. None: the frame is not kept (text deltas)."""


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


class VariantProgress(LivePayload):
    name = "variant.progress"
    retain = "progress"
    progress: float
    """0..1"""
    message: str = ""


class VariantPreview(LivePayload):
    name = "variant.preview"
    retain = "preview"
    progress: float
    """0..1, how far the run was when the preview was made."""
    message: str = ""
    preview: str
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
TERMINAL_VARIANT_EVENTS = frozenset(
    {VariantSucceeded.name, VariantFailed.name, VariantCanceled.name}
)


class _Frame(BaseModel):
    """What both families share: whose event it is, its kind and its fields."""

    model_config = ConfigDict(frozen=True)

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

    @cached_property
    def sse_frame(self) -> bytes:
        """The whole SSE frame, encoded once however many subscribers receive it. The
        JSON holds no line break, so the data is one ``data:`` line."""
        lines = [f"event: {self.type}"]
        if (sse_id := self.sse_id) is not None:
            lines.append(f"id: {sse_id}")
        lines.append(f"data: {self.sse_json}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode()

    @property
    def sse_id(self) -> str | None:
        """Durable events carry their sequence number; live frames none."""
        return None

    def sse_data(self) -> dict[str, Any]:
        return {
            "job_id": self.job_id,
            "variant_id": self.variant_id,
            "type": self.type,
            "at": self.created_at.isoformat(),
            **self.data,
        }


class Event(_Frame):
    """A durable event, as stored in the log and delivered to subscribers."""

    seq: int
    """Per-user sequence number: the SSE ``id``."""

    @property
    def sse_id(self) -> str | None:
        return str(self.seq)


class LiveEvent(_Frame):
    """An ephemeral frame published on the bus only: no sequence number, never stored."""

    retain: str | None = None
    """See `LivePayload.retain`."""

    @classmethod
    def of(
        cls, *, user_id: str, job_id: str, variant_id: str | None, payload: LivePayload
    ) -> LiveEvent:
        return cls(
            user_id=user_id,
            job_id=job_id,
            variant_id=variant_id,
            type=payload.name,
            data=payload.model_dump(mode="json"),
            created_at=utcnow(),
            retain=payload.retain,
        )


AnyEvent = Event | LiveEvent
