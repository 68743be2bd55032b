"""Google Gemini API: the Gemini image models ("Nano Banana") through
``POST /v1beta/models/{model}:generateContent``, answered at once with base64 images.

A request carries the prompt and any reference images as parts, asks for
``responseModalities: ["TEXT", "IMAGE"]`` and sets ``imageConfig`` (``aspectRatio``, and
``imageSize`` ``1K``/``2K``/``4K`` from the job's ``extra.image_size``). The answer may hold
thought parts (``thought: true``, text or interim images) before the final text and
image; only the final image is kept. Cost comes from ``usageMetadata``: prompt tokens by
modality, candidate tokens by modality (the image's tokens depend on its size) and
thinking tokens, billed as text output.

Google reports a bad key as a 400 ``INVALID_ARGUMENT`` with reason ``API_KEY_INVALID``, a
key without quota for the model as a 429 with ``limit: 0``, and a model it no longer
serves as a 404 ``NOT_FOUND``; `classify_error` tells those apart. A filtered image arrives as
a 200 without image data and is a refusal, not a success.

Facts and where they were read:

* Wire fields (camelCase), parts, ``thought``, usage and the model list:
  ``google-genai`` 3.6.1 (PyPI), ``google/genai/types.py`` (``ImageConfig``, ``Part``,
  ``GenerateContentResponseUsageMetadata``, ``ModalityTokenCount``, ``FinishReason``,
  ``Model``, ``ListModelsResponse``) and ``google/genai/models.py``
  (``_ImageConfig_to_mldev``, ``_Model_from_mldev``, ``list``).
* Model ids, releases and deprecations: https://ai.google.dev/gemini-api/docs/changelog
  and https://ai.google.dev/gemini-api/docs/deprecations; Imagen's shutdown and its
  replacements: https://firebase.google.com/docs/ai-logic/imagen-models-migration
* Aspect ratios, resolutions, reference-image limits and output tokens per image: the
  model pages under https://docs.cloud.google.com/gemini-enterprise-agent-platform/models/gemini
* Token prices: https://ai.google.dev/gemini-api/docs/pricing
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

import httpx
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from easel import payloads
from easel.errors import (
    ContentRejected,
    InvalidOutput,
    ProviderAuthError,
    ProviderError,
    ProviderQuotaError,
    RateLimited,
    UnsupportedRequest,
)
from easel.providers._http import decode_image, parse_json, retry_after_seconds, send
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
    RunContext,
    ServedModel,
    TokenPrices,
    deprecated,
    retired,
)

NAME = "Google"
CHANGELOG = "https://ai.google.dev/gemini-api/docs/changelog"
DEPRECATIONS = "https://ai.google.dev/gemini-api/docs/deprecations"
IMAGEN_MIGRATION = "https://firebase.google.com/docs/ai-logic/imagen-models-migration"
PRICING = "https://ai.google.dev/gemini-api/docs/pricing"
EDIT_GUIDE = "https://ai.google.dev/gemini-api/docs/image-generation"
"""Image editing with the image models: the image as a part beside the text prompt."""
MODEL_PAGES = "https://docs.cloud.google.com/gemini-enterprise-agent-platform/models/gemini"
_KEY_HINT = "Check GEMINI_API_KEY or GOOGLE_API_KEY (or EASEL_PROVIDERS__GOOGLE__API_KEY)."
_BILLING_HINT = "Enable billing for the key's Google Cloud project (aistudio.google.com/apikey)."
BLOCKED_REASONS = ("SAFETY", "PROHIBITED", "BLOCKLIST", "RECITATION", "SPII")
_PAGE_SIZE = 1000
"""Google's largest page of ``models.list``."""
_MAX_PAGES = 50
IMAGE_MODEL = re.compile(r"^imagen-|-image(-|$)|nano-banana")
"""How `served_models` tells an image model in Google's list: the list carries no output
modalities (``supportedGenerationMethods`` is ``generateContent`` for text and image
models alike), so the id decides: Imagen, ``…-image`` and the Nano Banana names."""
_SNAPSHOT = re.compile(r"^(?P<base>.+)-(?:\d{3}|preview-\d{2}-\d{4})$")
"""A pinned version of a model: ``…-001`` or ``…-preview-09-2025``."""

# -- the catalog -----------------------------------------------------------------------

RATIOS = ("1:1", "2:3", "3:2", "3:4", "4:3", "4:5", "5:4", "9:16", "16:9", "21:9")
"""Gemini 3 Pro Image's ten aspect ratios."""
WIDE_RATIOS = (*RATIOS, "1:4", "4:1", "1:8", "8:1")
"""The fourteen of the Gemini 3.1 Flash image models: the ten and four panoramic ones."""
IMAGE_SIZES = ("1K", "2K", "4K")
"""``imageConfig.imageSize`` values (``ImageConfig`` in google-genai 3.6.1); 1K when unset."""
PRICES_AS_OF = date(2026, 11, 27)


def _by_size(estimates: dict[str, str]) -> tuple[PriceRule, ...]:
    return tuple(
        PriceRule(when={"image_size": s}, usd=Decimal(usd)) for s, usd in estimates.items()
    )


def gemini_image(
    remote: str,
    name: str,
    description: str,
    *,
    ratios: tuple[str, ...],
    sizes: tuple[str, ...],
    tokens: TokenPrices,
    estimates: dict[str, str],
    price_source: str,
    lifecycle: Lifecycle,
) -> ModelInfo:
    """One Gemini image model: ratios, sizes and token prices set it apart. ``estimates``
    are per-image prices by image size (the first is the default, 1K); a run's cost comes
    from the usage Google reports."""
    return ModelInfo(
        id=f"google/{remote}",
        name=name,
        provider="google",
        remote_name=remote,
        description=description,
        capabilities=Capabilities(
            aspect_ratios=ratios,
            ratio_only=True,
            max_side=4096,
            reference_images=14,  # "Maximum images per prompt: 14" (model pages)
            max_prompt_length=32000,  # well inside the 65,536 input tokens they take
            extra_options={"image_size": ExtraOption(type="string", choices=sizes)},
            operations=("generate", "edit"),  # text-and-image-to-image: EDIT_GUIDE
        ),
        pricing=Pricing(
            per_image=Decimal(estimates["1K"]),
            rules=_by_size(estimates) if len(estimates) > 1 else (),
            tokens=tokens,
            source=price_source,
            as_of=PRICES_AS_OF,
        ),
        lifecycle=lifecycle,
    )


GEMINI_3_PRO_IMAGE = gemini_image(
    "gemini-3-pro-image",
    "Nano Banana Pro (Gemini 3 Pro Image)",
    "Google's highest-quality image model: thinks before it draws, renders text well, "
    "up to 4K, up to 14 reference images. Billed by tokens.",
    ratios=RATIOS,
    sizes=IMAGE_SIZES,
    tokens=TokenPrices(
        text_input_per_million=Decimal(2),
        image_input_per_million=Decimal(2),
        text_output_per_million=Decimal(12),
        image_output_per_million=Decimal(120),
    ),
    estimates={"1K": "0.134", "2K": "0.134", "4K": "0.24"},
    price_source=f"{PRICING}: $120 per 1M image output tokens, equivalent to $0.134 per "
    "1K/2K image and $0.24 per 4K image; text input $2, text and thinking output $12",
    lifecycle=Lifecycle(source=f"{CHANGELOG} (GA 2026-05-28)"),
)
NANO_BANANA_2_1 = gemini_image(
    "gemini-nano-banana-2.1",
    "Nano Banana 2.1",
    "Google's efficient image model, the update of Nano Banana 2: better text, prompt "
    "following and character consistency, panoramic ratios, up to 4K, up to 14 "
    "reference images. Billed by tokens.",
    ratios=WIDE_RATIOS,
    sizes=IMAGE_SIZES,
    tokens=TokenPrices(
        text_input_per_million=Decimal("1.5"),
        image_input_per_million=Decimal("1.5"),
        text_output_per_million=Decimal("7.5"),
        image_output_per_million=Decimal(30),
    ),
    estimates={"1K": "0.0336", "2K": "0.0504", "4K": "0.0756"},
    price_source=f"UNVERIFIED: $30 per 1M image output tokens ($0.0336 per 1K image), "
    "$1.50 input and $7.50 output per 1M from third-party listings at release; 2K/4K "
    f"estimates assume Nano Banana 2's 1680/2520 tokens per image; check {PRICING}",
    lifecycle=Lifecycle(source=f"{CHANGELOG} (GA 2026-10-06)"),
)
GEMINI_3_1_FLASH_IMAGE = gemini_image(
    "gemini-3.1-flash-image",
    "Nano Banana 2 (Gemini 3.1 Flash Image)",
    "Google's fast, high-volume image model: panoramic ratios, up to 4K, up to 14 "
    "reference images. Google deprecated it for Nano Banana 2.1. Billed by tokens.",
    ratios=WIDE_RATIOS,
    sizes=IMAGE_SIZES,
    tokens=TokenPrices(
        text_input_per_million=Decimal("0.5"),
        image_input_per_million=Decimal("0.5"),
        text_output_per_million=Decimal(3),
        image_output_per_million=Decimal(60),
    ),
    estimates={"1K": "0.0672", "2K": "0.1008", "4K": "0.1512"},
    price_source=f"{PRICING}: $60 per 1M image output tokens, $0.50 input, $3 output; "
    f"1120/1680/2520 tokens per 1K/2K/4K image ({MODEL_PAGES}/3-1-flash-image)",
    # Deprecated on 2026-10-06 with no shutdown date announced (changelog).
    lifecycle=deprecated(None, "google/gemini-nano-banana-2.1", CHANGELOG),
)
GEMINI_3_1_FLASH_LITE_IMAGE = gemini_image(
    "gemini-3.1-flash-lite-image",
    "Nano Banana 2 Lite (Gemini 3.1 Flash-Lite Image)",
    "Google's fastest and cheapest image model: 1K images only, panoramic ratios, up to "
    "14 reference images. Billed by tokens.",
    ratios=WIDE_RATIOS,
    sizes=("1K",),
    tokens=TokenPrices(
        text_input_per_million=Decimal("0.25"),
        image_input_per_million=Decimal("0.25"),
        text_output_per_million=Decimal("1.5"),
        image_output_per_million=Decimal(30),
    ),
    estimates={"1K": "0.0336"},
    price_source=f"{MODEL_PAGES}/3-1-flash-lite-image and {PRICING}: $30 per 1M image "
    "output tokens (1120 per 1K image), $0.25 input, $1.50 output",
    lifecycle=Lifecycle(source=f"{CHANGELOG} (GA 2026-06-30)"),
)


def _retired(id_: str, name: str, remote: str, shutdown: date, source: str) -> ModelInfo:
    """A model Google no longer serves: kept so its history keeps its name."""
    return ModelInfo(
        id=id_,
        name=name,
        provider="google",
        remote_name=remote,
        description=f"Shut down by Google on {shutdown.isoformat()}.",
        lifecycle=retired(shutdown, NANO_BANANA_2_1.id, source),
    )


# Google names Gemini 3.1 Flash Image as Imagen's replacement, and Nano Banana 2.1 as that
# one's: the replacements point at the model on offer today.
IMAGEN_3 = _retired(
    "google/imagen-3", "Imagen 3", "imagen-3.0-generate-002", date(2026, 8, 17), IMAGEN_MIGRATION
)
IMAGEN_4 = _retired(
    "google/imagen-4", "Imagen 4", "imagen-4.0-generate-001", date(2026, 8, 17), IMAGEN_MIGRATION
)
FLASH_IMAGE_2_5 = _retired(
    "google/gemini-2.5-flash-image",
    "Gemini 2.5 Flash Image",
    "gemini-2.5-flash-image",
    date(2026, 10, 2),
    DEPRECATIONS,
)

MODELS = (
    GEMINI_3_PRO_IMAGE,
    NANO_BANANA_2_1,
    GEMINI_3_1_FLASH_IMAGE,
    GEMINI_3_1_FLASH_LITE_IMAGE,
    IMAGEN_3,
    IMAGEN_4,
    FLASH_IMAGE_2_5,
)

# -- the wire format -------------------------------------------------------------------


class _InlineData(BaseModel):
    mimeType: str = ""
    data: str


class _Part(BaseModel):
    text: str | None = None
    inlineData: _InlineData | None = None
    thought: bool = False


class _Content(BaseModel):
    parts: list[_Part] = []


class _Candidate(BaseModel):
    content: _Content | None = None
    finishReason: str | None = None


class _PromptFeedback(BaseModel):
    blockReason: str | None = None


class _ModalityTokens(BaseModel):
    modality: str = "MODALITY_UNSPECIFIED"
    tokenCount: int = 0


class _UsageMetadata(BaseModel):
    promptTokenCount: int = 0
    candidatesTokenCount: int = 0
    thoughtsTokenCount: int = 0
    promptTokensDetails: list[_ModalityTokens] = []
    candidatesTokensDetails: list[_ModalityTokens] = []


class _GenerateResponse(BaseModel):
    candidates: list[_Candidate] = []
    promptFeedback: _PromptFeedback | None = None
    usageMetadata: _UsageMetadata | None = None


class _Detail(BaseModel):
    model_config = ConfigDict(populate_by_name=True)
    type: str = Field("", alias="@type")
    reason: str | None = None
    retryDelay: str | None = None


class GoogleStatus(BaseModel):
    code: int = 0
    message: str = ""
    status: str = ""
    details: list[_Detail] = []


class GoogleErrorBody(BaseModel):
    error: GoogleStatus


class ListedModel(BaseModel):
    name: str
    supportedGenerationMethods: list[str] = []


class _ModelList(BaseModel):
    models: list[ListedModel] = []
    nextPageToken: str | None = None


def _retry_delay(error: GoogleStatus, response: httpx.Response) -> float | None:
    for detail in error.details:
        if detail.retryDelay and detail.retryDelay.endswith("s"):
            try:
                return float(detail.retryDelay[:-1])
            except ValueError:
                pass
    return retry_after_seconds(response.headers)


def classify_error(response: httpx.Response, message: str) -> ProviderError | None:
    try:
        error = GoogleErrorBody.model_validate_json(response.content).error
    except ValidationError:
        return None
    status, said = response.status_code, error.message.rstrip(".")
    if status in (401, 403) or any(d.reason == "API_KEY_INVALID" for d in error.details):
        return ProviderAuthError(
            f"{NAME} rejected the API key: {said}.", hint=_KEY_HINT, status_code=status
        )
    if status == 429 and "limit: 0" in said:
        return ProviderQuotaError(
            f"{NAME} gives this key no quota for the model: {said}.",
            hint=_BILLING_HINT,
            status_code=status,
        )
    if status == 429:
        return RateLimited(
            f"{NAME} is rate limiting requests: {said}.",
            retry_after=_retry_delay(error, response),
        )
    if status == 404 and error.status == "NOT_FOUND":
        return UnsupportedRequest(
            f"{NAME} no longer serves this model: {said}.",
            hint="Pick another model; `easel models check` lists what Google serves now.",
            status_code=status,
        )
    return None


def _tokens(details: list[_ModalityTokens], modality: str) -> int:
    return sum(d.tokenCount for d in details if d.modality == modality)


def openai_usage(usage: _UsageMetadata) -> dict[str, Any]:
    """Google's counts in the shape the engine prices: thinking is billed as text output."""
    image_in = _tokens(usage.promptTokensDetails, "IMAGE")
    image_out = _tokens(usage.candidatesTokensDetails, "IMAGE")
    output = usage.candidatesTokenCount + usage.thoughtsTokenCount
    return {
        "input_tokens": usage.promptTokenCount,
        "input_tokens_details": {
            "text_tokens": usage.promptTokenCount - image_in,
            "image_tokens": image_in,
        },
        "output_tokens": output,
        "output_tokens_details": {"text_tokens": output - image_out, "image_tokens": image_out},
    }


def _final_image(answer: _GenerateResponse) -> tuple[ImageBytes | None, list[str]]:
    """The first image that is not a thought, and the answer's non-thought texts."""
    texts: list[str] = []
    for candidate in answer.candidates:
        for part in candidate.content.parts if candidate.content else []:
            if part.thought:
                continue  # reasoning and interim drafts, never the result
            if part.inlineData and part.inlineData.mimeType.startswith("image/"):
                data = decode_image(part.inlineData.data, NAME)
                return ImageBytes(data, part.inlineData.mimeType), texts
            if part.text:
                texts.append(part.text.strip())
        reason = candidate.finishReason or ""
        if any(word in reason for word in BLOCKED_REASONS):
            raise ContentRejected(
                f"{NAME} withheld the image ({reason}).", hint="Rephrase the prompt."
            )
    return None, texts


def result_of(answer: _GenerateResponse) -> Finished:
    if answer.promptFeedback and answer.promptFeedback.blockReason:
        raise ContentRejected(
            f"{NAME} blocked the prompt ({answer.promptFeedback.blockReason}).",
            hint="Rephrase the prompt.",
        )
    image, texts = _final_image(answer)
    if image is not None:
        usage = openai_usage(answer.usageMetadata) if answer.usageMetadata else None
        return Finished((image,), usage=usage)
    if texts:
        said = " ".join(texts)[:300]
        raise InvalidOutput(
            f'Gemini answered with text instead of an image: "{said}"',
            hint="Rephrase the prompt to ask plainly for one image.",
            retryable=False,
        )
    reasons = ", ".join(c.finishReason for c in answer.candidates if c.finishReason)
    why = f" ({reasons})" if reasons else ""
    raise InvalidOutput(f"{NAME} answered without an image{why}.", retryable=False)


def request_body(request: GenerationRequest) -> dict[str, Any]:
    """The ``generateContent`` body: the prompt, the image an edit works on and the
    references as parts (EDIT_GUIDE: "text-and-image-to-image"), and the image config."""
    source = request.inputs.image
    images = ((source,) if source is not None else ()) + request.reference_images
    parts: list[dict[str, Any]] = [{"text": request.prompt}]
    parts += [
        {"inlineData": {"mimeType": ref.mime_type, "data": payloads.b64encode(ref.data)}}
        for ref in images
    ]
    image_config = {"aspectRatio": request.aspect_ratio or "1:1"}
    size = request.extra.get("image_size")
    if size is not None:
        image_config["imageSize"] = str(size)
    return {
        "contents": [{"role": "user", "parts": parts}],
        "generationConfig": {"responseModalities": ["TEXT", "IMAGE"], "imageConfig": image_config},
    }


def served(model: ListedModel) -> ServedModel:
    remote = model.name.removeprefix("models/")
    methods = set(model.supportedGenerationMethods)
    snapshot = _SNAPSHOT.match(remote)
    return ServedModel(
        remote_name=remote,
        image=bool(IMAGE_MODEL.search(remote)) and bool(methods & {"generateContent", "predict"}),
        snapshot_of=snapshot.group("base") if snapshot else None,
    )


class GeminiProvider(Provider):
    id = "google"
    display_name = "Google Gemini API"
    key_env_vars = ("GEMINI_API_KEY", "GOOGLE_API_KEY")
    default_base_url = "https://generativelanguage.googleapis.com"

    def models(self) -> list[ModelInfo]:
        return list(MODELS)

    def _headers(self) -> dict[str, str]:
        return {"x-goog-api-key": self.api_key or ""}

    async def start(self, request: GenerationRequest, ctx: RunContext) -> Outcome:
        remote = request.model.remote_name
        response = await send(
            ctx.http,
            "POST",
            f"{self.base_url}/v1beta/models/{remote}:generateContent",
            provider=NAME,
            classify=classify_error,
            headers=self._headers(),
            json=request_body(request),
        )
        return result_of(parse_json(response, _GenerateResponse, NAME))

    async def served_models(self, http: httpx.AsyncClient) -> list[ServedModel] | None:
        """``models.list``, page by page: every model the key may call."""
        found: list[ListedModel] = []
        params = {"pageSize": str(_PAGE_SIZE)}
        for _ in range(_MAX_PAGES):
            response = await send(
                http,
                "GET",
                f"{self.base_url}/v1beta/models",
                provider=NAME,
                classify=classify_error,
                headers=self._headers(),
                params=params,
            )
            page = parse_json(response, _ModelList, NAME)
            found += page.models
            if not page.nextPageToken:
                return [served(m) for m in found]
            params = {"pageSize": str(_PAGE_SIZE), "pageToken": page.nextPageToken}
        raise InvalidOutput(f"{NAME} listed more than {_MAX_PAGES} pages of models.")
