"""OpenAI Images API: DALL·E 3 (signed result URLs) and gpt-image-1 (streamed base64).

gpt-image-1 streams (``stream: true, partial_images: 2``) when someone can see previews,
so its partial images become live previews; otherwise it asks for the plain JSON answer
(partial images are billed as extra output tokens). With reference images the same
request goes to ``/images/edits`` as multipart with ``image[]`` parts; only the body
encoding differs, not the path through this file. Wire details: PROTOCOLS.md §1.
"""

from __future__ import annotations

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
from easel.providers._http import decode_image, map_error, parse_json, send, transport_errors
from easel.providers.base import (
    Capabilities,
    Finished,
    GenerationRequest,
    ImageBytes,
    ImageURL,
    ModelInfo,
    Outcome,
    Output,
    PriceRule,
    Pricing,
    Provider,
    RunContext,
    TokenPrices,
)

NAME = "OpenAI"
PARTIAL_IMAGES = 2
_MODERATION = {"content_policy_violation", "moderation_blocked"}
_NO_CREDIT = {"insufficient_quota", "billing_hard_limit_reached"}
_KEY_HINT = "Check OPENAI_API_KEY (or EASEL_PROVIDERS__OPENAI__API_KEY) in the environment."


def _rule(usd: str, **when: str) -> PriceRule:
    return PriceRule(when=when, usd=Decimal(usd))


DALL_E_3 = ModelInfo(
    id="openai/dall-e-3",
    name="DALL·E 3",
    provider="openai",
    remote_name="dall-e-3",
    description="OpenAI's DALL·E 3: three fixed sizes, standard or hd quality, vivid or "
    "natural style. OpenAI may rewrite the prompt.",
    capabilities=Capabilities(
        sizes=("1024x1024", "1792x1024", "1024x1792"),
        qualities=("standard", "hd"),
        styles=("vivid", "natural"),
    ),
    pricing=Pricing(
        per_image=Decimal("0.04"),
        # hd first; without a quality the API uses standard.
        rules=(
            _rule("0.08", quality="hd", size="1024x1024"),
            _rule("0.12", quality="hd"),
            _rule("0.04", size="1024x1024"),
            _rule("0.08", size="1792x1024"),
            _rule("0.08", size="1024x1792"),
        ),
        source="openai.com/pricing as cached in a model-info file [3P], PROTOCOLS.md §10",
        as_of=date(2023, 12, 25),
    ),
)

GPT_IMAGE_1 = ModelInfo(
    id="openai/gpt-image-1",
    name="GPT Image 1",
    provider="openai",
    remote_name="gpt-image-1",
    description="OpenAI's GPT Image 1: follows long prompts and renders text well; takes up "
    "to 4 reference images and streams partial previews. Billed by tokens.",
    capabilities=Capabilities(
        sizes=("1024x1024", "1536x1024", "1024x1536"),
        qualities=("low", "medium", "high", "auto"),
        reference_images=4,
        previews=True,
        max_prompt_length=32000,
    ),
    pricing=Pricing(
        # The cost comes from the usage each answer reports; the table is the estimate
        # shown before a run ("auto" is estimated as high, the upper bound).
        tokens=TokenPrices(
            text_input_per_million=Decimal(5),
            image_input_per_million=Decimal(10),
            image_output_per_million=Decimal(40),
        ),
        per_image=Decimal("0.167"),
        rules=(
            _rule("0.011", quality="low", size="1024x1024"),
            _rule("0.016", quality="low"),
            _rule("0.042", quality="medium", size="1024x1024"),
            _rule("0.063", quality="medium"),
            _rule("0.167", size="1024x1024"),
            _rule("0.25", size="1536x1024"),
            _rule("0.25", size="1024x1536"),
        ),
        source="OpenAI's per-image table as quoted [3P]; token prices from a "
        "community.openai.com calculation [3P]; PROTOCOLS.md §10",
        as_of=date(2025, 5, 1),
    ),
)


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
    url: str | None = None
    b64_json: str | None = None
    revised_prompt: str | None = None


class _ImagesResponse(BaseModel):
    created: int
    data: list[_Image] = []
    usage: _Usage | None = None


class _Error(BaseModel):
    message: str = ""
    type: str | None = None
    code: str | None = None
    param: str | None = None


class _ErrorBody(BaseModel):
    error: _Error


class _StreamEvent(BaseModel):
    type: str = ""
    b64_json: str | None = None
    partial_image_index: int = 0
    usage: _Usage | None = None
    error: _Error | None = None


def _specific(error: _Error, status: int) -> ProviderError | None:
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
    if status == 400 and error.param in ("size", "quality", "style", "image"):
        return UnsupportedRequest(
            f"{NAME} refused the {error.param}: {said}.",
            hint=f"Choose another {error.param} from the model's capabilities.",
            status_code=status,
        )
    return None


def _classify(response: httpx.Response, message: str) -> ProviderError | None:
    try:
        error = _ErrorBody.model_validate_json(response.content).error
    except ValidationError:
        return None
    return _specific(error, response.status_code)


def _output(image: _Image) -> Output:
    if image.b64_json:
        return ImageBytes(decode_image(image.b64_json, NAME), "image/png")
    if image.url:
        return ImageURL(image.url)
    raise InvalidOutput(f"{NAME} answered without an image.")


def _finished(parsed: _ImagesResponse) -> Finished:
    if not parsed.data:
        raise InvalidOutput(f"{NAME} answered without an image.")
    usage = parsed.usage.model_dump(exclude_none=True) if parsed.usage else None
    first = parsed.data[0]
    return Finished((_output(first),), usage=usage, revised_prompt=first.revised_prompt)


class OpenAIProvider(Provider):
    id = "openai"
    display_name = NAME
    key_env_vars = ("OPENAI_API_KEY",)
    default_base_url = "https://api.openai.com/v1"
    # DALL·E results are signed Azure blob URLs (PROTOCOLS.md §1.4).
    result_hosts = ("*.blob.core.windows.net",)

    def models(self) -> list[ModelInfo]:
        return [DALL_E_3, GPT_IMAGE_1]

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.api_key}"}

    async def start(self, request: GenerationRequest, ctx: RunContext) -> Outcome:
        fields: dict[str, Any] = {
            "model": request.model.remote_name,
            "prompt": request.prompt,
            "n": 1,
            "size": request.size,
        }
        if request.quality:
            fields["quality"] = request.quality
        if request.model.remote_name == DALL_E_3.remote_name:
            if request.style:
                fields["style"] = request.style
            fields["response_format"] = "url"
            response = await send(
                ctx.http,
                "POST",
                f"{self.base_url}/images/generations",
                provider=NAME,
                classify=_classify,
                headers=self._headers(),
                json=fields,
            )
            return _finished(parse_json(response, _ImagesResponse, NAME))
        if ctx.want_previews:
            fields.update(stream=True, partial_images=PARTIAL_IMAGES)
        if not request.reference_images:
            return await self._stream(ctx, "generations", json=fields)
        parts: list[tuple[str, Any]] = [
            (key, (None, str(value).lower() if isinstance(value, bool) else str(value)))
            for key, value in fields.items()
        ]
        for i, ref in enumerate(request.reference_images):
            suffix = ref.mime_type.split("/")[-1]
            parts.append(("image[]", (f"reference-{i}.{suffix}", ref.data, ref.mime_type)))
        return await self._stream(ctx, "edits", files=parts)

    async def _stream(self, ctx: RunContext, endpoint: str, **body: Any) -> Finished:
        url = f"{self.base_url}/images/{endpoint}"
        with transport_errors(NAME):
            async with ctx.http.stream("POST", url, headers=self._headers(), **body) as response:
                if response.status_code >= 400:
                    await response.aread()
                    raise map_error(response, NAME, _classify)
                return await _read_stream(response, ctx)


async def _read_stream(response: httpx.Response, ctx: RunContext) -> Finished:
    """Report each partial image as a preview; return the completed image (or the JSON
    answer, when previews were not asked for)."""
    if response.headers.get("content-type", "").startswith("application/json"):
        await response.aread()  # not streamed, or a compatible server ignoring `stream`
        return _finished(parse_json(response, _ImagesResponse, NAME))
    try:
        async for sse in EventSource(response).aiter_sse():
            if not sse.data or sse.data.strip() == "[DONE]":
                continue
            try:
                event = _StreamEvent.model_validate_json(sse.data)
            except ValidationError as exc:
                raise InvalidOutput(f"{NAME} sent a malformed stream event.") from exc
            if event.error is not None:
                specific = _specific(event.error, 400)
                raise specific or InvalidOutput(f"{NAME} failed mid-stream: {event.error.message}")
            if not event.b64_json:
                continue
            if event.type.endswith(".partial_image"):
                step = event.partial_image_index + 1
                preview = decode_image(event.b64_json, NAME)
                await ctx.report(step / (PARTIAL_IMAGES + 1), f"Partial image {step}", preview)
            elif event.type.endswith(".completed"):
                usage = event.usage.model_dump(exclude_none=True) if event.usage else None
                image = ImageBytes(decode_image(event.b64_json, NAME), "image/png")
                return Finished((image,), usage=usage)
    except httpx.TransportError as exc:
        # The request was accepted and is billed; a broken stream is not retried.
        raise InvalidOutput(f"The {NAME} image stream broke off: {exc}.") from exc
    raise InvalidOutput(f"The {NAME} image stream ended before the final image.")
