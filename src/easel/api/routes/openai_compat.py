"""An OpenAI-compatible Images API at ``/v1``, so tools written for OpenAI can use Easel.

``POST /v1/images/generations``, ``POST /v1/images/edits`` (multipart, reference images
as ``image`` or ``image[]``) and ``GET /v1/models``, with an Easel token as the API key.
``model`` is any Easel model id. Every call is an ordinary Easel job, checked against the
model's capabilities by the same `JobSpec`/`plan_variants` as the rest of the API, and
kept in the history. The call waits for the job and answers OpenAI's response shape;
with ``stream: true`` it answers OpenAI's SSE events instead (partial images come from
the model's progress previews).

``url`` results are Easel's own durable image URLs (fetch them with the same bearer
token); without ``response_format`` both ``url`` and ``b64_json`` are returned, which
suits clients written for dall-e (url) and for GPT image models (b64_json) alike.
"""

from __future__ import annotations

import base64
import json
import logging
import time
from collections.abc import AsyncIterator
from typing import Any, Literal

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sse_starlette import EventSourceResponse, ServerSentEvent
from starlette.datastructures import UploadFile

from easel.api.deps import CurrentUser, ServicesDep
from easel.api.openai_errors import OpenAIError, OpenAIRoute, failure
from easel.db.ids import as_utc
from easel.db.tables import Image, Job
from easel.engine.jobs import JobView
from easel.engine.specs import JobSpec
from easel.events.follow import follow_job
from easel.events.types import AnyEvent, VariantPreview, VariantSucceeded
from easel.services import Services
from easel.urls import image_path

log = logging.getLogger(__name__)
router = APIRouter(prefix="/v1", route_class=OpenAIRoute, tags=["openai-compatible"])

Kind = Literal["image_generation", "image_edit"]
# OpenAI options Easel has no field for; passed to the model as extras when sent.
PASSTHROUGH = ("background", "output_format", "output_compression", "moderation", "input_fidelity")
SSE_HEADERS = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
# Easel does not count tokens; the SDK's completed-event type requires the field.
NO_USAGE = {
    "input_tokens": 0,
    "input_tokens_details": {"image_tokens": 0, "text_tokens": 0},
    "output_tokens": 0,
    "total_tokens": 0,
}


class ImageRequest(BaseModel):
    """The fields of OpenAI's image requests that Easel maps; unknown ones are ignored,
    as new SDK versions add fields."""

    model_config = ConfigDict(extra="ignore")

    prompt: str
    model: str | None = None
    n: int = Field(default=1, ge=1, le=16)
    size: str | None = None
    quality: str | None = None
    style: str | None = None
    response_format: Literal["url", "b64_json"] | None = None
    user: str | None = None
    stream: bool = False
    partial_images: int = Field(default=0, ge=0, le=3)
    background: str | None = None
    output_format: str | None = None
    output_compression: int | None = None
    moderation: str | None = None
    input_fidelity: str | None = None


def _invalid(exc: ValidationError) -> OpenAIError:
    first = exc.errors()[0]
    param = str(first["loc"][0]) if first["loc"] else None
    return OpenAIError(400, f"{param}: {first['msg']}", param=param)


def _spec(body: ImageRequest, references: list[str], services: Services) -> JobSpec:
    """The Easel job for the call; a streamed call asks for previews (its partial images)."""
    if not body.model:
        available = [e.model.id for e in services.catalog.entries() if e.available]
        raise OpenAIError(
            400,
            f"Name an Easel model. Allowed values: {', '.join(available)}.",
            param="model",
            code="missing_required_parameter",
        )
    entry = services.catalog.get(body.model)
    qualities = entry.model.capabilities.qualities
    # "auto" means "the model's default" in OpenAI's API; Easel says that by leaving it out.
    quality = None if body.quality == "auto" and "auto" not in qualities else body.quality
    try:
        return JobSpec(
            prompt=body.prompt,
            models=[body.model],
            n=body.n,
            size=None if body.size in (None, "auto") else body.size,
            quality=quality,
            style=body.style,
            reference_images=references,
            extra={k: getattr(body, k) for k in PASSTHROUGH if getattr(body, k) is not None},
            previews=body.stream and body.partial_images > 0,
        )
    except ValidationError as exc:
        raise _invalid(exc) from None


def _base_url(request: Request, services: Services) -> str:
    return (services.settings.public_url or str(request.base_url)).rstrip("/")


def _format(mime: str) -> str:
    return mime.split("/")[-1].replace("jpg", "jpeg")


async def _image_item(
    services: Services, image: Image, base_url: str, response_format: str | None
) -> dict[str, Any]:
    item: dict[str, Any] = {}
    if response_format in (None, "url"):
        item["url"] = base_url + image_path(image.sha256)
    if response_format in (None, "b64_json"):
        item["b64_json"] = base64.b64encode(await services.store.get(image.storage_key)).decode()
    return item


def _no_image(view: JobView) -> OpenAIError:
    failed = next((v for v in view.variants if v.status == "failed"), None)
    if failed is None:
        return failure("canceled", "The job was canceled before it made an image.", view.job.id)
    return failure(failed.error_code, failed.error_message or "Generation failed.", view.job.id)


async def _response_body(
    services: Services, view: JobView, base_url: str, body: ImageRequest
) -> dict[str, Any]:
    images = [
        view.images[v.image_sha256]
        for v in view.variants
        if v.status == "succeeded" and v.image_sha256
    ]
    if not images:
        raise _no_image(view)
    return {
        "created": int(as_utc(view.job.created_at).timestamp()),
        "data": [await _image_item(services, i, base_url, body.response_format) for i in images],
        "output_format": _format(images[0].mime_type),
        "size": f"{images[0].width}x{images[0].height}",
        "quality": body.quality or "auto",
        "background": body.background or "auto",
    }


def _event(kind: Kind, suffix: str, fields: dict[str, Any], body: ImageRequest) -> ServerSentEvent:
    data = {
        "type": f"{kind}.{suffix}",
        "created_at": int(time.time()),
        "background": body.background or "auto",
        "quality": body.quality or "auto",
        **fields,
    }
    return ServerSentEvent(data=json.dumps(data, separators=(",", ":")), event=data["type"])


class _Partials:
    """Chooses which progress previews become partial images: at most ``limit`` per
    image, spread over the run (the i-th once progress passes (i+1)/(limit+1))."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.sent: dict[str | None, int] = {}

    def take(self, update: AnyEvent) -> tuple[int, str, str] | None:
        if update.type != VariantPreview.name:
            return None
        preview = update.data["preview"]
        index = self.sent.get(update.variant_id, 0)
        if index >= self.limit:
            return None
        if float(update.data.get("progress", 0)) < (index + 1) / (self.limit + 1):
            return None
        self.sent[update.variant_id] = index + 1
        header, _, b64 = str(preview).partition(",")
        return index, _format(header.removeprefix("data:").split(";")[0]), b64


async def _stream(
    services: Services, job: Job, base_url: str, body: ImageRequest, kind: Kind
) -> AsyncIterator[ServerSentEvent]:
    partials = _Partials(body.partial_images)
    completed = 0
    updates = follow_job(
        services.db,
        services.bus,
        user_id=job.user_id,
        job_id=job.id,
        live=body.partial_images > 0,
    )
    async for update in updates:
        if chosen := partials.take(update):
            index, output_format, b64 = chosen
            fields = {"b64_json": b64, "partial_image_index": index, "output_format": output_format}
            yield _event(kind, "partial_image", {**fields, "size": "auto"}, body)
        elif update.type == VariantSucceeded.name:
            view = await services.jobs.get(user_id=job.user_id, job_id=job.id)
            variant = next(v for v in view.variants if v.id == update.variant_id)
            image = view.images[str(variant.image_sha256)]
            fields = {
                **await _image_item(services, image, base_url, None),
                "output_format": _format(image.mime_type),
                "size": f"{image.width}x{image.height}",
                "usage": NO_USAGE,
            }
            completed += 1
            yield _event(kind, "completed", fields, body)
    if not completed:
        error = _no_image(await services.jobs.get(user_id=job.user_id, job_id=job.id))
        # The SDK raises APIError for a data object with a top-level "error".
        yield ServerSentEvent(data=json.dumps(error.body()), event="error")


async def _run(
    request: Request,
    services: Services,
    user_id: str,
    body: ImageRequest,
    references: list[str],
    kind: Kind,
) -> Response:
    if body.user:
        log.info("openai-compatible request for end user %r", body.user)
    job = await services.jobs.create(user_id=user_id, spec=_spec(body, references, services))
    base_url = _base_url(request, services)
    headers = {"x-easel-job-id": job.id}
    if body.stream:
        return EventSourceResponse(
            _stream(services, job, base_url, body, kind),
            ping=services.settings.sse_ping_seconds,
            headers={**SSE_HEADERS, **headers},
        )
    # Waiting for the end only: not a watcher, so no previews are made for this job.
    async for _ in follow_job(
        services.db, services.bus, user_id=user_id, job_id=job.id, live=False
    ):
        pass
    view = await services.jobs.get(user_id=user_id, job_id=job.id)
    return JSONResponse(await _response_body(services, view, base_url, body), headers=headers)


@router.post("/images/generations", response_model=None)
async def create_image(
    body: ImageRequest, request: Request, user: CurrentUser, services: ServicesDep
) -> Response:
    """OpenAI's ``images.generate``: a prompt on one Easel model, ``n`` images."""
    return await _run(request, services, user.id, body, [], "image_generation")


async def _data_url(upload: UploadFile) -> str:
    data = await upload.read()
    mime = upload.content_type or "application/octet-stream"
    return f"data:{mime};base64,{base64.b64encode(data).decode()}"


@router.post("/images/edits", response_model=None)
async def edit_image(request: Request, user: CurrentUser, services: ServicesDep) -> Response:
    """OpenAI's ``images.edit``: the prompt with reference images (``image``/``image[]``)
    on a model that takes them. Fields arrive as multipart text, as the SDKs send them."""
    form = await request.form()
    files = [f for key in ("image", "image[]") for f in form.getlist(key)]
    if form.get("mask") is not None:
        raise OpenAIError(400, "Easel does not support masks; leave mask out.", param="mask")
    if not files or not all(isinstance(f, UploadFile) for f in files):
        raise OpenAIError(400, "Send one or more images as 'image' or 'image[]'.", param="image")
    fields = {k: v for k, v in form.multi_items() if isinstance(v, str)}
    try:
        body = ImageRequest.model_validate(fields)
    except ValidationError as exc:
        raise _invalid(exc) from None
    references = [await _data_url(f) for f in files if isinstance(f, UploadFile)]
    return await _run(request, services, user.id, body, references, "image_edit")


def _model(entry_id: str, owner: str) -> dict[str, Any]:
    return {"id": entry_id, "object": "model", "created": 0, "owned_by": owner}


@router.get("/models", response_model=None)
async def list_models(user: CurrentUser, services: ServicesDep) -> dict[str, Any]:
    """The Easel models that can run now, as OpenAI model objects."""
    entries = [e for e in services.catalog.entries() if e.available]
    return {"object": "list", "data": [_model(e.model.id, e.model.provider) for e in entries]}


@router.get("/models/{model_id:path}", response_model=None)
async def get_model(model_id: str, user: CurrentUser, services: ServicesDep) -> dict[str, Any]:
    entry = services.catalog.get(model_id)
    return _model(entry.model.id, entry.model.provider)
