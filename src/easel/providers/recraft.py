"""Recraft through ``POST /v1/images/generations`` (JSON in, result URL out).

Facts and where they were read:

* Model ids and prices per image: Recraft V4.1 (``recraftv4_1`` $0.035, ``_vector``
  $0.08, ``_pro`` $0.21), https://www.recraft.ai/docs/api-reference/models/recraft-v4-1;
  Recraft V4 (``recraftv4`` $0.04, ``_vector`` $0.08, ``_pro`` $0.25, ``_pro_vector``
  $0.30), https://www.recraft.ai/docs/api-reference/models/recraft-v4; V4.1 Utility
  $0.035, Utility Pro $0.21 and V3 $0.04 raster,
  https://www.recraft.ai/docs/api-reference/pricing. V4.1 Pro Vector and the Utility
  vector models are not offered: their prices could not be read there. Names ending in
  ``_vector`` answer with SVG, https://www.recraft.ai/docs/api-reference/models/overview.
* Sizes: ``size`` takes ``WxH`` or an aspect ratio ``w:h``; V4 and V4.1 take fourteen
  1K sizes, Pro fourteen 2K sizes, vector models only the aspect ratios; V3 has its own
  sizes; prompts up to 10,000 characters from V4 on (1,000 before),
  https://www.recraft.ai/docs/api-reference/appendix.
* V4 and V4.1 take neither a negative prompt nor a V3 ``style`` (styles are the
  separate V4 Styles models); send only what the model supports,
  https://www.recraft.ai/docs/api-reference/agents.
* Recraft publishes no endpoint that lists its models, so `easel models check` cannot
  ask it. Errors may come as plain text (a bad key is ``401 text/plain "request
  unauthorized"``).

Operations on an image are multipart uploads (field names from the API client Recraft
generates from its own OpenAPI description, github.com/recraft-ai/mcp-recraft-server
``src/api/apis/ImageApi.ts``); Easel sends no ``size`` there, so the result keeps the
image's shape, and records the ``credits`` Recraft reports (1,000 units = $1):

* ``edit``: ``POST /v1/images/imageToImage`` (``image``, ``prompt``, ``strength`` 0-1,
  ``model``) on V3, V4 and V4.1; a ``_vector`` model answers with SVG, priced as its
  generation, https://www.recraft.ai/docs/api-reference/tools/image-to-image.
* ``inpaint``: ``POST /v1/images/inpaint`` (``image``, ``mask``, ``prompt``) with the mask
  in Recraft's convention (`easel.imaging.vendor_masks.RECRAFT_INPAINT`); sides 256-4096
  px; priced for V3 only, so only V3 offers it,
  https://www.recraft.ai/docs/api-reference/tools/inpainting.
* ``remove_background``: ``POST /v1/images/removeBackground``, $0.01,
  https://www.recraft.ai/docs/api-reference/tools/remove-background.
* ``upscale``: ``POST /v1/images/crispUpscale`` ($0.004, sides 32-4096 px) and
  ``/v1/images/creativeUpscale`` ($0.25, sides 256-4096 px), answering one ``image``
  rather than a ``data`` list; Recraft chooses the factor,
  https://www.recraft.ai/docs/api-reference/tools/upscale.
* Not offered: remix (``/v1/images/variateImage``) and outpainting
  (``/v1/images/outpaint``) are documented (tools/remix, tools/outpainting), but their
  request fields could not be read from Recraft's reference or client.
"""

from __future__ import annotations

import asyncio
from datetime import date
from decimal import Decimal
from typing import Any

import httpx
from pydantic import BaseModel

from easel.errors import (
    ContentRejected,
    InvalidOutput,
    ProviderAuthError,
    ProviderError,
    ProviderQuotaError,
    UnsupportedRequest,
)
from easel.providers._http import parse_json, send
from easel.providers.base import (
    Capabilities,
    ExtraOption,
    Finished,
    GenerationRequest,
    ImageURL,
    Lifecycle,
    ModelInfo,
    Operation,
    Outcome,
    Pricing,
    Provider,
    ReferenceImage,
    RunContext,
)

NAME = "Recraft"
_KEY_HINT = "Check RECRAFT_API_TOKEN (or EASEL_PROVIDERS__RECRAFT__API_KEY) in the environment."
DOCS = "https://www.recraft.ai/docs/api-reference"
PRICED_ON = date(2026, 11, 27)
SVG = "image/svg+xml"
RASTER = ("image/png", "image/jpeg", "image/webp")
# The V4 generation's aspect ratios, and the size each maps to at 1K and at 2K (Pro).
RATIOS = (
    *("1:1", "2:1", "1:2", "3:2", "2:3", "4:3", "3:4"),
    *("5:4", "4:5", "6:10", "14:10", "10:14", "16:9", "9:16"),
)
SIZES_1K = (
    *("1024x1024", "1536x768", "768x1536", "1280x832", "832x1280", "1216x896", "896x1216"),
    *("1152x896", "896x1152", "832x1344", "1280x896", "896x1280", "1344x768", "768x1344"),
)
SIZES_2K = (
    *("2048x2048", "3072x1536", "1536x3072", "2560x1664", "1664x2560", "2432x1792"),
    *("1792x2432", "2304x1792", "1792x2304", "1664x2688", "2560x1792", "1792x2560"),
    *("2688x1536", "1536x2688"),
)
SIZES_V3 = (
    *("1024x1024", "1365x1024", "1024x1365", "1536x1024", "1024x1536", "1820x1024"),
    *("1024x1820", "1024x2048", "2048x1024", "1434x1024", "1024x1434", "1024x1280"),
    *("1280x1024", "1024x1707", "1707x1024"),
)


def _model(
    remote: str, name: str, usd: str, page: str, description: str, caps: Capabilities
) -> ModelInfo:
    return ModelInfo(
        id=f"recraft/{remote}",
        name=name,
        provider="recraft",
        remote_name=remote,
        description=description,
        capabilities=caps,
        pricing=Pricing(per_image=Decimal(usd), source=f"{DOCS}/{page}", as_of=PRICED_ON),
        lifecycle=Lifecycle(source=f"{DOCS}/{page}"),
    )


DEFAULT_STRENGTH = 0.5
STRENGTH = ExtraOption(
    type="number",
    minimum=0,
    maximum=1,
    description="edit only: how far the result moves from the image (0 almost the same, "
    f"1 barely related); {DEFAULT_STRENGTH} when not set.",
)


def _editing(
    operations: tuple[Operation, ...] = ("generate", "edit"), **shape: Any
) -> Capabilities:
    """A generation model's capabilities with its operations on images; those send no
    size, so the result keeps the image's shape."""
    return Capabilities(
        **shape,
        operations=operations,
        keeps_source_size=True,
        extra_options={"strength": STRENGTH},
    )


def _v4(remote: str, name: str, usd: str, page: str, description: str) -> ModelInfo:
    """A V4-generation model: vector ones take aspect ratios and may answer with SVG."""
    if remote.endswith("_vector"):
        caps = _editing(
            aspect_ratios=RATIOS,
            ratio_only=True,
            max_prompt_length=10000,
            text_rendering=True,
            output_types=(*RASTER, SVG),
        )
    else:
        sizes = SIZES_2K if "_pro" in remote else SIZES_1K
        caps = _editing(sizes=sizes, max_prompt_length=10000, text_rendering=True)
    return _model(remote, name, usd, page, description, caps)


def _tool(
    remote: str, name: str, usd: str, page: str, operation: Operation, text: str
) -> ModelInfo:
    """One of Recraft's image tools: a single operation at ``/v1/images/{remote}``."""
    caps = Capabilities(operations=(operation,), keeps_source_size=True, max_prompt_length=1000)
    return _model(remote, name, usd, f"tools/{page}", text, caps)


V41 = "models/recraft-v4-1"
V4 = "models/recraft-v4"
MODELS = (
    _v4(
        "recraftv4_1",
        "Recraft V4.1",
        "0.035",
        V41,
        "Recraft V4.1 (May 2026), Recraft's default: design-minded raster images at 1K "
        "with legible text, sharper photorealism and cleaner icons than V4.",
    ),
    _v4(
        "recraftv4_1_vector",
        "Recraft V4.1 Vector",
        "0.08",
        V41,
        "Recraft V4.1 drawing vector art: an editable SVG (logos, icons, illustration). "
        "Easel stores it sanitised, with a raster thumbnail.",
    ),
    _v4(
        "recraftv4_1_pro",
        "Recraft V4.1 Pro",
        "0.21",
        V41,
        "Recraft V4.1 at 2K with finer detail, for print and hero images.",
    ),
    _v4(
        "recraftv4_1_utility",
        "Recraft V4.1 Utility",
        "0.035",
        "pricing",
        "Recraft V4.1 Utility: clean, predictable images with flat lighting and simple "
        "composition (product shots, assets, mockups) at 1K.",
    ),
    _v4(
        "recraftv4_1_utility_pro",
        "Recraft V4.1 Utility Pro",
        "0.21",
        "pricing",
        "Recraft V4.1 Utility at 2K.",
    ),
    _v4(
        "recraftv4",
        "Recraft V4",
        "0.04",
        V4,
        "Recraft V4 (February 2026): balanced composition, cohesive colour and legible "
        "text in raster images at 1K.",
    ),
    _v4(
        "recraftv4_vector",
        "Recraft V4 Vector",
        "0.08",
        V4,
        "Recraft V4 drawing vector art: an editable SVG. Easel stores it sanitised, with "
        "a raster thumbnail.",
    ),
    _v4("recraftv4_pro", "Recraft V4 Pro", "0.25", V4, "Recraft V4 at 2K, for print."),
    _v4(
        "recraftv4_pro_vector",
        "Recraft V4 Pro Vector",
        "0.30",
        V4,
        "Recraft V4 Pro drawing vector art: a finer, more detailed SVG.",
    ),
    _model(
        "recraftv3",
        "Recraft V3",
        "0.04",
        "pricing",
        "Recraft V3: design, illustration and legible text, with V3's style presets "
        "(realistic_image, digital_illustration, logo_raster, any).",
        _editing(
            ("generate", "edit", "inpaint"),
            sizes=SIZES_V3,
            styles=("any", "realistic_image", "digital_illustration", "logo_raster"),
            negative_prompt=True,
            max_prompt_length=1000,
        ),
    ),
    _tool(
        "removeBackground",
        "Recraft Remove Background",
        "0.01",
        "remove-background",
        "remove_background",
        "Recraft's background removal: the subject on a transparent background.",
    ),
    _tool(
        "crispUpscale",
        "Recraft Crisp Upscale",
        "0.004",
        "upscale",
        "upscale",
        "Recraft's crisp upscale: a larger, sharper, cleaner image with the content kept; "
        "Recraft chooses the factor.",
    ),
    _tool(
        "creativeUpscale",
        "Recraft Creative Upscale",
        "0.25",
        "upscale",
        "upscale",
        "Recraft's creative upscale: a larger image with fine detail and faces "
        "regenerated; Recraft chooses the factor.",
    ),
)
TOOLS = {"remove_background", "upscale"}
"""Operations Recraft runs as tools (the model's remote name is the endpoint)."""


class _Image(BaseModel):
    url: str
    image_id: str | None = None


class _Answer(BaseModel):
    data: list[_Image]
    credits: int | None = None


class _Processed(BaseModel):
    """What the tools answer: one image, not a list."""

    image: _Image
    credits: int | None = None


def _units(credits: int | None) -> Decimal | None:
    return Decimal(credits) / 1000 if credits is not None else None


def _classify(response: httpx.Response, said: str) -> ProviderError | None:
    message = said.rstrip(".")
    status, lowered = response.status_code, message.lower()
    if status in (401, 403):
        return ProviderAuthError(
            f"{NAME} rejected the API token ({status}): {message}.",
            hint=_KEY_HINT,
            status_code=status,
        )
    if status == 402 or "credit" in lowered or "balance" in lowered:
        return ProviderQuotaError(
            f"{NAME} has no API units left for this account: {message}.",
            hint="Top up API units at recraft.ai/profile/api.",
            status_code=status,
        )
    if any(word in lowered for word in ("moderation", "inappropriate", "nsfw", "safety")):
        return ContentRejected(
            f"{NAME} refused the prompt: {message}.",
            hint="Rephrase the prompt.",
            status_code=status,
        )
    return None


class RecraftProvider(Provider):
    id = "recraft"
    display_name = NAME
    key_env_vars = ("RECRAFT_API_TOKEN", "RECRAFT_API_KEY")
    default_base_url = "https://external.api.recraft.ai/v1"
    result_hosts = ("*.recraft.ai",)

    def models(self) -> list[ModelInfo]:
        return list(MODELS)

    async def start(self, request: GenerationRequest, ctx: RunContext) -> Outcome:
        if request.operation != "generate":
            return await self._operate(request, ctx)
        body: dict[str, Any] = {
            "prompt": request.prompt,
            "model": request.model.remote_name,  # always sent: the default moves on
            # Vector models take only an aspect ratio, which Recraft reads from ``size``.
            "size": request.aspect_ratio or request.size,
            "n": 1,
            "response_format": "url",
        }
        if request.style:
            body["style"] = request.style
        if request.negative_prompt:
            body["negative_prompt"] = request.negative_prompt
        response = await self._post(ctx, "generations", json=body)
        return _first(parse_json(response, _Answer, NAME), reported=False)

    async def _post(self, ctx: RunContext, endpoint: str, **body: Any) -> httpx.Response:
        return await send(
            ctx.http,
            "POST",
            f"{self.base_url}/images/{endpoint}",
            provider=NAME,
            classify=_classify,
            headers={"Authorization": f"Bearer {self.api_key}"},
            **body,
        )

    async def _operate(self, request: GenerationRequest, ctx: RunContext) -> Outcome:
        """An operation on the caller's image: a multipart upload to its endpoint."""
        image = request.inputs.image
        if image is None:
            raise UnsupportedRequest(f"{NAME} needs the image to work on.")
        files: dict[str, tuple[str, bytes, str]] = {"image": _upload("image", image)}
        fields = {"response_format": "url"}
        if request.operation in TOOLS:
            endpoint = request.model.remote_name
        else:
            endpoint = "imageToImage" if request.operation == "edit" else "inpaint"
            fields |= _edit_fields(request)
        if request.operation == "inpaint" and request.inputs.mask is not None:
            # The pixel tools load only where an operation needs them.
            from easel.imaging import RECRAFT_INPAINT, vendor_mask_png

            mask = await asyncio.to_thread(
                vendor_mask_png, request.inputs.mask.data, RECRAFT_INPAINT
            )
            files["mask"] = ("mask.png", mask, "image/png")
        response = await self._post(ctx, endpoint, data=fields, files=files)
        if request.operation in TOOLS:
            done = parse_json(response, _Processed, NAME)
            return Finished((ImageURL(done.image.url),), cost_usd=_units(done.credits))
        return _first(parse_json(response, _Answer, NAME), reported=True)


def _first(answer: _Answer, *, reported: bool) -> Finished:
    """The answer's image; with the cost Recraft reported when ``reported`` (generations
    keep the price table, which the catalog shows)."""
    if not answer.data:
        raise InvalidOutput(f"{NAME} answered without an image.")
    cost = _units(answer.credits) if reported else None
    return Finished((ImageURL(answer.data[0].url),), cost_usd=cost)


def _upload(name: str, image: ReferenceImage) -> tuple[str, bytes, str]:
    return (f"{name}.{image.mime_type.split('/')[-1]}", image.data, image.mime_type)


def _edit_fields(request: GenerationRequest) -> dict[str, str]:
    """The form fields of imageToImage and inpaint besides the files."""
    if not request.prompt.strip():
        raise UnsupportedRequest(
            f"{NAME} needs a prompt to {request.operation}: it describes the new content.",
            hint="Add a prompt saying what to paint.",
        )
    fields = {"prompt": request.prompt, "model": request.model.remote_name, "n": "1"}
    if request.operation == "edit":
        fields["strength"] = str(request.extra.get("strength", DEFAULT_STRENGTH))
    if request.style:
        fields["style"] = request.style
    if request.negative_prompt:
        fields["negative_prompt"] = request.negative_prompt
    return fields
