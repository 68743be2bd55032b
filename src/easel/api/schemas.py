"""Response shapes of the HTTP API, and how they are built from rows."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from easel.api.schemas_grid import CellOut, GridOut
from easel.db.ids import as_utc
from easel.engine.pricing import usd
from easel.engine.specs import MAX_MODELS, ModelId
from easel.errors import NotFound
from easel.providers import CatalogEntry
from easel.providers.base import Capabilities, Lifecycle, ModelStatus
from easel.urls import image_path, job_events_path, job_path, thumbnail_path

if TYPE_CHECKING:  # rows and services only pass through: `easel models` loads no database
    from easel.db.repos.lineage import Use
    from easel.db.tables import Image, Preset, Variant
    from easel.engine.jobs import JobView
    from easel.providers import Catalog


def _utc(value: datetime | None) -> datetime | None:
    return as_utc(value) if value else None


class ImageOut(BaseModel):
    sha256: str
    url: str
    thumbnail_url: str
    mime_type: str
    width: int
    height: int
    size_bytes: int

    @classmethod
    def build(cls, image: Image) -> ImageOut:
        return cls(
            sha256=image.sha256,
            url=image_path(image.sha256),
            thumbnail_url=thumbnail_path(image.sha256),
            mime_type=image.mime_type,
            width=image.width,
            height=image.height,
            size_bytes=image.size_bytes,
        )


class SourceOut(BaseModel):
    """An image a job worked from."""

    role: str = Field(description="image, mask, style_image or reference.")
    image: ImageOut


class UseOut(BaseModel):
    """A job made from an image."""

    job_id: str
    url: str
    operation: str
    role: str


class VariantError(BaseModel):
    code: str
    message: str


class VariantOut(BaseModel):
    id: str
    position: int
    model: str
    provider: str
    status: str
    progress: float = Field(
        description="0..1: the latest live progress while running, 1 once succeeded."
    )
    seed: int | None
    params: dict[str, Any]
    attempts: int
    error: VariantError | None
    queued_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    duration_ms: int | None
    cost_usd: str | None
    image: ImageOut | None
    cell: CellOut | None = Field(
        default=None, description="Where the variant sits in its job's compare grid."
    )
    made_into: list[UseOut] = Field(
        default_factory=list, description="Your jobs that worked from this image."
    )

    @classmethod
    def build(
        cls,
        variant: Variant,
        images: dict[str, Image],
        progress: float,
        uses: dict[str, list[Use]],
    ) -> VariantOut:
        image = images.get(variant.image_sha256) if variant.image_sha256 else None
        error = None
        if variant.error_code:
            error = VariantError(code=variant.error_code, message=variant.error_message or "")
        return cls(
            id=variant.id,
            position=variant.position,
            model=variant.model_id,
            provider=variant.provider_id,
            status=variant.status,
            progress=progress,
            seed=variant.seed,
            params={k: v for k, v in variant.params.items() if k != "cell"},
            attempts=variant.attempts,
            error=error,
            queued_at=as_utc(variant.queued_at),
            started_at=_utc(variant.started_at),
            finished_at=_utc(variant.finished_at),
            duration_ms=variant.duration_ms,
            cost_usd=usd(variant.cost_usd) if variant.cost_usd is not None else None,
            image=ImageOut.build(image) if image else None,
            cell=CellOut.from_params(variant.params),
            made_into=[
                UseOut(job_id=u.job_id, url=job_path(u.job_id), operation=u.operation, role=u.role)
                for u in uses.get(variant.image_sha256 or "", [])
            ],
        )


class JobOut(BaseModel):
    id: str
    url: str
    events_url: str
    prompt: str
    negative_prompt: str | None
    operation: str
    made_from: list[SourceOut] = Field(description="The images the job worked from.")
    status: str
    favorite: bool
    params: dict[str, Any]
    preset_id: str | None
    winner_variant_id: str | None = Field(
        default=None, description="The variant picked as best when comparing models."
    )
    created_at: datetime
    finished_at: datetime | None
    cost_usd: str
    grid: GridOut | None = Field(
        default=None, description="The axes of a compare grid, when the job is one."
    )
    variants: list[VariantOut]

    @classmethod
    def build(cls, view: JobView) -> JobOut:
        job = view.job
        params = {k: v for k, v in job.params.items() if k not in ("reference_keys", "grid")}
        return cls(
            id=job.id,
            url=job_path(job.id),
            events_url=job_events_path(job.id),
            prompt=job.prompt,
            negative_prompt=job.negative_prompt,
            operation=job.operation,
            made_from=[
                SourceOut(role=i.role, image=ImageOut.build(view.images[i.sha256]))
                for i in view.inputs
                if i.sha256 in view.images
            ],
            status=job.status,
            favorite=job.favorite,
            params=params,
            preset_id=job.preset_id,
            winner_variant_id=job.winner_variant_id,
            created_at=as_utc(job.created_at),
            finished_at=_utc(job.finished_at),
            cost_usd=usd(view.cost_usd),
            grid=GridOut.from_params(job.params),
            variants=[
                VariantOut.build(v, view.images, view.progress(v), view.uses) for v in view.variants
            ],
        )


class JobCreated(BaseModel):
    id: str
    url: str
    events_url: str
    status: str


class JobPage(BaseModel):
    items: list[JobOut]
    next_cursor: str | None = Field(description="Pass as `before` to get the next page.")
    total: int | None = Field(
        default=None,
        description="How many jobs match the filters; on the first page (no `before`) only.",
    )


class FavoriteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    favorite: StrictBool


class PriceOut(BaseModel):
    per_image_usd: str
    rules: list[dict[str, Any]]
    per_million_tokens: dict[str, str] | None
    source: str
    as_of: str | None


def lifecycle_today(entry: CatalogEntry) -> Lifecycle:
    """The model's lifecycle with its status as of today (a date can retire a model)."""
    return entry.model.lifecycle.model_copy(update={"status": entry.status})


class ModelOut(BaseModel):
    id: str
    name: str
    provider: str
    kind: str
    description: str
    available: bool
    unavailable_reason: str | None
    lifecycle: Lifecycle = Field(
        description="Status today (active, deprecated, shutdown), the announced shutdown "
        "date, the recommended replacement and where that was read."
    )
    capabilities: Capabilities
    price: PriceOut
    drift: list[str] | None = Field(
        default=None,
        description="For admins: what the last catalog check found about this model.",
    )

    @classmethod
    def build(cls, entry: CatalogEntry, drift: list[str] | None = None) -> ModelOut:
        model, pricing = entry.model, entry.model.pricing
        tokens = None
        if pricing.tokens is not None:
            tokens = {k: str(v) for k, v in pricing.tokens.model_dump().items()}
        return cls(
            id=model.id,
            name=model.name,
            provider=model.provider,
            kind=model.kind,
            description=model.description,
            available=entry.available,
            unavailable_reason=entry.unavailable_reason,
            lifecycle=lifecycle_today(entry),
            capabilities=model.capabilities,
            price=PriceOut(
                per_image_usd=usd(pricing.per_image),
                rules=[{"when": r.when, "usd": usd(r.usd)} for r in pricing.rules],
                per_million_tokens=tokens,
                source=pricing.source,
                as_of=pricing.as_of.isoformat() if pricing.as_of else None,
            ),
            drift=drift,
        )


class PresetIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100)
    models: list[ModelId] = Field(default_factory=list, max_length=MAX_MODELS)
    params: dict[str, Any] = Field(
        default_factory=dict,
        description="Any of n, size, aspect_ratio, seed, negative_prompt, style, quality, extra.",
    )


class ModelNotice(BaseModel):
    """A model of a preset that is shut down or about to be, and what to use instead."""

    model: str
    status: ModelStatus
    shutdown_date: date | None
    replacement: str | None
    message: str


def model_notices(catalog: Catalog, model_ids: list[str]) -> list[ModelNotice]:
    notices: list[ModelNotice] = []
    for model_id in model_ids:
        try:
            entry = catalog.get(model_id)
        except NotFound:
            continue
        lifecycle = entry.model.lifecycle
        if entry.status == "active":
            continue
        day = lifecycle.shutdown_date
        use = f" Use {lifecycle.replacement} instead." if lifecycle.replacement else ""
        if entry.status == "shutdown":
            message = f"{entry.model.name} was shut down{f' on {day}' if day else ''}.{use}"
        else:
            message = f"{entry.model.name} shuts down{f' on {day}' if day else ' soon'}.{use}"
        notices.append(
            ModelNotice(
                model=model_id,
                status=entry.status,
                shutdown_date=day,
                replacement=lifecycle.replacement,
                message=message,
            )
        )
    return notices


class PresetOut(BaseModel):
    id: str
    name: str
    models: list[str]
    params: dict[str, Any]
    notices: list[ModelNotice] = Field(
        default_factory=list,
        description="Models of this preset that are shut down or deprecated, with their "
        "replacement. A job from the preset fails on a shut-down model until it is swapped.",
    )
    created_at: datetime
    updated_at: datetime

    @classmethod
    def build(cls, preset: Preset, catalog: Catalog) -> PresetOut:
        return cls(
            id=preset.id,
            name=preset.name,
            models=preset.models,
            params=preset.params,
            notices=model_notices(catalog, list(preset.models)),
            created_at=as_utc(preset.created_at),
            updated_at=as_utc(preset.updated_at),
        )


class ModelStats(BaseModel):
    model: str
    count: int
    succeeded: int
    failed: int
    canceled: int
    success_rate: float | None
    p50_ms: int | None
    p95_ms: int | None
    total_cost_usd: str
