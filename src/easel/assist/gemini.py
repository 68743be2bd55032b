"""Gemini through the Gemini API, streamed
(``POST /v1beta/models/{model}:streamGenerateContent?alt=sse``).

Each ``data:`` frame is a whole ``GenerateContentResponse`` chunk: new text in
``candidates[0].content.parts``, the ``finishReason`` on the last one. Usage
(``usageMetadata``) is read from the last chunk that carries it; output is billed as
candidate plus thought tokens. Parts marked ``thought`` are not text for the reader. An
error mid-stream arrives as a chunk ``{"error": {code, message, status}}``. Images go as
``inlineData`` parts.

Facts and where they were read:

* Paths, chunk and error shapes: the ``google-genai`` Python SDK 3.6.1,
  ``models.py`` (``:streamGenerateContent?alt=sse``), ``_api_client.py`` (SSE lines,
  error chunks), ``types.py`` (``GenerateContentResponseUsageMetadata``).
* Price: https://ai.google.dev/gemini-api/docs/pricing lists Gemini 3.8 Flash input at
  $0.75 per million through December 31, 2026. The output price ($3.75, then $1.50 /
  $7.50 from January 1, 2027) is UNVERIFIED: read from third-party price tables only.
* That usage comes on the last chunk only is UNVERIFIED; taking the last one seen is
  right either way.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from decimal import Decimal
from typing import Any

from pydantic import BaseModel

from easel import payloads
from easel.assist._wire import open_stream, parse, sse_events
from easel.assist.base import (
    TextContext,
    TextDelta,
    TextDone,
    TextEvent,
    TextModelInfo,
    TextPricing,
    TextProvider,
    TextRate,
    TextRequest,
    TextUsage,
)
from easel.errors import ContentRejected, ProviderError, ProviderUnavailable, RateLimited
from easel.providers.gemini import BLOCKED_REASONS, GoogleStatus, classify_error

NAME = "Google"
SDK = "google-genai 3.6.1 (PyPI): models.py, _api_client.py, types.py"

FLASH = TextModelInfo(
    id="google/gemini-3.8-flash",
    name="Gemini 3.8 Flash",
    provider="google",
    remote_name="gemini-3.8-flash",
    description="Google's fast Gemini; reads images. A billed key is needed for steady use.",
    max_images=16,
    pricing=TextPricing(
        rates=(
            TextRate(input_per_million=Decimal("0.75"), output_per_million=Decimal("3.75")),
            TextRate(
                input_per_million=Decimal("1.50"),
                output_per_million=Decimal("7.50"),
                effective_from=date(2027, 1, 1),
            ),
        ),
        source="https://ai.google.dev/gemini-api/docs/pricing",
        as_of=date(2026, 11, 28),
        note="Output prices UNVERIFIED (third-party tables); input confirmed at the source.",
    ),
    facts=SDK,
)


class _Part(BaseModel):
    text: str | None = None
    thought: bool = False


class _Content(BaseModel):
    parts: list[_Part] = []


class _Candidate(BaseModel):
    content: _Content | None = None
    finishReason: str | None = None


class _Feedback(BaseModel):
    blockReason: str | None = None


class _Usage(BaseModel):
    promptTokenCount: int = 0
    candidatesTokenCount: int = 0
    thoughtsTokenCount: int = 0


class _Chunk(BaseModel):
    candidates: list[_Candidate] = []
    promptFeedback: _Feedback | None = None
    usageMetadata: _Usage | None = None
    error: GoogleStatus | None = None


def _error(status: GoogleStatus) -> ProviderError:
    said = status.message.rstrip(".")
    if status.code == 429 or status.status == "RESOURCE_EXHAUSTED":
        return RateLimited(f"{NAME} is rate limiting requests: {said}.")
    if status.code in (500, 503) or status.status in ("UNAVAILABLE", "INTERNAL"):
        return ProviderUnavailable(f"{NAME} failed mid-answer: {said}.", hint="Try again.")
    return ProviderError(f"{NAME} failed mid-answer: {said}.")


def _check(chunk: _Chunk) -> None:
    if chunk.error is not None:
        raise _error(chunk.error)
    if chunk.promptFeedback and chunk.promptFeedback.blockReason:
        raise ContentRejected(
            f"{NAME} blocked the request ({chunk.promptFeedback.blockReason}).",
            hint="Rephrase it, or use other images.",
        )
    for candidate in chunk.candidates:
        reason = candidate.finishReason or ""
        if any(word in reason for word in BLOCKED_REASONS):
            raise ContentRejected(f"{NAME} stopped the answer ({reason}).")


def _parts(request: TextRequest) -> list[dict[str, Any]]:
    parts: list[dict[str, Any]] = [
        {"inlineData": {"mimeType": image.mime_type, "data": payloads.b64encode(image.data)}}
        for image in request.images
    ]
    parts.append({"text": request.prompt})
    return parts


class GeminiText(TextProvider):
    id = "google"
    display_name = "Google Gemini API"
    key_env_vars = ("GEMINI_API_KEY", "GOOGLE_API_KEY")
    default_base_url = "https://generativelanguage.googleapis.com"

    def models(self) -> list[TextModelInfo]:
        return [FLASH]

    async def stream(self, request: TextRequest, ctx: TextContext) -> AsyncIterator[TextEvent]:
        body = {
            "systemInstruction": {"parts": [{"text": request.system}]},
            "contents": [{"role": "user", "parts": _parts(request)}],
            "generationConfig": {"maxOutputTokens": request.max_output_tokens},
        }
        url = (
            f"{self.base_url}/v1beta/models/{request.model.remote_name}"
            ":streamGenerateContent?alt=sse"
        )
        usage: _Usage | None = None
        finish: str | None = None
        async with open_stream(
            ctx.http,
            url,
            provider=NAME,
            headers={"x-goog-api-key": self.api_key or ""},
            body=body,
            timeout=ctx.timeout,
            classify=classify_error,
        ) as response:
            async for sse in sse_events(response, NAME):
                if not sse.data:
                    continue
                chunk = parse(_Chunk, sse.data, NAME)
                _check(chunk)
                usage = chunk.usageMetadata or usage
                for candidate in chunk.candidates[:1]:
                    finish = candidate.finishReason or finish
                    for part in candidate.content.parts if candidate.content else []:
                        if part.text and not part.thought:
                            yield TextDelta(part.text)
        if finish is None:
            raise ProviderError(f"{NAME} ended the stream without finishing the answer.")
        counted = usage or _Usage()
        output = counted.candidatesTokenCount + counted.thoughtsTokenCount
        yield TextDone(TextUsage(counted.promptTokenCount, output, counted.model_dump()), finish)
