"""OpenAI Images API: the GPT image models, streamed with partial images as previews.

When someone can see previews, a request streams (``stream: true, partial_images: 2``)
so its partial images become live previews; otherwise it asks for the plain JSON answer
(partial images are billed as extra output tokens). With an image to edit or reference
images the same request goes to ``/images/edits`` as multipart with ``image[]`` parts
(the image worked on first), and for inpainting a ``mask`` part: the canonical mask in
OpenAI's convention (transparent = edit, `easel.imaging.vendor_masks`). OpenAI treats the
mask as guidance and may repaint outside it, so the models say ``mask_is_hint`` and the
engine puts the original back outside the mask unless the job says ``composite: false``.
The cost comes from the ``usage`` block of the final event (token prices below); the
per-image tables are the estimate shown before a run.

Facts and where they were read:

* Model ids, parameters and retirements: the ``openai`` Python SDK 3.57.0,
  ``src/openai/types/image_model.py``, ``image_generate_params.py``,
  ``image_edit_params.py``, ``images_response.py`` and ``model.py``.
* Size limits (edges multiples of 16, long edge at most 3840 and 3x the short one,
  655,360 to 8,294,400 pixels), per-image prices and "each partial image costs 100
  output tokens": https://developers.openai.com/api/docs/guides/image-generation
* Deprecation dates and replacements: https://developers.openai.com/api/docs/deprecations
* Token prices: the model pages under https://developers.openai.com/api/docs/models
  and https://developers.openai.com/api/docs/pricing
* A retired model id answers 404 ``model_not_found``; ``GET /v1/models`` lists what the
  account can use, with ``shutdown_date`` (YYYY-MM-DD) where one is announced.
"""

from __future__ import annotations

import asyncio
import re
from datetime import date
from decimal import Decimal
from typing import Any

import httpx
from httpx_sse import EventSource
from pydantic import BaseModel, ValidationError

from easel.errors import (
    ContentRejected,
    InvalidOutput,
    ProviderAuthError,
    ProviderError,
    ProviderQuotaError,
    UnsupportedRequest,
)
from easel.imaging import OPENAI_EDITS, encode_vendor_mask, open_image
from easel.providers._http import decode_image, map_error, parse_json, send, transport_errors
from easel.providers.base import (
    Capabilities,
    ExtraOption,
    Finished,
    GenerationRequest,
    ImageBytes,
    Lifecycle,
    ModelInfo,
    Outcome,
    PriceRule,
    Pricing,
    Provider,
    ReferenceImage,
    RunContext,
    ServedModel,
    TokenPrices,
    deprecated,
    retired,
)

NAME = "OpenAI"
PARTIAL_IMAGES = 2
SDK = "openai 3.57.0 (PyPI): src/openai/types/image_model.py, image_generate_params.py"
GUIDE = "https://developers.openai.com/api/docs/guides/image-generation"
DEPRECATIONS = "https://developers.openai.com/api/docs/deprecations"
MODEL_PAGES = "https://developers.openai.com/api/docs/models"
_MODERATION = {"content_policy_violation", "moderation_blocked"}
_NO_CREDIT = {"insufficient_quota", "billing_hard_limit_reached"}
_KEY_HINT = "Check OPENAI_API_KEY (or EASEL_PROVIDERS__OPENAI__API_KEY) in the environment."
_MIME = {"png": "image/png", "webp": "image/webp", "jpeg": "image/jpeg"}
_SNAPSHOT = re.compile(r"^(?P<base>.+)-\d{4}-\d{2}-\d{2}$")
IMAGE_FAMILIES = ("gpt-image-", "chatgpt-image-", "dall-e-")
"""How `served_models` tells an image model in OpenAI's list: the id prefixes of its image
families (GPT Image, ChatGPT Image, DALL·E). Text, audio and embedding models never
start with these."""

# -- the catalog -----------------------------------------------------------------------

STANDARD_SIZES = ("1024x1024", "1536x1024", "1024x1536")
RATIOS = ("1:1", "3:2", "2:3", "4:3", "3:4", "16:9", "9:16", "21:9")
FORMATS = ("png", "webp", "jpeg")
ANY_SIZE = {
    # Any WIDTHxHEIGHT within the pixel and edge limits (image generation guide).
    "min_side": 16,
    "max_side": 3840,
    "size_multiple": 16,
    "min_pixels": 655_360,
    "max_pixels": 8_294_400,
    "max_aspect": 3.0,
    "aspect_ratios": RATIOS,
}
GPT_IMAGE_2_TOKENS = TokenPrices(
    text_input_per_million=Decimal(5),
    image_input_per_million=Decimal(8),
    image_output_per_million=Decimal(30),
)
GPT_IMAGE_2_PRICE = "token prices: the gpt-image-2 and gpt-image-2.6-sunburst model pages"


def _rule(usd: str, **when: str) -> PriceRule:
    return PriceRule(when=when, usd=Decimal(usd))


def _by_quality(low: str, medium: str, high: str) -> tuple[PriceRule, ...]:
    """Per-image estimates at 1024x1024 by quality; ``auto`` and unknown qualities are
    estimated as ``high``, the usual upper bound."""
    return (_rule(low, quality="low"), _rule(medium, quality="medium"), _rule(high, quality="high"))


def _choice(values: tuple[str, ...]) -> ExtraOption:
    return ExtraOption(type="string", choices=values)


def gpt_image(
    remote: str,
    name: str,
    description: str,
    *,
    pricing: Pricing,
    lifecycle: Lifecycle | None = None,
    qualities: tuple[str, ...] = ("low", "medium", "high", "auto"),
    backgrounds: tuple[str, ...] = ("auto", "opaque", "transparent"),
    free_sizes: bool = True,
    fidelity: tuple[str, ...] = (),
) -> ModelInfo:
    """One GPT image model: what every one shares, and what sets this one apart."""
    options = {
        "background": _choice(backgrounds),
        "output_format": _choice(FORMATS),
        "moderation": _choice(("auto", "low")),
        "output_compression": ExtraOption(type="integer", minimum=0, maximum=100),
    }
    if fidelity:
        options["input_fidelity"] = _choice(fidelity)
    shape: dict[str, Any] = dict(ANY_SIZE) if free_sizes else {"sizes": STANDARD_SIZES}
    return ModelInfo(
        id=f"openai/{remote}",
        name=name,
        provider="openai",
        remote_name=remote,
        description=description,
        capabilities=Capabilities(
            **shape,
            qualities=qualities,
            reference_images=16,
            previews=True,
            max_prompt_length=32000,
            extra_options=options,
            operations=("generate", "edit", "inpaint"),
            mask_is_hint=True,  # "the mask … guides" the edit: pixels outside may change
        ),
        pricing=pricing,
        lifecycle=lifecycle or Lifecycle(source=SDK),
    )


def _gpt_image_2_pricing(note: str = "") -> Pricing:
    return Pricing(
        tokens=GPT_IMAGE_2_TOKENS,
        per_image=Decimal("0.211"),
        rules=_by_quality("0.006", "0.053", "0.211"),
        source=f"{GPT_IMAGE_2_PRICE}; per-image estimates: gpt-image-2's table in {GUIDE}" + note,
        as_of=date(2026, 11, 20),
    )


GPT_IMAGE_2_6_SUNBURST = gpt_image(
    "gpt-image-2.6-sunburst",
    "GPT Image 2.6 Sunburst",
    "OpenAI's newest image model, tuned for detail and edits that stay consistent. "
    "Up to 16 reference images, transparent backgrounds, live previews. Billed by tokens.",
    # The SDK names arbitrary sizes only for gpt-image-2 and 2.5; 2.6 gets the standard ones.
    free_sizes=False,
    pricing=_gpt_image_2_pricing(" (2.6 is billed at the same token rates)"),
)
GPT_IMAGE_2_6_FLARE = gpt_image(
    "gpt-image-2.6-flare",
    "GPT Image 2.6 Flare",
    "OpenAI's newest image model, tuned for speed. Up to 16 reference images, "
    "transparent backgrounds, live previews. Billed by tokens.",
    free_sizes=False,
    pricing=_gpt_image_2_pricing(" (2.6 is billed at the same token rates)"),
)
GPT_IMAGE_2_5_SUNBURST = gpt_image(
    "gpt-image-2.5-sunburst",
    "GPT Image 2.5 Sunburst",
    "GPT Image 2.5 for precise, consistent edits: any size up to 3840 px, qualities up "
    "to max, transparent backgrounds, 16 reference images. Billed by tokens.",
    qualities=("low", "medium", "high", "xhigh", "max", "auto"),
    pricing=_gpt_image_2_pricing(" (2.5 is billed at the same token rates)"),
)
GPT_IMAGE_2_5_FLARE = gpt_image(
    "gpt-image-2.5-flare",
    "GPT Image 2.5 Flare",
    "GPT Image 2.5 tuned for speed: any size up to 3840 px, qualities up to max, "
    "transparent backgrounds, 16 reference images. Billed by tokens.",
    qualities=("low", "medium", "high", "xhigh", "max", "auto"),
    pricing=_gpt_image_2_pricing(" (2.5 is billed at the same token rates)"),
)
GPT_IMAGE_2 = gpt_image(
    "gpt-image-2",
    "GPT Image 2",
    "OpenAI's GPT Image 2: any size up to 3840 px (multiples of 16), strong text "
    "rendering, 16 reference images at high fidelity. Billed by tokens.",
    # Transparent backgrounds are a preview for gpt-image-2 (SDK docstring): not offered.
    backgrounds=("auto", "opaque"),
    pricing=_gpt_image_2_pricing(),
)

SHUTDOWN_DEC_2026 = date(2026, 12, 1)
GPT_IMAGE_1_5 = gpt_image(
    "gpt-image-1.5",
    "GPT Image 1.5",
    "OpenAI's GPT Image 1.5: three sizes, transparent backgrounds, 16 reference images "
    "with adjustable input fidelity. Billed by tokens.",
    free_sizes=False,
    fidelity=("high", "low"),
    pricing=Pricing(
        tokens=TokenPrices(
            text_input_per_million=Decimal(5),
            image_input_per_million=Decimal(8),
            image_output_per_million=Decimal(32),
        ),
        per_image=Decimal("0.2"),
        rules=(
            _rule("0.009", quality="low", size="1024x1024"),
            _rule("0.013", quality="low"),
            _rule("0.034", quality="medium", size="1024x1024"),
            _rule("0.05", quality="medium"),
            _rule("0.133", size="1024x1024"),
        ),
        source=f"per-image table: {GUIDE}; image output $32/1M derived from it (0.133 USD for "
        "4160 high-quality tokens); input prices UNVERIFIED (third-party listings)",
        as_of=date(2026, 11, 20),
    ),
    lifecycle=deprecated(SHUTDOWN_DEC_2026, "openai/gpt-image-2.6-sunburst", DEPRECATIONS),
)
GPT_IMAGE_1_MINI = gpt_image(
    "gpt-image-1-mini",
    "GPT Image 1 mini",
    "A cost-efficient GPT Image 1: three sizes, transparent backgrounds, 16 reference "
    "images. Billed by tokens.",
    free_sizes=False,
    fidelity=("low",),
    pricing=Pricing(
        tokens=TokenPrices(
            text_input_per_million=Decimal(2),
            image_input_per_million=Decimal("2.5"),
            image_output_per_million=Decimal(8),
        ),
        per_image=Decimal("0.052"),
        rules=(
            _rule("0.005", quality="low", size="1024x1024"),
            _rule("0.006", quality="low"),
            _rule("0.011", quality="medium", size="1024x1024"),
            _rule("0.015", quality="medium"),
            _rule("0.036", size="1024x1024"),
        ),
        source=f"{MODEL_PAGES}/gpt-image-1-mini",
        as_of=date(2026, 11, 20),
    ),
    lifecycle=deprecated(SHUTDOWN_DEC_2026, "openai/gpt-image-2.6-flare", DEPRECATIONS),
)
CHATGPT_IMAGE_LATEST = gpt_image(
    "chatgpt-image-latest",
    "ChatGPT Image (latest)",
    "The image model ChatGPT uses, as a moving alias; same inputs as the GPT image "
    "models. Billed by tokens.",
    free_sizes=False,
    fidelity=("high", "low"),
    pricing=GPT_IMAGE_1_5.pricing.model_copy(
        update={"source": "UNVERIFIED: assumed to bill as gpt-image-1.5 (" + GUIDE + ")"}
    ),
    lifecycle=deprecated(SHUTDOWN_DEC_2026, "openai/gpt-image-2.6-sunburst", DEPRECATIONS),
)


def _retired(remote: str, name: str, shutdown: date, replacement: str) -> ModelInfo:
    """A model OpenAI no longer serves: kept so its history keeps its name."""
    return ModelInfo(
        id=f"openai/{remote}",
        name=name,
        provider="openai",
        remote_name=remote,
        description=f"Retired by OpenAI on {shutdown.isoformat()}.",
        lifecycle=retired(shutdown, replacement, SDK),
    )


GPT_IMAGE_1 = _retired(
    "gpt-image-1", "GPT Image 1", date(2026, 10, 23), "openai/gpt-image-2.5-sunburst"
)
DALL_E_3 = _retired("dall-e-3", "DALL·E 3", date(2026, 5, 12), "openai/gpt-image-2.6-flare")
DALL_E_2 = _retired("dall-e-2", "DALL·E 2", date(2026, 5, 12), "openai/gpt-image-2.6-flare")

MODELS = (
    GPT_IMAGE_2_6_SUNBURST,
    GPT_IMAGE_2_6_FLARE,
    GPT_IMAGE_2_5_SUNBURST,
    GPT_IMAGE_2_5_FLARE,
    GPT_IMAGE_2,
    GPT_IMAGE_1_5,
    GPT_IMAGE_1_MINI,
    CHATGPT_IMAGE_LATEST,
    GPT_IMAGE_1,
    DALL_E_3,
    DALL_E_2,
)

# -- the wire format -------------------------------------------------------------------


class _TokenDetails(BaseModel):
    text_tokens: int = 0
    image_tokens: int = 0


class _Usage(BaseModel):
    input_tokens: int = 0
    output_tokens: int = 0
    total_tokens: int = 0
    input_tokens_details: _TokenDetails | None = None
    output_tokens_details: _TokenDetails | None = None


class _Image(BaseModel):
    b64_json: str | None = None
    revised_prompt: str | None = None


class _ImagesResponse(BaseModel):
    created: int
    data: list[_Image] = []
    output_format: str | None = None
    usage: _Usage | None = None


class OpenAIErrorObject(BaseModel):
    message: str = ""
    type: str | None = None
    code: str | None = None
    param: str | None = None


class _ErrorBody(BaseModel):
    error: OpenAIErrorObject


class _StreamEvent(BaseModel):
    type: str = ""
    b64_json: str | None = None
    partial_image_index: int = 0
    output_format: str | None = None
    usage: _Usage | None = None
    error: OpenAIErrorObject | None = None


class _Model(BaseModel):
    id: str
    shutdown_date: date | None = None


class _ModelList(BaseModel):
    data: list[_Model]


def specific_error(error: OpenAIErrorObject, status: int) -> ProviderError | None:
    """The errors a person can act on, told apart by OpenAI's own codes."""
    code = error.code or error.type or ""
    said = error.message.rstrip(".")
    if code in _NO_CREDIT or error.type in _NO_CREDIT:
        # OpenAI signals an empty balance with 429, which must not be retried as throttling.
        return ProviderQuotaError(
            f"{NAME} says this account has no credit left: {said}.",
            hint="Add credit or raise the monthly limit at "
            "platform.openai.com/settings/organization/billing.",
            status_code=status,
        )
    if code in _MODERATION:
        return ContentRejected(
            f"{NAME}'s safety system refused the prompt: {said}.",
            hint="Rephrase the prompt.",
            status_code=status,
        )
    if code == "model_not_found":
        return UnsupportedRequest(
            f"{NAME} no longer serves this model: {said}.",
            hint="Pick another model; `easel models check` lists what OpenAI serves now.",
            status_code=status,
        )
    if status == 401:
        return ProviderAuthError(
            f"{NAME} rejected the API key: {said}.", hint=_KEY_HINT, status_code=status
        )
    if status == 403 and "verif" in said.lower():
        return ProviderAuthError(
            f"{NAME} requires a verified organization for this model: {said}.",
            hint="Verify the organization at platform.openai.com/settings/organization/general.",
            status_code=status,
        )
    if status == 400 and error.param:
        return UnsupportedRequest(
            f"{NAME} refused the {error.param}: {said}.",
            hint=f"Choose another {error.param} from the model's capabilities.",
            status_code=status,
        )
    return None


def classify_error(response: httpx.Response, message: str) -> ProviderError | None:
    try:
        error = _ErrorBody.model_validate_json(response.content).error
    except ValidationError:
        return None
    return specific_error(error, response.status_code)


def _image(b64: str, output_format: str | None) -> ImageBytes:
    return ImageBytes(decode_image(b64, NAME), _MIME.get(output_format or "png", "image/png"))


def _finished(parsed: _ImagesResponse, output_format: str | None) -> Finished:
    first = parsed.data[0] if parsed.data else None
    if first is None or not first.b64_json:
        raise InvalidOutput(f"{NAME} answered without an image.")
    usage = parsed.usage.model_dump(exclude_none=True) if parsed.usage else None
    image = _image(first.b64_json, parsed.output_format or output_format)
    return Finished((image,), usage=usage, revised_prompt=first.revised_prompt)


def edit_images(request: GenerationRequest) -> tuple[ReferenceImage, ...]:
    """The ``image[]`` parts of an edit: the image worked on first (the mask applies to
    the first image), then any references; none for a generation from text alone."""
    source = request.inputs.image
    return ((source,) if source is not None else ()) + request.reference_images


def openai_mask(mask: ReferenceImage) -> bytes:
    """The canonical mask in OpenAI's convention: fully transparent where to edit
    (`easel.imaging.vendor_masks.OPENAI_EDITS`)."""
    return encode_vendor_mask(open_image(mask.data, field="mask").convert("L"), OPENAI_EDITS)


def request_fields(request: GenerationRequest, *, previews: bool) -> dict[str, Any]:
    """The JSON (or multipart) fields of one image, with the options the model declares;
    streamed with partial images only when ``previews`` (someone can see them)."""
    fields: dict[str, Any] = {
        "model": request.model.remote_name,
        "prompt": request.prompt,
        "n": 1,
        "size": request.size,
    }
    if previews:
        fields.update(stream=True, partial_images=PARTIAL_IMAGES)
    if request.quality:
        fields["quality"] = request.quality
    # The API validated these against the model's declared extra_options.
    for name in request.model.capabilities.extra_options:
        if name in request.extra:
            fields[name] = request.extra[name]
    return fields


class OpenAIProvider(Provider):
    id = "openai"
    display_name = NAME
    key_env_vars = ("OPENAI_API_KEY",)
    default_base_url = "https://api.openai.com/v1"

    def models(self) -> list[ModelInfo]:
        return list(MODELS)

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.api_key}"}

    async def start(self, request: GenerationRequest, ctx: RunContext) -> Outcome:
        fields = request_fields(request, previews=ctx.want_previews)
        output_format = fields.get("output_format")
        images = edit_images(request)
        if not images:
            return await self._stream(ctx, "generations", output_format, json=fields)
        parts: list[tuple[str, Any]] = [
            (key, (None, str(value).lower() if isinstance(value, bool) else str(value)))
            for key, value in fields.items()
        ]
        for i, ref in enumerate(images):
            suffix = ref.mime_type.split("/")[-1]
            parts.append(("image[]", (f"image-{i}.{suffix}", ref.data, ref.mime_type)))
        if request.operation == "inpaint" and request.inputs.mask is not None:
            mask = await asyncio.to_thread(openai_mask, request.inputs.mask)
            parts.append(("mask", ("mask.png", mask, "image/png")))
        return await self._stream(ctx, "edits", output_format, files=parts)

    async def _stream(
        self, ctx: RunContext, endpoint: str, output_format: str | None, **body: Any
    ) -> Finished:
        url = f"{self.base_url}/images/{endpoint}"
        with transport_errors(NAME):
            async with ctx.http.stream("POST", url, headers=self._headers(), **body) as response:
                if response.status_code >= 400:
                    await response.aread()
                    raise map_error(response, NAME, classify_error)
                return await _read_stream(response, ctx, output_format)

    async def served_models(self, http: httpx.AsyncClient) -> list[ServedModel] | None:
        """``GET /models``: every model the key may use, with announced shutdown dates."""
        response = await send(
            http, "GET", f"{self.base_url}/models", provider=NAME, headers=self._headers()
        )
        return [_served(m) for m in parse_json(response, _ModelList, NAME).data]


def _served(model: _Model) -> ServedModel:
    snapshot = _SNAPSHOT.match(model.id)
    return ServedModel(
        remote_name=model.id,
        image=model.id.startswith(IMAGE_FAMILIES),
        shutdown_date=model.shutdown_date,
        snapshot_of=snapshot.group("base") if snapshot else None,
    )


async def _read_stream(
    response: httpx.Response, ctx: RunContext, output_format: str | None
) -> Finished:
    """Report each partial image as a preview; return the completed image."""
    if response.headers.get("content-type", "").startswith("application/json"):
        await response.aread()  # a compatible server that ignores `stream`
        return _finished(parse_json(response, _ImagesResponse, NAME), output_format)
    try:
        async for sse in EventSource(response).aiter_sse():
            if not sse.data or sse.data.strip() == "[DONE]":
                continue
            try:
                event = _StreamEvent.model_validate_json(sse.data)
            except ValidationError as exc:
                raise InvalidOutput(f"{NAME} sent a malformed stream event.") from exc
            if event.error is not None:
                specific = specific_error(event.error, 400)
                raise specific or InvalidOutput(f"{NAME} failed mid-stream: {event.error.message}")
            if not event.b64_json:
                continue
            if event.type.endswith(".partial_image"):
                step = event.partial_image_index + 1
                preview = decode_image(event.b64_json, NAME)
                await ctx.report(step / (PARTIAL_IMAGES + 1), f"Partial image {step}", preview)
            elif event.type.endswith(".completed"):
                usage = event.usage.model_dump(exclude_none=True) if event.usage else None
                image = _image(event.b64_json, event.output_format or output_format)
                return Finished((image,), usage=usage)
    except httpx.TransportError as exc:
        # The request was accepted and is billed; a broken stream is not retried.
        raise InvalidOutput(f"The {NAME} image stream broke off: {exc}.") from exc
    raise InvalidOutput(f"The {NAME} image stream ended before the final image.")
