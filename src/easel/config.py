"""Settings: one class, loaded once at start-up and passed down explicitly.

Values come from ``EASEL_*`` environment variables or a ``.env`` file. Provider keys may
also use each vendor's usual variable (``OPENAI_API_KEY`` …); `Settings.environ` keeps
the merged environment for that look-up, so nothing reads ``os.environ`` later.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Any, Literal

from dotenv import dotenv_values
from pydantic import BaseModel, Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class ProviderSettings(BaseModel):
    """Per-provider overrides: ``EASEL_PROVIDERS__OPENAI__API_KEY`` and the like."""

    api_key: str | None = None
    base_url: str | None = None
    concurrency: int | None = Field(default=None, ge=1, le=256)
    enabled: bool = True
    timeout_seconds: float | None = Field(default=None, gt=0)
    options: dict[str, Any] = Field(default_factory=dict)
    """Provider-specific settings (``EASEL_PROVIDERS__MCP__OPTIONS__TOOLS`` …); each
    provider validates its own with a pydantic model."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="EASEL_",
        env_file=".env",
        env_nested_delimiter="__",
        extra="ignore",
    )

    data_dir: Path = Path("easel-data")
    database_url: str = ""
    """SQLAlchemy URL; empty means a SQLite file inside the data dir."""
    storage_url: str = ""
    """Where images live (``file:///…`` or ``s3://…``); empty means ``<data_dir>/images``."""
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=0, le=65535)
    public_url: str = ""
    """Base URL clients reach the server at, for absolute links; empty means relative."""

    max_variants_per_job: int = Field(default=32, ge=1)
    max_queued_variants_per_user: int = Field(default=1000, ge=1)
    """Variants one user may have waiting at once; more is refused with 429 and
    Retry-After, so one token cannot fill the queue in front of everyone else."""
    max_prompt_length: int = Field(default=4000, ge=1)
    max_reference_image_bytes: int = Field(default=20 * 1024 * 1024, ge=1)
    max_download_bytes: int = Field(default=50 * 1024 * 1024, ge=1)
    max_json_body_bytes: int = Field(default=1024 * 1024, ge=1024)
    """The largest request body of a JSON endpoint; larger ones are refused (413)."""
    max_upload_body_bytes: int = Field(default=0, ge=0)
    """The largest multipart body (uploads, reference images); 0 means room for four images
    of ``max_reference_image_bytes`` plus 1 MiB of form fields. An upload is also held to
    ``max_upload_bytes``."""
    max_upload_bytes: int = Field(default=20 * 1024 * 1024, ge=1)
    """Largest file ``POST /api/v1/uploads`` accepts."""
    storage_retry_seconds: float = Field(default=300.0, ge=0)
    """How long a variant waits out a storage outage (retrying with backoff) before it
    fails; the provider's result is kept meanwhile, never generated again."""
    orphan_grace_seconds: float = Field(default=600.0, ge=0)
    """How long an image nothing refers to any more keeps its files before the collector
    removes them."""
    upload_grace_seconds: float = Field(default=86400.0, ge=0)
    """How long an upload is kept without being used again."""
    collect_interval_seconds: float = Field(default=60.0, gt=0)
    default_provider_concurrency: int = Field(default=4, ge=1)
    offline_concurrency: int = Field(default=2, ge=1)
    max_attempts: int = Field(default=3, ge=1)
    """How many times a variant may be claimed before it fails for good."""
    lease_seconds: float = Field(default=20.0, gt=0)
    reconcile_interval_seconds: float = Field(default=5.0, gt=0)
    sse_ping_seconds: float = Field(default=15.0, gt=0)
    provider_timeout_seconds: float = Field(default=120.0, gt=0)
    poll_interval_seconds: float = Field(default=1.0, gt=0)
    task_timeout_seconds: float = Field(default=900.0, gt=0)
    """How long a remote task may stay pending before the variant fails."""
    retry_base_seconds: float = Field(default=1.0, ge=0)
    retry_max_seconds: float = Field(default=30.0, ge=0)
    embedded_workers: bool = True
    """Run variant workers inside the API process (``easel serve``); false makes it serve
    the API only, for deployments whose workers run as ``easel worker``."""
    redis_url: str = ""
    """``redis://host:port/db``: the queue, the live event bus, provider limits and the
    reconciler's leadership go through Redis, so API servers and workers can run as
    separate processes on several machines. Empty: all of that stays in the process."""
    redis_prefix: str = "easel"
    """Prefix of every Redis key and channel (several studios can share one Redis)."""
    queue_idle_seconds: float = Field(default=600.0, gt=0)
    """A queue message a worker took and never acknowledged is handed to another worker
    after this long. Longer than the slowest provider call (a redelivery is harmless,
    but wasted); lost workers are found sooner through their leases."""
    allow_private_webhooks: bool = False
    """Let webhooks call private and loopback addresses (trusted networks only)."""
    webhook_timeout_seconds: float = Field(default=15.0, gt=0)
    webhook_retry_base_seconds: float = Field(default=5.0, gt=0)
    """First retry delay; it doubles per failed attempt up to the maximum."""
    webhook_retry_max_seconds: float = Field(default=3600.0, gt=0)
    webhook_give_up_seconds: float = Field(default=3 * 86400.0, gt=0)
    """A delivery not made within this long after its event is marked failed."""

    v1_share_links: bool = False
    """``/v1/images/…`` answers give share links as ``url`` (they work without a token, so
    any OpenAI client can show them) instead of the API's image URLs."""
    v1_share_link_seconds: int = Field(default=0, ge=0, le=366 * 86400)
    """How long those links work; 0: until revoked (or their job is deleted)."""

    assist_model: str = ""
    """The assistant model describe and suggest use when the caller names none; empty means
    the offline assistant (free, no keys)."""
    assist_idle_timeout_seconds: float = Field(default=30.0, gt=0)
    """An assistant that sends nothing for this long mid-answer is stopped."""
    assist_retry_seconds: float = Field(default=30.0, ge=0)
    """The longest total wait, before any text, for assistants that answer 429 or
    overloaded with a ``retry-after``; a longer wait ends the run with an error."""
    assist_max_attempts: int = Field(default=3, ge=1)
    assist_max_output_tokens: int = Field(default=8192, ge=256)
    """The answer length asked of hosted assistants (thinking tokens count too)."""

    check_models: bool = False
    """Ask every configured vendor which models it serves, once a day, and show admins
    what changed (`easel models check` does the same on demand). Off by default: it calls
    out to every vendor with a key."""
    check_models_interval_seconds: float = Field(default=86400.0, ge=60)
    today: date | None = None
    """Treat this as today's date for model lifecycles (tests, or previewing a shutdown)."""

    metrics_token: str = ""
    """Bearer token for ``GET /metrics``; without one only loopback callers may scrape."""
    worker_metrics_port: int = Field(default=0, ge=0, le=65535)
    """Port of `easel worker`'s metrics-only listener (``GET /metrics``); 0: none."""
    worker_metrics_host: str = "127.0.0.1"
    """Address it listens on; another than loopback needs ``metrics_token`` to scrape."""
    log_format: Literal["text", "json"] = "text"
    """``json`` writes logs as JSON lines carrying the job and variant they are about."""

    providers: dict[str, ProviderSettings] = Field(default_factory=dict)
    environ: dict[str, str] = Field(default_factory=dict, exclude=True)

    @model_validator(mode="before")
    @classmethod
    def _capture_environ(cls, values: Any) -> Any:
        if isinstance(values, dict) and not values.get("environ"):
            merged = {k: v for k, v in dotenv_values(".env").items() if v is not None}
            merged.update(os.environ)
            values = {**values, "environ": merged}
        return values

    @model_validator(mode="after")
    def _size_uploads(self) -> Settings:
        if not self.max_upload_body_bytes:
            self.max_upload_body_bytes = 4 * self.max_reference_image_bytes + 1024 * 1024
        return self

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'easel.db').resolve()}"

    @property
    def resolved_storage_url(self) -> str:
        if self.storage_url:
            return self.storage_url
        return (self.data_dir / "images").resolve().as_uri()

    def provider(self, provider_id: str) -> ProviderSettings:
        return self.providers.get(provider_id, ProviderSettings())
