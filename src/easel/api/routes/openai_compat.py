"""An OpenAI-compatible Images API at ``/v1``, so tools written for OpenAI can use Easel.

``POST /v1/images/generations``, ``POST /v1/images/edits`` (multipart, reference images
as ``image`` or ``image[]``; with a ``mask``, an inpainting of the first image),
``POST /v1/images/variations`` and ``GET /v1/models``, with an Easel token as the API key.
Images sent to the edits and variations endpoints are stored as the caller's uploads,
so the results' lineage names them like any other job's inputs.
``model`` is any Easel model id. Every call is an ordinary Easel job, checked against the
model's capabilities by the same `JobSpec`/`plan_variants` as the rest of the API, and
kept in the history. The call waits for the job and answers OpenAI's response shape;
with ``stream: true`` it answers OpenAI's SSE events instead (partial images come from
the model's progress previews).

``url`` results are Easel's own durable image URLs (fetch them with the same bearer
token), or with ``EASEL_V1_SHARE_LINKS=true`` share links that need no token; without
``response_format`` both ``url`` and ``b64_json`` are returned, which suits clients
written for dall-e (url) and for GPT image models (b64_json) alike.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator
from typing import Any, Literal

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sse_starlette import EventSourceResponse, ServerSentEvent
from starlette.datastructures import FormData, UploadFile

from easel import payloads, urls
from easel.api.deps import CurrentUser, ServicesDep
from easel.api.error_docs import OPENAI_ERROR_RESPONSES
from easel.api.limits import body_limit
from easel.api.openai_errors import OpenAIError, OpenAIRoute, failure
from easel.db.ids import as_utc
from easel.db.repos import jobs as job_repo
from easel.db.tables import Job
from easel.engine.handoff import HandedImage
from easel.engine.specs import MAX_TEXT_LENGTH, JobSpec
from easel.errors import UserInputError
from easel.events.follow import follow_job
from easel.events.types import (
    AnyEvent,
    Event,
    VariantFailed,
    VariantPreview,
    VariantSucceeded,
)
from easel.imaging import OPENAI_EDITS, encode_png, from_vendor_mask, open_image
from easel.providers import CatalogEntry
from easel.services import Services
from easel.sharing import create_share
from easel.storage.uploads import store_upload

log = logging.getLogger(__name__)


class _ImagesAnswer(JSONResponse):
    """Rendered by orjson: the answer is mostly base64, megabytes of it, which the
    standard library's encoder copies and scans ten times slower (`easel.payloads`)."""

    def render(self, content: Any) -> bytes:
        return payloads.json_dumps(content)


router = APIRouter(
    prefix="/v1",
    route_class=OpenAIRoute,
    tags=["openai-compatible"],
    responses=OPENAI_ERROR_RESPONSES,
)

Kind = Literal["image_generation", "image_edit", "image_variation"]
# OpenAI options Easel has no field for; passed as extras to a model that declares them
# (capabilities.extra_options), ignored for others as the option does not apply there.
PASSTHROUGH = ("background", "output_format", "output_compression", "moderation", "input_fidelity")
MAX_EDIT_FILES = 16
MAX_EDIT_FIELDS = 64
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

    prompt: str = Field(default="", max_length=MAX_TEXT_LENGTH)
    model: str | None = Field(default=None, max_length=100)
    n: int = Field(default=1, ge=1, le=16)
    size: str | None = Field(default=None, max_length=20)
    quality: str | None = Field(default=None, max_length=30)
    style: str | None = Field(default=None, max_length=60)
    response_format: Literal["url", "b64_json"] | None = None
    user: str | None = Field(default=None, max_length=200)
    stream: bool = False
    partial_images: int = Field(default=0, ge=0, le=3)
    background: str | None = Field(default=None, max_length=30)
    output_format: str | None = Field(default=None, max_length=10)
    output_compression: int | None = Field(default=None, ge=0, le=100)
    moderation: str | None = Field(default=None, max_length=30)
    input_fidelity: str | None = Field(default=None, max_length=30)


def _edit_form_schema(*, prompt_required: bool = True) -> dict[str, Any]:
    """The multipart body of ``/v1/images/edits`` (and ``variations``, which needs no
    prompt) for the OpenAPI document: the request's fields as text parts, the images and
    the mask as files."""
    kinds = {"n": "integer", "partial_images": "integer", "output_compression": "integer"}
    kinds["stream"] = "boolean"
    properties: dict[str, Any] = {
        name: {"type": kinds.get(name, "string")}
        for name in ImageRequest.model_json_schema()["properties"]
    }
    properties["response_format"]["enum"] = ["url", "b64_json"]
    files = {"type": "array", "items": {"type": "string", "format": "binary"}, "maxItems": 16}
    properties |= {"image": files, "image[]": files}
    properties["mask"] = {"type": "string", "format": "binary"}
    # The SDK sends a list of images as image[], one variation source as image.
    required = ["prompt"] if prompt_required else ["image"]
    schema = {"type": "object", "required": required, "properties": properties}
    return {"required": True, "content": {"multipart/form-data": {"schema": schema}}}


def _invalid(exc: ValidationError) -> OpenAIError:
    first = exc.errors()[0]
    param = str(first["loc"][0]) if first["loc"] else None
    return OpenAIError(400, f"{param}: {first['msg']}", param=param)


def _spec(body: ImageRequest, inputs: dict[str, Any], services: Services) -> JobSpec:
    """The Easel job for the call, with the operation and its images in ``inputs``; a
    streamed call asks for previews (its partial images)."""
    if not body.model:
        available = [e.model.id for e in services.catalog.entries() if e.available]
        raise OpenAIError(
            400,
            f"Name an Easel model. Allowed values: {', '.join(available)}.",
            param="model",
            code="missing_required_parameter",
        )
    entry = services.catalog.require(body.model)
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
            **inputs,
            extra={
                k: getattr(body, k)
                for k in PASSTHROUGH
                if getattr(body, k) is not None and k in entry.model.capabilities.extra_options
            },
            previews=body.stream and body.partial_images > 0,
        )
    except ValidationError as exc:
        raise _invalid(exc) from None


def _format(mime: str) -> str:
    return mime.split("/")[-1].replace("jpg", "jpeg")


class _Outcome:
    """The job's fate, from its durable events: each variant's latest state change, in
    the order the variants were queued (their position)."""

    def __init__(self) -> None:
        self.latest: dict[str, Event] = {}

    def see(self, event: AnyEvent) -> None:
        if isinstance(event, Event) and event.variant_id is not None:
            self.latest[event.variant_id] = event  # keeps the variant's first place

    def succeeded(self) -> list[Event]:
        return [e for e in self.latest.values() if e.type == VariantSucceeded.name]

    def no_image(self, job_id: str) -> OpenAIError:
        failed = next((e for e in self.latest.values() if e.type == VariantFailed.name), None)
        if failed is None:
            return failure("canceled", "The job was canceled before it made an image.", job_id)
        message = str(failed.data.get("error") or "Generation failed.")
        return failure(str(failed.data["error_code"]), message, job_id)


def _sha(succeeded: Event) -> str:
    return str(succeeded.data["image"]).rsplit("/", 1)[-1]


async def _images(
    services: Services, succeeded: list[Event], received: dict[str, HandedImage]
) -> dict[str, HandedImage]:
    """The bytes of each image: handed over by this process's worker, or else read back
    from storage (the job ran in another process)."""
    images = dict(received)
    missing = [sha for sha in map(_sha, succeeded) if sha not in images]
    if missing:
        async with services.db.session() as session:
            rows = await job_repo.images_of(session, shas=missing)
        for sha, row in rows.items():
            images[sha] = HandedImage(await services.store.get(row.storage_key), row.mime_type)
    return images


async def _image_item(
    services: Services,
    job: Job,
    event: Event,
    image: HandedImage,
    base_url: str,
    response_format: str | None,
) -> dict[str, Any]:
    item: dict[str, Any] = {}
    if response_format in (None, "url"):
        item["url"] = base_url + await _image_path(services, job, event)
    if response_format in (None, "b64_json"):
        item["b64_json"] = payloads.b64encode(image.data)
    return item


async def _image_path(services: Services, job: Job, event: Event) -> str:
    """The API's image URL (it needs the token), or with ``v1_share_links`` a new share
    link, which any client can show."""
    settings = services.settings
    if not settings.v1_share_links:
        return str(event.data["image"])
    issued = await create_share(
        services.db,
        user_id=job.user_id,
        kind="image",
        target_id=_sha(event),
        expires_in=settings.v1_share_link_seconds or None,
    )
    return urls.share_path(issued.token)


def _size(event: Event) -> str:
    return f"{event.data['width']}x{event.data['height']}"


async def _response_body(
    services: Services,
    job: Job,
    outcome: _Outcome,
    received: dict[str, HandedImage],
    base_url: str,
    body: ImageRequest,
) -> dict[str, Any]:
    succeeded = outcome.succeeded()
    if not succeeded:
        raise outcome.no_image(job.id)
    images = await _images(services, succeeded, received)
    first = images[_sha(succeeded[0])]
    return {
        "created": int(as_utc(job.created_at).timestamp()),
        "data": [
            await _image_item(services, job, e, images[_sha(e)], base_url, body.response_format)
            for e in succeeded
        ],
        "output_format": _format(first.mime_type),
        "size": _size(succeeded[0]),
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
    return ServerSentEvent(data=payloads.json_dumps(data).decode(), event=data["type"])


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
    outcome = _Outcome()
    updates = follow_job(
        services.log_reads,
        services.bus,
        user_id=job.user_id,
        job_id=job.id,
        live=body.partial_images > 0,
    )
    with services.handoff.expect(job.id) as received:
        async for update in updates:
            outcome.see(update)
            if chosen := partials.take(update):
                index, output_format, b64 = chosen
                fields = {
                    "b64_json": b64,
                    "partial_image_index": index,
                    "output_format": output_format,
                }
                yield _event(kind, "partial_image", {**fields, "size": "auto"}, body)
            elif isinstance(update, Event) and update.type == VariantSucceeded.name:
                images = await _images(services, [update], received)
                image = images[_sha(update)]
                fields = {
                    **await _image_item(services, job, update, image, base_url, None),
                    "output_format": _format(image.mime_type),
                    "size": _size(update),
                    "usage": NO_USAGE,
                }
                yield _event(kind, "completed", fields, body)
    if not outcome.succeeded():
        # The SDK raises APIError for a data object with a top-level "error".
        error = outcome.no_image(job.id)
        yield ServerSentEvent(data=json.dumps(error.body()), event="error")


async def _run(
    request: Request,
    services: Services,
    user_id: str,
    body: ImageRequest,
    inputs: dict[str, Any],
    kind: Kind,
) -> Response:
    if body.user:
        log.info("openai-compatible request for end user %r", body.user)
    job = await services.jobs.create(user_id=user_id, spec=_spec(body, inputs, services))
    base_url = urls.base_url(request, services.settings.public_url)
    headers = {"x-easel-job-id": job.id}
    if body.stream:
        return EventSourceResponse(
            _stream(services, job, base_url, body, kind),
            ping=services.settings.sse_ping_seconds,
            headers={**SSE_HEADERS, **headers},
        )
    outcome = _Outcome()
    with services.handoff.expect(job.id) as received:
        # Waiting for the end only: not a watcher, so no previews are made for this job.
        async for event in follow_job(
            services.log_reads, services.bus, user_id=user_id, job_id=job.id, live=False
        ):
            outcome.see(event)
        answer = await _response_body(services, job, outcome, received, base_url, body)
    return _ImagesAnswer(answer, headers=headers)


@router.post("/images/generations", response_model=None)
async def create_image(
    body: ImageRequest, request: Request, user: CurrentUser, services: ServicesDep
) -> Response:
    """OpenAI's ``images.generate``: a prompt on one Easel model, ``n`` images."""
    return await _run(request, services, user.id, body, {}, "image_generation")


def _read(upload: UploadFile) -> bytes:
    """The uploaded file (spooled to disk by now); run in a thread."""
    upload.file.seek(0)
    return upload.file.read()


def _uploads(form: FormData, max_bytes: int) -> list[UploadFile]:
    files = [f for key in ("image", "image[]") for f in form.getlist(key)]
    uploads = [f for f in files if isinstance(f, UploadFile)]
    if not files or len(uploads) != len(files):
        raise OpenAIError(400, "Send one or more images as 'image' or 'image[]'.", param="image")
    for index, upload in enumerate(uploads):
        _check_size(upload, max_bytes, f"Image {index + 1}", "image")
    return uploads


def _check_size(upload: UploadFile, max_bytes: int, what: str, param: str) -> None:
    if (upload.size or 0) > max_bytes:
        raise OpenAIError(
            400, f"{what} is {upload.size:,} bytes; the limit is {max_bytes:,}.", param=param
        )


async def _keep(services: Services, user_id: str, data: bytes, param: str) -> str:
    """Store bytes the caller sent as their upload; its sha256."""
    staged = await services.staging.write(data, "application/octet-stream")
    try:
        image = await store_upload(
            db=services.db, keeper=services.keeper, user_id=user_id, staged=staged
        )
    except UserInputError as exc:
        raise OpenAIError(400, exc.message, param=param) from None
    return image.sha256


def _openai_mask(data: bytes) -> bytes:
    """A mask in OpenAI's convention (transparent = edit) as Easel's canonical PNG."""
    try:
        mask = from_vendor_mask(open_image(data, field="mask"), OPENAI_EDITS)
    except UserInputError as exc:
        raise OpenAIError(400, exc.message, param="mask") from None
    return encode_png(mask)


async def _mask_of(form: FormData, services: Services, user_id: str) -> str | None:
    mask = form.get("mask")
    if mask is None:
        return None
    if not isinstance(mask, UploadFile):
        raise OpenAIError(400, "Send the mask as a PNG file.", param="mask")
    _check_size(mask, services.settings.max_reference_image_bytes, "The mask", "mask")
    canonical = await asyncio.to_thread(_openai_mask, await asyncio.to_thread(_read, mask))
    return await _keep(services, user_id, canonical, "mask")


def _fields(form: FormData) -> ImageRequest:
    fields = {k: v for k, v in form.multi_items() if isinstance(v, str)}
    try:
        return ImageRequest.model_validate(fields)
    except ValidationError as exc:
        raise _invalid(exc) from None


@router.post(
    "/images/edits",
    response_model=None,
    openapi_extra={**body_limit("max_upload_body_bytes"), "requestBody": _edit_form_schema()},
)
async def edit_image(request: Request, user: CurrentUser, services: ServicesDep) -> Response:
    """OpenAI's ``images.edit``: the prompt with reference images (``image``/``image[]``)
    on a model that takes them; with a ``mask`` (OpenAI's convention: transparent where
    to edit), an inpainting of the first image, the others as references. Fields arrive
    as multipart text, as the SDKs send them. Files are streamed to temporary files as
    they arrive and read in a worker thread."""
    form = await request.form(max_files=MAX_EDIT_FILES, max_fields=MAX_EDIT_FIELDS)
    uploads = _uploads(form, services.settings.max_reference_image_bytes)
    body = _fields(form)
    mask = await _mask_of(form, services, user.id)
    shas = [
        await _keep(services, user.id, await asyncio.to_thread(_read, f), "image") for f in uploads
    ]
    inputs: dict[str, Any] = {"reference_images": shas}
    if mask is not None:
        inputs = {"operation": "inpaint", "image": shas[0], "mask": mask}
        inputs["reference_images"] = shas[1:]
    return await _run(request, services, user.id, body, inputs, "image_edit")


@router.post(
    "/images/variations",
    response_model=None,
    openapi_extra={
        **body_limit("max_upload_body_bytes"),
        "requestBody": _edit_form_schema(prompt_required=False),
    },
)
async def create_variation(request: Request, user: CurrentUser, services: ServicesDep) -> Response:
    """OpenAI's ``images.create_variation``: ``n`` variations of one ``image`` on any
    Easel model that makes variations (capabilities.operations)."""
    form = await request.form(max_files=2, max_fields=MAX_EDIT_FIELDS)
    uploads = _uploads(form, services.settings.max_reference_image_bytes)
    if len(uploads) != 1:
        raise OpenAIError(400, "Send exactly one image.", param="image")
    body = _fields(form)
    if body.stream:
        raise OpenAIError(400, "Variations are not streamed; leave stream out.", param="stream")
    sha = await _keep(services, user.id, await asyncio.to_thread(_read, uploads[0]), "image")
    inputs = {"operation": "variations", "image": sha}
    return await _run(request, services, user.id, body, inputs, "image_variation")


def _model(entry: CatalogEntry) -> dict[str, Any]:
    """An OpenAI model object; ``shutdown_date`` (YYYY-MM-DD) as OpenAI gives it."""
    shutdown = entry.model.lifecycle.shutdown_date
    return {
        "id": entry.model.id,
        "object": "model",
        "created": 0,
        "owned_by": entry.model.provider,
        "shutdown_date": shutdown.isoformat() if shutdown else None,
    }


@router.get("/models", response_model=None)
async def list_models(user: CurrentUser, services: ServicesDep) -> dict[str, Any]:
    """The Easel models that can run now, as OpenAI model objects."""
    entries = [e for e in services.catalog.entries() if e.available]
    return {"object": "list", "data": [_model(e) for e in entries]}


@router.get("/models/{model_id:path}", response_model=None)
async def get_model(model_id: str, user: CurrentUser, services: ServicesDep) -> dict[str, Any]:
    """One model; a shut-down one is a 404 ``model_not_found`` naming its replacement."""
    return _model(services.catalog.require(model_id))
