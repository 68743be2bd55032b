"""Gemini's ``models/{model}:streamGenerateContent?alt=sse`` on loopback, as the
``google-genai`` SDK 3.6.1 reads it: each ``data:`` frame a whole
``GenerateContentResponse`` chunk. The first chunk carries a thought part (Gemini 3 models
think), the last one ``finishReason: STOP``; every chunk carries ``usageMetadata`` with
the counts so far. Mid-stream errors come as a chunk ``{"error": {code, message,
status}}``. Faults: ``rate_limit`` (429 ``RESOURCE_EXHAUSTED`` with a ``RetryInfo``
delay), ``mid_stream_error``, ``stall``, ``bad_key``, ``server_error``.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse, Response

from emulators._base import Fault
from emulators._text import TextStreaming, deltas, sse

IMAGE_TOKENS = 1120


def _status(code: int, status: str, message: str, details: list[Any] | None = None) -> Any:
    return {"error": {"code": code, "message": message, "status": status, "details": details or []}}


class GeminiTextStreaming(TextStreaming):
    """Mixed into the Gemini emulator beside its image methods (which give it
    ``take_fault`` and ``count_creation``)."""

    async def stream_text(self, model: str, body: dict[str, Any], request: Request) -> Response:
        if request.query_params.get("alt") != "sse":
            return JSONResponse(
                _status(400, "INVALID_ARGUMENT", "Streaming needs alt=sse here."), 400
            )
        self.record(body, dict(request.headers))
        fault = self.take_fault("create")
        if fault is not None and fault.kind not in ("mid_stream_error", "stall"):
            return self._text_fault(fault)
        self.count_creation(model)
        parts = [p for c in body.get("contents") or [] for p in c.get("parts") or []]
        images = sum(1 for p in parts if "inlineData" in p)
        prompt = len(json.dumps(body)) // 4 if not images else 200 + images * IMAGE_TOKENS
        return self.stream(self._chunks(model, prompt, deltas(self.answer_for(images > 0)), fault))

    async def _chunks(
        self, model: str, prompt: int, words: list[str], fault: Fault | None
    ) -> AsyncIterator[bytes]:
        def chunk(parts: list[dict[str, Any]], sent: int, finish: str | None = None) -> bytes:
            candidate: dict[str, Any] = {"content": {"role": "model", "parts": parts}, "index": 0}
            if finish:
                candidate["finishReason"] = finish
            usage = {
                "promptTokenCount": prompt,
                "candidatesTokenCount": sent,
                "thoughtsTokenCount": 12,
                "totalTokenCount": prompt + sent + 12,
            }
            data = {"candidates": [candidate], "usageMetadata": usage, "modelVersion": model}
            return sse(None, json.dumps(data))

        yield chunk([{"text": "Considering the request.", "thought": True}], 0)
        failure = sse(None, json.dumps(_status(503, "UNAVAILABLE", "The model is overloaded.")))
        async for frame in self.paced(
            words,
            lambda index, word: chunk([{"text": word}], index + 1),
            fault=fault.kind if fault else None,
            fault_frame=failure,
            hang_seconds=fault.hang_seconds if fault else 0,
        ):
            yield frame
            if frame is failure:
                return
        yield chunk([{"text": ""}], len(words), "STOP")

    def _text_fault(self, fault: Fault) -> Response:
        if fault.kind == "rate_limit":
            retry = [
                {
                    "@type": "type.googleapis.com/google.rpc.RetryInfo",
                    "retryDelay": f"{fault.retry_after:g}s",
                }
            ]
            return JSONResponse(
                _status(
                    429,
                    "RESOURCE_EXHAUSTED",
                    "Resource has been exhausted (e.g. check quota).",
                    retry,
                ),
                429,
            )
        if fault.kind == "bad_key":
            info = [
                {"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID"}
            ]
            return JSONResponse(
                _status(
                    400, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key.", info
                ),
                400,
            )
        return JSONResponse(_status(500, "INTERNAL", "An internal error has occurred."), 500)
