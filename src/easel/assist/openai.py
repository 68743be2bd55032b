"""GPT models through OpenAI's Responses API, streamed (``POST /v1/responses``,
``stream: true``).

Every event carries its ``type`` and a ``sequence_number``: ``response.created``,
``response.in_progress``, ``response.output_item.added``, ``response.content_part.added``,
``response.output_text.delta`` (the text), ``response.output_text.done``, …, and one end:
``response.completed`` (with ``usage``), ``response.incomplete`` or ``response.failed``;
an ``error`` event may come instead. Images go as ``input_image`` parts with a base64 data
URL. The answer is not stored at OpenAI (``store: false``).

Facts and where they were read:

* Event and usage shapes, model ids: the ``openai`` Python SDK 3.57.0,
  ``types/responses/response_stream_event.py``, ``response_text_delta_event.py``,
  ``response_completed_event.py``, ``response_error_event.py``, ``response_usage.py``,
  ``response_input_image_param.py``, ``types/shared/chat_model.py``.
* Prices: https://developers.openai.com/api/docs/models/gpt-6.2-sol and
  https://developers.openai.com/api/docs/models/gpt-6-luna (above 272K input tokens the
  whole request costs twice the input and 1.5 times the output rate).
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
    TextProvider,
    TextRate,
    TextRequest,
    TextUsage,
    hosted_model,
)
from easel.errors import ContentRejected, ProviderError
from easel.providers.openai import OpenAIErrorObject, classify_error, specific_error

NAME = "OpenAI"
SDK = "openai 3.57.0 (PyPI): types/responses/response_stream_event.py, response_usage.py"
_PAGES = "https://developers.openai.com/api/docs/models"
_AS_OF = date(2026, 11, 28)


def _gpt(
    remote: str, name: str, description: str, input_usd: str, output_usd: str
) -> TextModelInfo:
    rate = TextRate(
        input_per_million=Decimal(input_usd),
        output_per_million=Decimal(output_usd),
        long_prompt_tokens=272_000,
        long_input_per_million=Decimal(input_usd) * 2,
        long_output_per_million=Decimal(output_usd) * Decimal("1.5"),
    )
    source = f"{_PAGES}/{remote}"
    return hosted_model(
        "openai",
        remote,
        name,
        description,
        rate=rate,
        source=source,
        as_of=_AS_OF,
        facts=SDK,
        max_images=16,
    )


MODELS = (
    _gpt("gpt-6.2-sol", "GPT-6.2 Sol", "OpenAI's everyday model; reads images.", "2", "10"),
    _gpt("gpt-6-luna", "GPT-6 Luna", "OpenAI's cheapest GPT-6 for quick answers.", "0.10", "0.50"),
)


class _Usage(BaseModel):
    input_tokens: int = 0
    output_tokens: int = 0


class _IncompleteDetails(BaseModel):
    reason: str | None = None


class _Response(BaseModel):
    usage: _Usage | None = None
    error: OpenAIErrorObject | None = None
    incomplete_details: _IncompleteDetails | None = None


class _Event(BaseModel):
    """Any event of the stream; each kind fills the fields it has."""

    type: str
    delta: str = ""
    response: _Response | None = None
    code: str | None = None
    message: str = ""


def _failure(error: OpenAIErrorObject) -> ProviderError:
    specific = specific_error(error, 400)
    if specific is not None:
        return specific
    said = error.message.rstrip(".") or error.code or "no reason given"
    return ProviderError(f"{NAME} failed mid-answer: {said}.", hint="Try again.")


def _content(request: TextRequest) -> list[dict[str, Any]]:
    parts: list[dict[str, Any]] = [
        {
            "type": "input_image",
            "image_url": f"data:{image.mime_type};base64,{payloads.b64encode(image.data)}",
            "detail": "auto",
        }
        for image in request.images
    ]
    parts.append({"type": "input_text", "text": request.prompt})
    return parts


def _done(response: _Response, stop_reason: str) -> TextDone:
    usage = response.usage or _Usage()
    return TextDone(
        TextUsage(usage.input_tokens, usage.output_tokens, usage.model_dump()), stop_reason
    )


def _end(event: _Event) -> TextDone:
    """The event that ends the stream, as its usage, or the error it reports."""
    response = event.response or _Response()
    if event.type == "error":
        raise _failure(OpenAIErrorObject(code=event.code, message=event.message))
    if event.type == "response.failed":
        raise _failure(response.error or OpenAIErrorObject(message="the response failed"))
    if event.type == "response.incomplete":
        reason = response.incomplete_details.reason if response.incomplete_details else None
        if reason == "content_filter":
            raise ContentRejected(f"{NAME}'s safety system stopped the answer.")
        return _done(response, reason or "incomplete")
    return _done(response, "completed")


_ENDS = frozenset({"response.completed", "response.incomplete", "response.failed", "error"})


class OpenAIText(TextProvider):
    id = "openai"
    display_name = NAME
    key_env_vars = ("OPENAI_API_KEY",)
    default_base_url = "https://api.openai.com/v1"

    def models(self) -> list[TextModelInfo]:
        return list(MODELS)

    async def stream(self, request: TextRequest, ctx: TextContext) -> AsyncIterator[TextEvent]:
        body = {
            "model": request.model.remote_name,
            "instructions": request.system,
            "input": [{"role": "user", "content": _content(request)}],
            "max_output_tokens": request.max_output_tokens,
            "stream": True,
            "store": False,
        }
        headers = {"Authorization": f"Bearer {self.api_key or ''}"}
        refusal: list[str] = []
        async with open_stream(
            ctx.http,
            f"{self.base_url}/responses",
            provider=NAME,
            headers=headers,
            body=body,
            timeout=ctx.timeout,
            classify=classify_error,
        ) as response:
            async for sse in sse_events(response, NAME):
                if not sse.data or sse.data.strip() == "[DONE]":
                    continue
                event = parse(_Event, sse.data, NAME)
                if event.type == "response.output_text.delta" and event.delta:
                    yield TextDelta(event.delta)
                elif event.type == "response.refusal.delta":
                    refusal.append(event.delta)
                elif event.type in _ENDS:
                    if refusal:
                        raise ContentRejected(f"{NAME} declined: {''.join(refusal)}")
                    yield _end(event)
                    return
        raise ProviderError(f"{NAME} ended the stream without finishing the answer.")
