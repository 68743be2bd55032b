"""Easel's MCP tools and resources, over the same services as the HTTP API.

Tools: ``generate_image`` (waits, sending progress notifications, and returns the images
as image content with their Easel URLs), ``start_generation`` and ``get_job`` for long
runs, ``list_models``, ``search_history`` and ``list_presets``; ``edit_image``,
``upscale_image`` and ``remove_background`` (`easel.mcp.image_tools`); ``describe_image`` and
``suggest_prompts`` (`easel.mcp.assist_tools`) stream an assistant's text. Images are also readable
as resources, ``easel://images/{sha256}``.

Who the caller is comes from the transport: over HTTP the bearer token checked by the
SDK's auth middleware (`easel.mcp.http`), over stdio the user of ``EASEL_TOKEN`` fixed at
start-up (`easel.mcp.stdio`). Every query is scoped to that user.
"""

from __future__ import annotations

import asyncio
import io
import json
from collections.abc import Callable
from datetime import date
from typing import Any

from mcp.server.auth.middleware.auth_context import get_access_token
from mcp.server.auth.provider import TokenVerifier
from mcp.server.auth.settings import AuthSettings
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ResourceError, ToolError
from mcp_types import CallToolResult, ContentBlock, ImageContent, ResourceLink, TextContent
from PIL import Image as PILImage
from pydantic import ValidationError

from easel import __version__, payloads
from easel.db.ids import as_utc
from easel.db.repos import images as image_repo
from easel.db.repos import presets as preset_repo
from easel.db.repos.jobs import JobFilters
from easel.engine.jobs import JobView
from easel.engine.specs import JobSpec
from easel.errors import EaselError
from easel.events.follow import follow_job
from easel.events.types import AnyEvent, VariantPreview, VariantProgress
from easel.mcp.assist_tools import register_assist
from easel.mcp.image_tools import Operate, register_image_tools
from easel.services import Services
from easel.urls import image_path, job_path

ServicesGetter = Callable[[], Services]
IMAGE_URI = "easel://images/{sha256}"
MAX_INLINE_BYTES = 4 * 1024 * 1024
"""Larger originals are returned as their thumbnail; the URL and resource give the full file."""
JOB_ARGUMENTS = frozenset(
    {"prompt", "models", "n", "size", "aspect_ratio", "seed", "negative_prompt", "style"}
    | {"quality", "preset_id"}
)
"""The tool arguments that make up a `JobSpec`."""
INSTRUCTIONS = (
    "Easel generates images with many models. Call list_models first to pick a model, "
    "then generate_image (waits) or start_generation + get_job (for slow models)."
)


def _user_id(default_user: str | None) -> str:
    token = get_access_token()
    if token is not None and token.subject:
        return token.subject
    if default_user:
        return default_user
    raise ToolError("Not authenticated: connect with an Easel API token.")


def _base_url(services: Services, ctx: Context | None) -> str:
    if services.settings.public_url:
        return services.settings.public_url.rstrip("/")
    request = ctx.request_context.request if ctx is not None else None
    base = getattr(request, "base_url", None)
    return str(base).rstrip("/") if base is not None else ""


def job_summary(view: JobView, base_url: str) -> dict[str, Any]:
    variants = []
    for v in view.variants:
        image = view.images.get(v.image_sha256) if v.image_sha256 else None
        variants.append(
            {
                "id": v.id,
                "model": v.model_id,
                "status": v.status,
                "progress": view.progress(v),
                "seed": v.seed,
                "error": v.error_message,
                "image": None
                if image is None
                else {
                    "sha256": image.sha256,
                    "url": base_url + image_path(image.sha256),
                    "resource": IMAGE_URI.format(sha256=image.sha256),
                    "width": image.width,
                    "height": image.height,
                    "mime_type": image.mime_type,
                },
            }
        )
    return {
        "id": view.job.id,
        "status": view.job.status,
        "prompt": view.job.prompt,
        "created_at": as_utc(view.job.created_at).isoformat(),
        "cost_usd": str(view.cost_usd),
        "url": base_url + job_path(view.job.id),
        "variants": variants,
    }


class _Progress:
    """Turns job events into MCP progress notifications: 0-100 over all variants,
    only ever increasing, as the protocol asks."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.total = 1
        self.parts: dict[str | None, float] = {}
        self.sent = -1.0

    async def update(self, update: AnyEvent) -> None:
        if update.type == "job.created":
            self.total = max(1, int(update.data["variants"]))
            return
        if update.type in (VariantProgress.name, VariantPreview.name):
            self.parts[update.variant_id] = float(update.data["progress"])
        elif update.type in ("variant.succeeded", "variant.failed", "variant.canceled"):
            self.parts[update.variant_id] = 1.0
        else:
            return
        done = round(100 * sum(self.parts.values()) / self.total, 1)
        if done > self.sent:
            self.sent = done
            message = str(update.data.get("message") or update.type)
            await self.ctx.report_progress(done, 100, message)


class EaselTools:
    """The tools, bound to the services and to how the caller is identified."""

    def __init__(self, services: ServicesGetter, default_user: str | None) -> None:
        self.services = services
        self.default_user = default_user

    def _spec(self, **fields: Any) -> JobSpec:
        try:
            return JobSpec.model_validate({k: v for k, v in fields.items() if v is not None})
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise ToolError(f"{where}: {first['msg']}") from None

    async def _create(self, fields: dict[str, Any]) -> tuple[Services, str, str]:
        services, user_id = self.services(), _user_id(self.default_user)
        try:
            job = await services.jobs.create(user_id=user_id, spec=self._spec(**fields))
        except EaselError as exc:
            raise ToolError(str(exc)) from None
        return services, user_id, job.id

    async def _view(self, services: Services, user_id: str, job_id: str) -> JobView:
        try:
            return await services.jobs.get(user_id=user_id, job_id=job_id)
        except EaselError as exc:
            raise ToolError(str(exc)) from None

    async def _image_blocks(self, services: Services, view: JobView) -> list[ContentBlock]:
        blocks: list[ContentBlock] = []
        for variant in view.variants:
            image = view.images.get(variant.image_sha256) if variant.image_sha256 else None
            if image is None:
                continue
            small = image.size_bytes > MAX_INLINE_BYTES
            data = await services.store.get(image.thumbnail_key if small else image.storage_key)
            mime = "image/webp" if small else image.mime_type
            blocks.append(ImageContent(type="image", data=payloads.b64encode(data), mime_type=mime))
            uri = IMAGE_URI.format(sha256=image.sha256)
            name = f"{variant.model_id} #{variant.position + 1}"
            blocks.append(
                ResourceLink(type="resource_link", uri=uri, name=name, mime_type=image.mime_type)
            )
        return blocks

    async def result(
        self, services: Services, view: JobView, ctx: Context | None, *, images: bool
    ) -> CallToolResult:
        summary = job_summary(view, _base_url(services, ctx))
        blocks: list[ContentBlock] = [TextContent(type="text", text=json.dumps(summary, indent=1))]
        if images:
            blocks += await self._image_blocks(services, view)
        failed = bool(view.variants) and all(v.status != "succeeded" for v in view.variants)
        finished = view.job.finished_at is not None
        return CallToolResult(
            content=blocks, structured_content=summary, is_error=finished and failed
        )

    async def generate(self, ctx: Context, fields: dict[str, Any]) -> CallToolResult:
        services, user_id, job_id = await self._create(fields)
        progress = _Progress(ctx)
        async for update in follow_job(
            services.log_reads, services.bus, user_id=user_id, job_id=job_id
        ):
            await progress.update(update)
        view = await self._view(services, user_id, job_id)
        return await self.result(services, view, ctx, images=True)

    async def start(self, ctx: Context, fields: dict[str, Any]) -> CallToolResult:
        services, user_id, job_id = await self._create(fields)
        view = await self._view(services, user_id, job_id)
        return await self.result(services, view, ctx, images=False)

    async def get(self, ctx: Context, job_id: str, include_images: bool) -> CallToolResult:
        services, user_id = self.services(), _user_id(self.default_user)
        view = await self._view(services, user_id, job_id)
        return await self.result(services, view, ctx, images=include_images)

    async def search(self, ctx: Context, filters: JobFilters, limit: int) -> dict[str, Any]:
        services, user_id = self.services(), _user_id(self.default_user)
        views = await services.jobs.search(
            user_id=user_id, filters=filters, before=None, limit=limit
        )
        base = _base_url(services, ctx)
        return {"jobs": [job_summary(v, base) for v in views]}

    def models(self, available_only: bool) -> dict[str, Any]:
        entries = self.services().catalog.entries()
        return {
            "models": [
                {
                    "id": e.model.id,
                    "name": e.model.name,
                    "description": e.model.description,
                    "available": e.available,
                    "unavailable_reason": e.unavailable_reason,
                    "status": e.status,
                    "shutdown_date": _day(e.model.lifecycle.shutdown_date),
                    "replacement": e.model.lifecycle.replacement,
                    "price_per_image_usd": str(e.model.pricing.per_image),
                    "capabilities": e.model.capabilities.model_dump(mode="json"),
                }
                for e in entries
                if e.available or not available_only
            ]
        }

    async def presets(self) -> dict[str, Any]:
        services, user_id = self.services(), _user_id(self.default_user)
        async with services.db.session() as session:
            presets = await preset_repo.list_presets(session, user_id=user_id)
        return {
            "presets": [
                {"id": p.id, "name": p.name, "models": p.models, "params": p.params}
                for p in presets
            ]
        }

    async def image(self, sha256: str) -> bytes:
        services, user_id = self.services(), _user_id(self.default_user)
        async with services.db.session() as session:
            image = await image_repo.image_for_user(session, user_id=user_id, sha256=sha256)
        if image is None:
            raise ResourceError(f"No image {sha256}.")
        data = await services.store.get(image.storage_key)
        return data if image.mime_type == "image/png" else await asyncio.to_thread(_as_png, data)


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _as_png(data: bytes) -> bytes:
    # The resource template declares one MIME type, so other formats are converted.
    out = io.BytesIO()
    with PILImage.open(io.BytesIO(data)) as image:
        image.save(out, "PNG")
    return out.getvalue()


def build_server(
    services: ServicesGetter,
    *,
    default_user: str | None = None,
    token_verifier: TokenVerifier | None = None,
    issuer_url: str = "http://127.0.0.1",
) -> MCPServer:
    """The MCP server. With a ``token_verifier`` (HTTP) every request needs a bearer
    token; without one (stdio) everything runs as ``default_user``."""
    auth = None
    if token_verifier is not None:
        # Easel only checks its own tokens; it is not an OAuth server, so no metadata
        # routes are published (the issuer URL is required by the SDK but unused).
        auth = AuthSettings(issuer_url=issuer_url, resource_server_url=None)
    server: MCPServer = MCPServer(
        "easel",
        title="Easel",
        instructions=INSTRUCTIONS,
        version=__version__,
        token_verifier=token_verifier,
        auth=auth,
        log_level="WARNING",
    )
    tools = EaselTools(services, default_user)
    register(server, tools)
    register_image_tools(server, Operate(tools, lambda: _user_id(default_user)))
    register_assist(server, services, lambda: _user_id(default_user))
    return server


def register(server: MCPServer, tools: EaselTools) -> None:
    @server.tool()
    async def generate_image(
        prompt: str,
        ctx: Context,
        models: list[str] | None = None,
        n: int = 1,
        size: str | None = None,
        aspect_ratio: str | None = None,
        seed: int | None = None,
        negative_prompt: str | None = None,
        style: str | None = None,
        quality: str | None = None,
        preset_id: str | None = None,
    ) -> CallToolResult:
        """Generate images and wait for them; returns the images and their Easel URLs.

        models: Easel model ids (see list_models); left out, your default models are used.
        n: images per model; size: WIDTHxHEIGHT; aspect_ratio: W:H. Sends progress
        notifications while it runs.
        """
        fields = {k: v for k, v in locals().items() if k in JOB_ARGUMENTS}
        return await tools.generate(ctx, fields)

    @server.tool()
    async def start_generation(
        prompt: str,
        ctx: Context,
        models: list[str] | None = None,
        n: int = 1,
        size: str | None = None,
        aspect_ratio: str | None = None,
        seed: int | None = None,
        negative_prompt: str | None = None,
        style: str | None = None,
        quality: str | None = None,
        preset_id: str | None = None,
    ) -> CallToolResult:
        """Queue a generation and return at once with its job id; poll it with get_job."""
        fields = {k: v for k, v in locals().items() if k in JOB_ARGUMENTS}
        return await tools.start(ctx, fields)

    @server.tool()
    async def get_job(job_id: str, ctx: Context, include_images: bool = True) -> CallToolResult:
        """A job's status, per-variant progress and errors; its images once finished."""
        return await tools.get(ctx, job_id, include_images)

    @server.tool()
    def list_models(available_only: bool = False) -> dict[str, Any]:
        """Every model on offer: id, whether it can run now (and why not), its status
        (active or deprecated, with the shutdown date and replacement), price, capabilities."""
        return tools.models(available_only)

    @server.tool()
    async def search_history(
        ctx: Context,
        text: str | None = None,
        model: str | None = None,
        status: str | None = None,
        favorite: bool | None = None,
        limit: int = 20,
    ) -> dict[str, Any]:
        """Your past jobs, newest first, filtered by prompt text, model, status or favourite."""
        filters = JobFilters(model=model, status=status, favorite=favorite, text=text)
        return await tools.search(ctx, filters, max(1, min(limit, 100)))

    @server.tool()
    async def list_presets() -> dict[str, Any]:
        """Your saved presets (models and parameters); pass an id as preset_id."""
        return await tools.presets()

    @server.resource(IMAGE_URI, name="image", mime_type="image/png")
    async def image(sha256: str) -> bytes:
        """An image you generated, by its sha256."""
        return await tools.image(sha256)
