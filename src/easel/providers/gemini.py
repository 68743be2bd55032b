"""Google Gemini API: Imagen through ``:predict`` and Gemini 2.5 Flash Image through
``:generateContent``. Both answer synchronously with base64 images in the JSON body.

Google reports a bad key as a 400 ``INVALID_ARGUMENT`` and an unbilled key as a 400 or a
429 with ``limit: 0``; `classify_error` tells those apart from real throttling. A filtered
image arrives as a 200 without image data and is a refusal, not a success.
Wire details: https://ai.google.dev/api
"""

from __future__ import annotations

import base64
from datetime import date
from decimal import Decimal
from typing import Any

import httpx
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from easel.errors import (
    ContentRejected,
    InvalidOutput,
    ProviderAuthError,
    ProviderError,
    ProviderQuotaError,
    RateLimited,
)
from easel.providers._http import decode_image, parse_json, retry_after_seconds, send
from easel.providers.base import (
    Capabilities,
    Finished,
    GenerationRequest,
    ImageBytes,
    ModelInfo,
    Outcome,
    Pricing,
    Provider,
    RunContext,
)

NAME = "Google"
_KEY_HINT = "Check GEMINI_API_KEY or GOOGLE_API_KEY (or EASEL_PROVIDERS__GOOGLE__API_KEY)."
_BILLING_HINT = "Enable billing for the key's Google Cloud project (aistudio.google.com/apikey)."
_IMAGEN_RATIOS = ("1:1", "3:4", "4:3", "9:16", "16:9")
BLOCKED_REASONS = ("SAFETY", "PROHIBITED", "BLOCKLIST", "RECITATION", "SPII")


def _imagen(id_: str, name: str, remote: str, usd: str, source: str, as_of: date) -> ModelInfo:
    return ModelInfo(
        id=id_,
        name=name,
        provider="google",
        remote_name=remote,
        description=f"Google's {name} through the Gemini API (a billed key is required). "
        "Takes aspect ratios; no seed or negative prompt in this API.",
        capabilities=Capabilities(aspect_ratios=_IMAGEN_RATIOS, ratio_only=True),
        pricing=Pricing(per_image=Decimal(usd), source=source, as_of=as_of),
    )


IMAGEN_3 = _imagen(
    "google/imagen-3",
    "Imagen 3",
    "imagen-3.0-generate-002",
    "0.03",
    "third-party guides, 2025–26 [3P]",
    date(2026, 1, 1),
)
IMAGEN_4 = _imagen(
    "google/imagen-4",
    "Imagen 4",
    "imagen-4.0-generate-001",
    "0.04",
    "Gemini API pricing as quoted [3P]",
    date(2026, 3, 3),
)
FLASH_IMAGE = ModelInfo(
    id="google/gemini-2.5-flash-image",
    name="Gemini 2.5 Flash Image",
    provider="google",
    remote_name="gemini-2.5-flash-image",
    description="Google's Gemini 2.5 Flash Image ('nano banana'): conversational image "
    "generation and editing; takes up to 3 reference images.",
    capabilities=Capabilities(
        aspect_ratios=("1:1", "2:3", "3:2", "3:4", "4:3", "9:16", "16:9", "21:9"),
        ratio_only=True,
        reference_images=3,
    ),
    pricing=Pricing(
        per_image=Decimal("0.039"),
        source="about 1290 output tokens at $30 per 1M, third-party guides quoting Google [3P]",
        as_of=date(2026, 2, 1),
    ),
)


class _Prediction(BaseModel):
    bytesBase64Encoded: str | None = None
    mimeType: str = "image/png"
    raiFilteredReason: str | None = None


class _PredictResponse(BaseModel):
    # Google drops the list entirely when every image was filtered.
    predictions: list[_Prediction] = []


class _InlineData(BaseModel):
    mimeType: str = ""
    data: str


class _Part(BaseModel):
    text: str | None = None
    inlineData: _InlineData | None = None


class _Content(BaseModel):
    parts: list[_Part] = []


class _Candidate(BaseModel):
    content: _Content | None = None
    finishReason: str | None = None


class _PromptFeedback(BaseModel):
    blockReason: str | None = None


class _GenerateResponse(BaseModel):
    candidates: list[_Candidate] = []
    promptFeedback: _PromptFeedback | None = None


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


def _decode(data: str, mime: str) -> ImageBytes:
    return ImageBytes(decode_image(data, NAME), mime)


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
    if "billed users" in said or (status == 429 and "limit: 0" in said):
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
    if status == 400 and ("Responsible AI" in said or "sensitive words" in said):
        return ContentRejected(
            f"{NAME} refused the prompt: {said}.", hint="Rephrase the prompt.", status_code=status
        )
    return None


def _imagen_result(answer: _PredictResponse) -> Finished:
    for prediction in answer.predictions:
        if prediction.bytesBase64Encoded:
            return Finished((_decode(prediction.bytesBase64Encoded, prediction.mimeType),))
    reasons = "; ".join(
        p.raiFilteredReason.rstrip(".") for p in answer.predictions if p.raiFilteredReason
    )
    raise ContentRejected(
        f"{NAME} filtered the image: {reasons or 'no image came back'}.",
        hint="Rephrase the prompt.",
    )


def _gemini_result(answer: _GenerateResponse) -> Finished:
    if answer.promptFeedback and answer.promptFeedback.blockReason:
        raise ContentRejected(
            f"{NAME} blocked the prompt ({answer.promptFeedback.blockReason}).",
            hint="Rephrase the prompt.",
        )
    texts: list[str] = []
    for candidate in answer.candidates:
        for part in candidate.content.parts if candidate.content else []:
            if part.inlineData and part.inlineData.mimeType.startswith("image/"):
                return Finished((_decode(part.inlineData.data, part.inlineData.mimeType),))
            if part.text:
                texts.append(part.text.strip())
        reason = candidate.finishReason or ""
        if any(word in reason for word in BLOCKED_REASONS):
            raise ContentRejected(
                f"{NAME} withheld the image ({reason}).", hint="Rephrase the prompt."
            )
    if texts:
        said = " ".join(texts)[:300]
        raise InvalidOutput(
            f'Gemini answered with text instead of an image: "{said}"',
            hint="Rephrase the prompt to ask plainly for one image.",
            retryable=False,
        )
    raise InvalidOutput(f"{NAME} answered without an image.", retryable=False)


class GeminiProvider(Provider):
    id = "google"
    display_name = "Google Gemini API"
    key_env_vars = ("GEMINI_API_KEY", "GOOGLE_API_KEY")
    default_base_url = "https://generativelanguage.googleapis.com"

    def models(self) -> list[ModelInfo]:
        return [IMAGEN_3, IMAGEN_4, FLASH_IMAGE]

    async def start(self, request: GenerationRequest, ctx: RunContext) -> Outcome:
        remote = request.model.remote_name
        ratio = request.aspect_ratio or "1:1"
        imagen = remote.startswith("imagen-")
        body: dict[str, Any]
        if imagen:
            body = {
                "instances": [{"prompt": request.prompt}],
                "parameters": {"sampleCount": 1, "aspectRatio": ratio, "includeRaiReason": True},
            }
        else:
            parts: list[dict[str, Any]] = [{"text": request.prompt}]
            parts += [
                {
                    "inlineData": {
                        "mimeType": ref.mime_type,
                        "data": base64.b64encode(ref.data).decode(),
                    }
                }
                for ref in request.reference_images
            ]
            body = {
                "contents": [{"role": "user", "parts": parts}],
                "generationConfig": {
                    "responseModalities": ["TEXT", "IMAGE"],
                    "imageConfig": {"aspectRatio": ratio},
                },
            }
        method = "predict" if imagen else "generateContent"
        response = await send(
            ctx.http,
            "POST",
            f"{self.base_url}/v1beta/models/{remote}:{method}",
            provider=NAME,
            classify=classify_error,
            headers={"x-goog-api-key": self.api_key or ""},
            json=body,
        )
        if imagen:
            return _imagen_result(parse_json(response, _PredictResponse, NAME))
        return _gemini_result(parse_json(response, _GenerateResponse, NAME))
