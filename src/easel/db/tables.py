"""SQLAlchemy 2 table definitions.

The schema itself is owned by the Alembic migrations in ``easel/db/migrations``;
``tests/db/test_schema.py`` proves these classes and the migrations agree.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# BigInteger ids autoincrement on PostgreSQL; SQLite only autoincrements INTEGER keys.
EventId = BigInteger().with_variant(Integer(), "sqlite")
Money = Numeric(12, 6)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}  # noqa: RUF012


def _ts() -> Mapped[datetime]:
    return mapped_column(DateTime(timezone=True), nullable=False)


class User(Base):
    __tablename__ = "users"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    created_at: Mapped[datetime] = _ts()
    event_seq: Mapped[int] = mapped_column(EventId, default=0, server_default="0")
    """Last event number handed out for this user: SSE ids are per user and gap-free."""
    webhook_secret: Mapped[str | None] = mapped_column(String(100))
    """Signs this user's webhook deliveries (Standard Webhooks, ``whsec_…``)."""
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    """Sees studio-wide findings (the model catalog check). The first user is one."""
    default_models: Mapped[list[Any] | None] = mapped_column(JSON)
    """Model ids a job without models uses; None: the cheapest model on offer."""


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = _ts()
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class BrowserSession(Base):
    """A dashboard sign-in. The cookie names it; revoking it (sign-out, or from another
    browser) ends it at once, and deleting its API token deletes it."""

    __tablename__ = "sessions"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_id: Mapped[str] = mapped_column(
        ForeignKey("api_tokens.id", ondelete="CASCADE"), index=True
    )
    user_agent: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = _ts()
    last_seen_at: Mapped[datetime] = _ts()
    expires_at: Mapped[datetime] = _ts()
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ShareLink(Base):
    """A link that shows one image, or one job's read-only page, to anyone holding it,
    without a token. Only the hash of its secret is kept; revoking it, its expiry, or its
    owner losing the target (deleting the job) ends it at once."""

    __tablename__ = "share_links"
    __table_args__ = (
        Index("ix_share_links_user_id_id", "user_id", "id"),
        Index("ix_share_links_target_kind_target_id", "target_kind", "target_id"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    target_kind: Mapped[str] = mapped_column(String(16))
    """``image`` (target_id is its sha256) or ``job`` (target_id is the job id)."""
    target_id: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = _ts()
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Image(Base):
    """A stored image file, content-addressed: one row per distinct sha256."""

    __tablename__ = "images"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    mime_type: Mapped[str] = mapped_column(String(32))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    storage_key: Mapped[str] = mapped_column(String(200))
    thumbnail_key: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = _ts()
    orphaned_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    """When the image last lost its last reference; the collector removes its files once
    this is older than the grace period and nothing refers to it again."""


class ImagePin(Base):
    """A writer's claim on an image it is about to store or reference: while a pin is
    live, the collector leaves the image's files alone (see `easel.storage.collector`)."""

    __tablename__ = "image_pins"

    sha256: Mapped[str] = mapped_column(
        ForeignKey("images.sha256", ondelete="CASCADE"), primary_key=True
    )
    holder: Mapped[str] = mapped_column(String(64), primary_key=True)
    """Who pinned it: a variant id, or ``upload:<id>``."""
    expires_at: Mapped[datetime] = _ts()


class Upload(Base):
    """An image a user uploaded: it makes the user an owner of the image."""

    __tablename__ = "uploads"

    user_id: Mapped[str] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    sha256: Mapped[str] = mapped_column(
        ForeignKey("images.sha256", ondelete="RESTRICT"), primary_key=True, index=True
    )
    created_at: Mapped[datetime] = _ts()
    last_used_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    """Uploading again or using it in a job moves this on; unused uploads expire."""


class Preset(Base):
    __tablename__ = "presets"
    __table_args__ = (UniqueConstraint("user_id", "name"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    models: Mapped[list[Any]] = mapped_column(JSON)
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = _ts()
    updated_at: Mapped[datetime] = _ts()


class Job(Base):
    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_user_id_id", "user_id", "id"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    prompt: Mapped[str] = mapped_column(Text)
    negative_prompt: Mapped[str | None] = mapped_column(Text)
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    """Parameters shared by every variant (size, aspect ratio, style, quality, extra)."""
    preset_id: Mapped[str | None] = mapped_column(
        ForeignKey("presets.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[str] = mapped_column(String(16), index=True)
    favorite: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    created_at: Mapped[datetime] = _ts()
    updated_at: Mapped[datetime] = _ts()
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    winner_variant_id: Mapped[str | None] = mapped_column(String(32))
    """The variant the user picked as best when comparing models."""
    webhook_url: Mapped[str | None] = mapped_column(Text)
    """Notified when the job finishes."""
    operation: Mapped[str] = mapped_column(
        String(24), default="generate", server_default="generate"
    )
    """generate, or the operation on the job's input images (`JobInput`)."""


class GridWinner(Base):
    """The image picked as best in one row, column or cell of a compare grid (the
    job-wide pick stays ``Job.winner_variant_id``)."""

    __tablename__ = "grid_winners"

    job_id: Mapped[str] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), primary_key=True)
    scope: Mapped[str] = mapped_column(String(24), primary_key=True)
    """``row:R``, ``column:C`` or ``cell:C:R`` (zero-based)."""
    variant_id: Mapped[str] = mapped_column(String(32))
    picked_at: Mapped[datetime] = _ts()


class Variant(Base):
    """One image slot of a job: one model, one seed, one image when it succeeds."""

    __tablename__ = "variants"
    __table_args__ = (
        Index("ix_variants_status_lease_expires_at", "status", "lease_expires_at"),
        Index("ix_variants_user_id_model_id_status", "user_id", "model_id", "status"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    job_id: Mapped[str] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    model_id: Mapped[str] = mapped_column(String(100))
    provider_id: Mapped[str] = mapped_column(String(50))
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    seed: Mapped[int | None] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(16))
    error_code: Mapped[str | None] = mapped_column(String(32))
    error_message: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    remote_task: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    """The provider's prediction/task, saved before polling so a restart resumes it."""
    remote_result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    """A finished provider result not yet stored (its URLs), reused by a retry."""
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    queued_at: Mapped[datetime] = _ts()
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    duration_ms: Mapped[int | None] = mapped_column(Integer)
    cost_usd: Mapped[Decimal | None] = mapped_column(Money)
    image_sha256: Mapped[str | None] = mapped_column(
        ForeignKey("images.sha256", ondelete="RESTRICT"), index=True
    )


class JobInput(Base):
    """An image a job worked from: its results are "made from" it (lineage). It keeps
    the image (and the user's access to it) for as long as the job exists."""

    __tablename__ = "job_inputs"
    __table_args__ = (Index("ix_job_inputs_user_id_sha256", "user_id", "sha256"),)

    job_id: Mapped[str] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(String(16), primary_key=True)
    """image, mask, style_image or reference."""
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    sha256: Mapped[str] = mapped_column(
        ForeignKey("images.sha256", ondelete="RESTRICT"), index=True
    )


class JobEvent(Base):
    """The event log: every state change, replayed to SSE clients. Progress and previews
    are live events on the bus only, never rows."""

    __tablename__ = "job_events"
    __table_args__ = (
        UniqueConstraint("user_id", "seq"),
        Index("ix_job_events_job_id_seq", "job_id", "seq"),
    )

    id: Mapped[int] = mapped_column(EventId, primary_key=True, autoincrement=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(BigInteger)
    """Per-user, gap-free and in commit order: the SSE event id."""
    job_id: Mapped[str] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"))
    variant_id: Mapped[str | None] = mapped_column(String(32))
    type: Mapped[str] = mapped_column(String(40))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = _ts()


class Webhook(Base):
    """An account-wide webhook: events of every job of the user."""

    __tablename__ = "webhooks"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(Text)
    events: Mapped[list[Any]] = mapped_column(JSON)
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    created_at: Mapped[datetime] = _ts()


class WebhookDelivery(Base):
    """One message to one webhook target, retried until delivered or given up."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        Index("ix_webhook_deliveries_status_next_attempt_at", "status", "next_attempt_at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    webhook_id: Mapped[str | None] = mapped_column(
        ForeignKey("webhooks.id", ondelete="SET NULL"), index=True
    )
    job_id: Mapped[str | None] = mapped_column(String(32), index=True)
    url: Mapped[str] = mapped_column(Text)
    event_type: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16))
    """pending, delivered or failed."""
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = _ts()
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class WebhookAttempt(Base):
    __tablename__ = "webhook_attempts"

    id: Mapped[int] = mapped_column(EventId, primary_key=True, autoincrement=True)
    delivery_id: Mapped[str] = mapped_column(
        ForeignKey("webhook_deliveries.id", ondelete="CASCADE"), index=True
    )
    attempted_at: Mapped[datetime] = _ts()
    status_code: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    duration_ms: Mapped[int] = mapped_column(Integer)


class AssistRun(Base):
    """One streamed answer of an assistant model (a description of images or prompt
    suggestions), stored once when it ends: never a row per streamed word."""

    __tablename__ = "assist_runs"
    __table_args__ = (
        Index("ix_assist_runs_user_id_id", "user_id", "id"),
        Index("ix_assist_runs_user_id_finished_at", "user_id", "finished_at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    """``describe`` (images analysed) or ``prompt`` (prompts suggested)."""
    model_id: Mapped[str] = mapped_column(String(100))
    provider_id: Mapped[str] = mapped_column(String(50))
    status: Mapped[str] = mapped_column(String(16))
    """succeeded, failed or canceled (the client went away mid-stream)."""
    request_text: Mapped[str] = mapped_column(Text)
    """The question asked about the images, or the idea to improve."""
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    """The rest of the request: image sha256s, target models, count, style."""
    text: Mapped[str] = mapped_column(Text)
    """Everything the model streamed (as far as it got)."""
    result: Mapped[dict[str, Any]] = mapped_column(JSON)
    """What was read out of the text: the reproducing prompt, or the suggestions."""
    input_tokens: Mapped[int | None] = mapped_column(Integer)
    output_tokens: Mapped[int | None] = mapped_column(Integer)
    usage: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    """Usage as the vendor reported it."""
    cost_usd: Mapped[Decimal | None] = mapped_column(Money)
    error_code: Mapped[str | None] = mapped_column(String(32))
    error_message: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = _ts()
    finished_at: Mapped[datetime] = _ts()
    duration_ms: Mapped[int] = mapped_column(Integer)
    first_delta_ms: Mapped[int | None] = mapped_column(Integer)
    """Time from the request to the first streamed text."""
