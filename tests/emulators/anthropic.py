"""Anthropic's Messages API on loopback, streaming as the ``anthropic`` SDK 2.14.0 reads it.

* ``POST /v1/messages`` with ``stream: true``: ``message_start``, a thinking block (Claude 5
  models think by default) with ``thinking_delta`` and ``signature_delta``, a text block
  with ``text_delta`` pieces, a ``ping`` between the blocks, ``message_delta`` (stop reason,
  cumulative ``output_tokens``) and ``message_stop``. Without ``stream``: one ``Message``.
* The key as ``x-api-key`` (the documented header) or ``Authorization: Bearer`` (what the
  SDK 2.14.0 sends); ``anthropic-version`` is required; ``max_tokens`` is required.
* Non-default ``temperature``, ``top_p`` or ``top_k`` are refused with a 400, as Claude
  Sonnet 5 and later refuse them; a model id not in the SDK's list is a 404
  ``not_found_error``.
* Faults: ``rate_limit`` (429 ``rate_limit_error``), ``overloaded`` (529
  ``overloaded_error``), both with ``retry-after``; ``mid_stream_error`` (an ``error``
  event after a few words); ``stall``; ``bad_key``; ``server_error`` (500 ``api_error``).

Errors use ``{"type": "error", "error": {"type", "message"}, "request_id"}``.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import AsyncIterator
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse, Response

from emulators._base import Emulator, Fault
from emulators._text import TextStreaming, deltas, sse

SERVED = {
    "claude-fable-5-2",
    "claude-mythos-5-2",
    "claude-haiku-5-5",
    "claude-sonnet-5-5",
    "claude-fable-5-1",
    "claude-opus-5-5",
    "claude-mythos-5-1",
    "claude-sonnet-5",
    "claude-fable-5",
    "claude-mythos-5",
    "claude-opus-5",
    "claude-opus-4-8",
    "claude-opus-4-7",
    "claude-opus-4-6",
    "claude-sonnet-4-6",
    "claude-haiku-4-5",
    "claude-haiku-4-5-20251001",
    "claude-opus-4-5",
    "claude-opus-4-5-20251101",
    "claude-sonnet-4-5",
    "claude-sonnet-4-5-20250929",
}
"""The ids of the SDK's ``types/model_param.py``, less the retired preview."""
IMAGE_TOKENS = 1600
"""Input tokens billed per image (an emulator constant near Anthropic's w*h/750)."""
SAMPLING = ("temperature", "top_p", "top_k")


def error(status: int, kind: str, message: str, headers: dict[str, str] | None = None) -> Response:
    body = {
        "type": "error",
        "error": {"type": kind, "message": message},
        "request_id": f"req_{secrets.token_hex(12)}",
    }
    return JSONResponse(body, status, headers=headers)


def _event(kind: str, **data: Any) -> bytes:
    return sse(kind, json.dumps({"type": kind, **data}))


def input_tokens(body: dict[str, Any]) -> int:
    """About four characters of text a token, and ``IMAGE_TOKENS`` per image."""
    text, images = len(json.dumps(body.get("system", ""))), 0
    for message in body.get("messages") or []:
        content = message.get("content")
        blocks = [{"type": "text", "text": content}] if isinstance(content, str) else content
        for block in blocks or []:
            images += block.get("type") == "image"
            text += len(str(block.get("text", "")))
    return text // 4 + 1 + images * IMAGE_TOKENS


class AnthropicEmulator(TextStreaming, Emulator):
    name = "anthropic"
    own_faults = ("overloaded", "mid_stream_error", "stall")

    def routes(self) -> None:
        self.setup_text()
        self.app.add_api_route("/v1/messages", self._messages, methods=["POST"])

    def easel_env(self) -> dict[str, str]:
        return {
            "ANTHROPIC_API_KEY": self.api_key,
            "EASEL_PROVIDERS__ANTHROPIC__BASE_URL": self.base_url,
        }

    def _refusal(self, request: Request, body: Any) -> Response | None:
        """The checks Anthropic makes before it streams anything."""
        key = request.headers.get("x-api-key") or request.headers.get("authorization", "")
        if key.removeprefix("Bearer ") != self.api_key:
            return error(401, "authentication_error", "invalid x-api-key")
        if not request.headers.get("anthropic-version"):
            return error(400, "invalid_request_error", "anthropic-version: header is required")
        if not isinstance(body, dict):
            return error(400, "invalid_request_error", "Request body must be a JSON object")
        if not isinstance(body.get("max_tokens"), int):
            return error(400, "invalid_request_error", "max_tokens: Field required")
        if body.get("model") not in SERVED:
            return error(404, "not_found_error", f"model: {body.get('model')}")
        for name in SAMPLING:
            if name in body:
                return error(
                    400,
                    "invalid_request_error",
                    f"`{name}` is not supported for this model; leave it at its default.",
                )
        return None

    async def _messages(self, request: Request) -> Response:
        try:
            body = await request.json()
        except ValueError:
            return error(400, "invalid_request_error", "Request body is not valid JSON")
        refused = self._refusal(request, body)
        if refused is not None:
            return refused
        self.record(body, dict(request.headers))
        fault = self.take_fault("create")
        if fault is not None and fault.kind not in ("mid_stream_error", "stall"):
            return self._fault(fault)
        self.count_creation(str(body["model"]))
        has_images = '"type": "image"' in json.dumps(body.get("messages"))
        words = deltas(self.answer_for(has_images))
        if not body.get("stream"):
            return JSONResponse(self._message(body, "".join(words), len(words), "end_turn"))
        return self.stream(self._frames(body, words, fault))

    def _message(self, body: dict[str, Any], text: str, output: int, stop: str | None) -> Any:
        return {
            "id": f"msg_{secrets.token_hex(12)}",
            "type": "message",
            "role": "assistant",
            "model": body["model"],
            "content": [{"type": "text", "text": text}] if text else [],
            "stop_reason": stop,
            "stop_sequence": None,
            "usage": {"input_tokens": input_tokens(body), "output_tokens": output},
        }

    async def _frames(
        self, body: dict[str, Any], words: list[str], fault: Fault | None
    ) -> AsyncIterator[bytes]:
        yield _event("message_start", message=self._message(body, "", 1, None))
        yield _event(
            "content_block_start", index=0, content_block={"type": "thinking", "thinking": ""}
        )
        yield _event(
            "content_block_delta", index=0, delta={"type": "thinking_delta", "thinking": "Looking."}
        )
        yield _event(
            "content_block_delta", index=0, delta={"type": "signature_delta", "signature": "c2ln"}
        )
        yield _event("content_block_stop", index=0)
        yield _event("ping")
        yield _event("content_block_start", index=1, content_block={"type": "text", "text": ""})
        failure = _event("error", error={"type": "overloaded_error", "message": "Overloaded"})
        async for frame in self.paced(
            words,
            lambda _, word: _event(
                "content_block_delta", index=1, delta={"type": "text_delta", "text": word}
            ),
            fault=fault.kind if fault else None,
            fault_frame=failure,
            hang_seconds=fault.hang_seconds if fault else 0,
        ):
            yield frame
            if frame is failure:
                return
        yield _event("content_block_stop", index=1)
        yield _event(
            "message_delta",
            delta={"stop_reason": "end_turn", "stop_sequence": None},
            usage={"output_tokens": len(words) + 4},
        )
        yield _event("message_stop")

    def _fault(self, fault: Fault) -> Response:
        wait = {"retry-after": f"{fault.retry_after:g}"}
        if fault.kind == "rate_limit":
            return error(
                429,
                "rate_limit_error",
                "Number of request tokens has exceeded your rate limit.",
                wait,
            )
        if fault.kind == "overloaded":
            return error(529, "overloaded_error", "Overloaded", wait)
        if fault.kind == "bad_key":
            return error(401, "authentication_error", "invalid x-api-key")
        if fault.kind == "no_credit":
            return error(
                400,
                "invalid_request_error",
                "Your credit balance is too low to access the Anthropic API.",
            )
        return error(500, "api_error", "Internal server error")
