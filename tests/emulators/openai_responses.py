"""OpenAI's Responses API on loopback, streaming as the ``openai`` SDK 3.57.0 reads it.

* ``POST /v1/responses`` with ``stream: true``: ``response.created``,
  ``response.in_progress``, ``response.output_item.added``, ``response.content_part.added``,
  ``response.output_text.delta`` pieces, ``response.output_text.done``,
  ``response.content_part.done``, ``response.output_item.done`` and ``response.completed``
  with ``usage``; every event has a ``sequence_number``. Without ``stream``: the response.
* ``input_image`` parts must carry ``detail`` and an ``image_url`` (a data URL or https).
* A model id not in the SDK's chat model list, or retired, is a 404 ``model_not_found``.
* Faults: ``rate_limit`` (429 with ``retry-after``), ``mid_stream_error`` (an ``error``
  event after a few words), ``stall``, ``bad_key``, ``server_error``.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import AsyncIterator
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse, Response

from emulators._base import Emulator, Fault
from emulators._text import TextStreaming, deltas, sse

SERVED = {"gpt-6.2-sol", "gpt-6.1-sol", "gpt-6-sol", "gpt-6-luna", "gpt-6.2-astra", "gpt-5.5"}
IMAGE_TOKENS = 765


def error(status: int, message: str, type_: str, code: str | None, **headers: str) -> Response:
    body = {"error": {"message": message, "type": type_, "param": None, "code": code}}
    return JSONResponse(body, status, headers=headers)


def _image_problem(body: dict[str, Any]) -> str | None:
    for item in body.get("input") or []:
        for part in item.get("content") or [] if isinstance(item, dict) else []:
            if part.get("type") != "input_image":
                continue
            if part.get("detail") not in ("low", "high", "auto", "original"):
                return "Missing required parameter: 'input[0].content[0].detail'."
            url = str(part.get("image_url") or "")
            if not url.startswith(("data:image/", "https://")):
                return "Invalid 'image_url': expected a data URL or an https URL."
    return None


def _input_tokens(body: dict[str, Any]) -> int:
    """About four characters of text a token, and ``IMAGE_TOKENS`` per image."""
    text, images = len(str(body.get("instructions") or "")), 0
    given = body.get("input")
    items = (
        [{"content": [{"type": "input_text", "text": given}]}] if isinstance(given, str) else given
    )
    for item in items or []:
        for part in item.get("content") or []:
            images += part.get("type") == "input_image"
            text += len(str(part.get("text", "")))
    return text // 4 + 1 + images * IMAGE_TOKENS


class OpenAIResponsesEmulator(TextStreaming, Emulator):
    name = "openai-responses"
    own_faults = ("mid_stream_error", "stall")

    def routes(self) -> None:
        self.setup_text()
        self.app.add_api_route("/v1/responses", self._responses, methods=["POST"])

    def easel_env(self) -> dict[str, str]:
        return {
            "OPENAI_API_KEY": self.api_key,
            "EASEL_PROVIDERS__OPENAI__BASE_URL": f"{self.base_url}/v1",
        }

    async def _responses(self, request: Request) -> Response:
        if request.headers.get("authorization") != f"Bearer {self.api_key}":
            return error(
                401, "Incorrect API key provided.", "invalid_request_error", "invalid_api_key"
            )
        try:
            body = await request.json()
        except ValueError:
            return error(400, "We could not parse the JSON body.", "invalid_request_error", None)
        model = body.get("model")
        if model not in SERVED:
            return error(
                404,
                f"The model `{model}` does not exist or you do not have access to it.",
                "invalid_request_error",
                "model_not_found",
            )
        problem = _image_problem(body)
        if problem:
            return error(400, problem, "invalid_request_error", "invalid_value")
        self.record(body, dict(request.headers))
        fault = self.take_fault("create")
        if fault is not None and fault.kind not in ("mid_stream_error", "stall"):
            return self._fault(fault)
        self.count_creation(str(model))
        words = deltas(self.answer_for("input_image" in json.dumps(body.get("input"))))
        if not body.get("stream"):
            return JSONResponse(self._response(body, "completed", "".join(words), len(words)))
        return self.stream(self._frames(body, words, fault))

    def _response(self, body: dict[str, Any], status: str, text: str, output: int) -> Any:
        input_tokens = _input_tokens(body)
        done = status == "completed"
        message = {
            "id": "msg_1",
            "type": "message",
            "role": "assistant",
            "status": status,
            "content": [{"type": "output_text", "text": text, "annotations": [], "logprobs": []}],
        }
        return {
            "id": f"resp_{secrets.token_hex(12)}",
            "object": "response",
            "created_at": time.time(),
            "status": status,
            "model": body["model"],
            "output": [message] if done else [],
            "parallel_tool_calls": True,
            "tool_choice": "auto",
            "tools": [],
            "error": None,
            "incomplete_details": None,
            "usage": {
                "input_tokens": input_tokens,
                "input_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 0},
                "output_tokens": output,
                "output_tokens_details": {"reasoning_tokens": 0},
                "total_tokens": input_tokens + output,
            }
            if done
            else None,
        }

    async def _frames(
        self, body: dict[str, Any], words: list[str], fault: Fault | None
    ) -> AsyncIterator[bytes]:
        sequence = iter(range(1_000_000))

        def event(kind: str, **data: Any) -> bytes:
            return sse(kind, json.dumps({"type": kind, "sequence_number": next(sequence), **data}))

        started = self._response(body, "in_progress", "", 0)
        yield event("response.created", response=started)
        yield event("response.in_progress", response=started)
        item = {
            "id": "msg_1",
            "type": "message",
            "role": "assistant",
            "status": "in_progress",
            "content": [],
        }
        yield event("response.output_item.added", output_index=0, item=item)
        part = {"type": "output_text", "text": "", "annotations": []}
        yield event(
            "response.content_part.added",
            item_id="msg_1",
            output_index=0,
            content_index=0,
            part=part,
        )
        failure = event(
            "error",
            code="server_error",
            message="The server had an error while processing your request.",
            param=None,
        )
        async for frame in self.paced(
            words,
            lambda _, word: event(
                "response.output_text.delta",
                item_id="msg_1",
                output_index=0,
                content_index=0,
                delta=word,
                logprobs=[],
            ),
            fault=fault.kind if fault else None,
            fault_frame=failure,
            hang_seconds=fault.hang_seconds if fault else 0,
        ):
            yield frame
            if frame is failure:
                return
        text = "".join(words)
        yield event(
            "response.output_text.done",
            item_id="msg_1",
            output_index=0,
            content_index=0,
            text=text,
            logprobs=[],
        )
        yield event(
            "response.content_part.done",
            item_id="msg_1",
            output_index=0,
            content_index=0,
            part={**part, "text": text},
        )
        finished = self._response(body, "completed", text, len(words))
        yield event("response.output_item.done", output_index=0, item=finished["output"][0])
        yield event("response.completed", response=finished)

    def _fault(self, fault: Fault) -> Response:
        if fault.kind == "rate_limit":
            return error(
                429,
                "Rate limit reached for requests. Please try again shortly.",
                "requests",
                "rate_limit_exceeded",
                **{"retry-after": f"{fault.retry_after:g}"},
            )
        if fault.kind == "bad_key":
            return error(
                401, "Incorrect API key provided.", "invalid_request_error", "invalid_api_key"
            )
        return error(
            500, "The server had an error while processing your request.", "server_error", None
        )
