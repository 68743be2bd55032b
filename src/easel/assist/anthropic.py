"""Claude through Anthropic's Messages API, streamed (``POST /v1/messages``, ``stream: true``).

The stream is server-sent events named by their ``type``: ``message_start`` (the input
usage), per content block ``content_block_start``, ``content_block_delta`` and
``content_block_stop``, then ``message_delta`` (the stop reason and the cumulative output
usage) and ``message_stop``; ``ping`` may come anywhere and an ``error`` event may end the
stream. Only ``text_delta`` pieces are text for the reader: thinking blocks (on by default
on Claude 5 models) are skipped. No sampling parameters are sent: Claude Sonnet 5 and later
refuse non-default ``temperature``/``top_p``/``top_k``. Images go as base64 image blocks.

Facts and where they were read:

* Model ids, the ``anthropic-version`` value, event and error shapes: the ``anthropic``
  Python SDK 2.14.0, ``types/model_param.py``, ``_constants.py``, ``_streaming.py``,
  ``types/raw_message_stream_event.py``, ``types/message_delta_usage.py``,
  ``types/shared/error_object.py``, ``_error_classes.py`` (529 is ``overloaded_error``).
* The ``x-api-key`` header: https://docs.anthropic.com/en/api/messages
* Prices and lifecycles: https://platform.claude.com/docs/en/models/sonnet-5-5/overview
  and https://platform.claude.com/docs/en/models/haiku-5-5/overview
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from decimal import Decimal
from typing import Any, Literal

import httpx
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
from easel.errors import (
    ContentRejected,
    ProviderError,
    ProviderQuotaError,
    ProviderUnavailable,
    RateLimited,
)
from easel.providers._http import retry_after_seconds

NAME = "Anthropic"
API_VERSION = "2026-10-21"
"""``ANTHROPIC_API_VERSION`` of the anthropic SDK 2.14.0 (``_constants.py``)."""
SDK = "anthropic 2.14.0 (PyPI): types/model_param.py, _constants.py, _streaming.py"
_AS_OF = date(2026, 11, 28)
_PAGES = "https://platform.claude.com/docs/en/models"


def _claude(remote: str, name: str, description: str, rate: TextRate, page: str) -> TextModelInfo:
    source = f"{_PAGES}/{page}/overview"
    return hosted_model(
        "anthropic",
        remote,
        name,
        description,
        rate=rate,
        source=source,
        as_of=_AS_OF,
        facts=SDK,
        max_images=20,
    )


MODELS = (
    _claude(
        "claude-sonnet-5-5",
        "Claude Sonnet 5.5",
        "Anthropic's balance of speed and depth; reads images closely.",
        TextRate(input_per_million=Decimal(2), output_per_million=Decimal(10)),
        "sonnet-5-5",
    ),
    _claude(
        "claude-haiku-5-5",
        "Claude Haiku 5.5",
        "Anthropic's fastest and cheapest Claude, for quick descriptions and ideas.",
        TextRate(
            input_per_million=Decimal("0.10"),
            output_per_million=Decimal("0.50"),
            long_prompt_tokens=100_000,
            long_input_per_million=Decimal("0.50"),
            long_output_per_million=Decimal("2.50"),
        ),
        "haiku-5-5",
    ),
)


class _Usage(BaseModel):
    input_tokens: int | None = None
    output_tokens: int | None = None
    cache_creation_input_tokens: int | None = None
    cache_read_input_tokens: int | None = None


class _Message(BaseModel):
    usage: _Usage


class _MessageStart(BaseModel):
    message: _Message


class _Delta(BaseModel):
    type: str
    text: str = ""


class _BlockDelta(BaseModel):
    delta: _Delta


class _StopDelta(BaseModel):
    stop_reason: str | None = None


class _MessageDelta(BaseModel):
    delta: _StopDelta
    usage: _Usage


class _ErrorObject(BaseModel):
    type: str
    message: str


class _ErrorEvent(BaseModel):
    type: Literal["error"]
    error: _ErrorObject


def _stream_error(error: _ErrorObject, retry_after: float | None) -> ProviderError:
    """An ``error`` event (or error body) as Easel's error."""
    said = f"{NAME} said: {error.message}"
    if error.type == "overloaded_error":
        return ProviderUnavailable(
            f"{NAME} is overloaded. {said}",
            hint="Try again in a moment, or pick another assistant model.",
            status_code=529,
            retry_after=retry_after,
        )
    if error.type == "rate_limit_error":
        return RateLimited(f"{NAME} is rate limiting requests. {said}", retry_after=retry_after)
    if error.type == "billing_error":
        return ProviderQuotaError(
            f"{NAME} has no credit left for this account. {said}",
            hint="Add credit in Anthropic's console (Billing).",
        )
    if error.type in ("api_error", "timeout_error"):
        return ProviderUnavailable(f"{NAME} failed mid-answer. {said}", hint="Try again.")
    return ProviderError(f"{NAME} refused the request ({error.type}). {said}")


def _classify(response: httpx.Response, message: str) -> ProviderError | None:
    """Anthropic's error bodies name their kind; 529 means overloaded."""
    try:
        body = _ErrorEvent.model_validate_json(response.content)
    except ValueError:
        return None
    if body.error.type in ("overloaded_error", "rate_limit_error", "billing_error"):
        return _stream_error(body.error, retry_after_seconds(response.headers))
    return None


def _content(request: TextRequest) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = [
        {
            "type": "image",
            "source": {
                "type": "base64",
                "media_type": image.mime_type,
                "data": payloads.b64encode(image.data),
            },
        }
        for image in request.images
    ]
    blocks.append({"type": "text", "text": request.prompt})
    return blocks


class _Reading:
    """What the stream said so far about usage and stopping."""

    def __init__(self) -> None:
        self.input = _Usage()
        self.output = _Usage()
        self.stop_reason: str | None = None

    def done(self) -> TextDone:
        input_tokens = sum(
            n or 0
            for n in (
                self.output.input_tokens or self.input.input_tokens,
                self.input.cache_creation_input_tokens,
                self.input.cache_read_input_tokens,
            )
        )
        raw = {
            **self.input.model_dump(exclude_none=True),
            **self.output.model_dump(exclude_none=True),
        }
        usage = TextUsage(input_tokens, self.output.output_tokens or 0, raw)
        return TextDone(usage, self.stop_reason)


class AnthropicText(TextProvider):
    id = "anthropic"
    display_name = NAME
    key_env_vars = ("ANTHROPIC_API_KEY",)
    default_base_url = "https://api.anthropic.com"

    def models(self) -> list[TextModelInfo]:
        return list(MODELS)

    def _body(self, request: TextRequest) -> dict[str, Any]:
        return {
            "model": request.model.remote_name,
            "max_tokens": request.max_output_tokens,
            "stream": True,
            "system": request.system,
            "messages": [{"role": "user", "content": _content(request)}],
        }

    async def stream(self, request: TextRequest, ctx: TextContext) -> AsyncIterator[TextEvent]:
        headers = {
            "x-api-key": self.api_key or "",
            "anthropic-version": API_VERSION,
            "content-type": "application/json",
        }
        reading = _Reading()
        async with open_stream(
            ctx.http,
            f"{self.base_url}/v1/messages",
            provider=NAME,
            headers=headers,
            body=self._body(request),
            timeout=ctx.timeout,
            classify=_classify,
        ) as response:
            async for sse in sse_events(response, NAME):
                if sse.event == "content_block_delta":
                    delta = parse(_BlockDelta, sse.data, NAME).delta
                    if delta.type == "text_delta" and delta.text:
                        yield TextDelta(delta.text)
                elif sse.event == "message_start":
                    reading.input = parse(_MessageStart, sse.data, NAME).message.usage
                elif sse.event == "message_delta":
                    event = parse(_MessageDelta, sse.data, NAME)
                    reading.output, reading.stop_reason = event.usage, event.delta.stop_reason
                elif sse.event == "error":
                    raise _stream_error(parse(_ErrorEvent, sse.data, NAME).error, None)
                elif sse.event == "message_stop":
                    break
        if reading.stop_reason == "refusal":
            raise ContentRejected(
                f"{NAME} declined to answer.", hint="Rephrase the request or use other images."
            )
        yield reading.done()
