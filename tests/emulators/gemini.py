"""Gemini API emulator: Imagen ``:predict``, Gemini ``:generateContent`` and the text
model's ``:streamGenerateContent?alt=sse`` (see `emulators.gemini_text`).

Errors use Google's RPC shape ``{"error": {code, message, status, details}}``; a bad key
is a 400 ``INVALID_ARGUMENT`` as on the real API (https://ai.google.dev/api). A prompt containing
``TEXT ONLY`` makes the Gemini model answer with words and no image.
"""

from __future__ import annotations

import base64
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse, Response

from emulators._base import Emulator, Fault, png_bytes
from emulators.gemini_text import TEXT_MODELS, GeminiTextStreaming

IMAGEN = {"imagen-3.0-generate-002", "imagen-4.0-generate-001"}
GEMINI = {"gemini-2.5-flash-image"}
IMAGEN_RATIOS = {"1:1", "3:4", "4:3", "9:16", "16:9"}
GEMINI_RATIOS = IMAGEN_RATIOS | {"2:3", "3:2", "21:9"}
_ERROR_INFO = "type.googleapis.com/google.rpc.ErrorInfo"


def rpc_error(
    code: int, status: str, message: str, details: list[dict[str, Any]] | None = None
) -> JSONResponse:
    body = {"error": {"code": code, "message": message, "status": status, "details": details or []}}
    return JSONResponse(body, code)


def bad_key() -> JSONResponse:
    return rpc_error(
        400,
        "INVALID_ARGUMENT",
        "API key not valid. Please pass a valid API key.",
        [
            {
                "@type": _ERROR_INFO,
                "reason": "API_KEY_INVALID",
                "domain": "googleapis.com",
                "metadata": {"service": "generativelanguage.googleapis.com"},
            }
        ],
    )


def image_size(ratio: str) -> tuple[int, int]:
    """A small image with exactly the requested ratio (16 px per ratio unit)."""
    width, height = (int(part) * 16 for part in ratio.split(":"))
    return width, height


class GeminiEmulator(GeminiTextStreaming, Emulator):
    name = "gemini"
    own_faults = ("mid_stream_error", "stall")

    def routes(self) -> None:
        self.setup_text()
        self.reference_counts: list[int] = []
        # The adapter uses v1beta as Google documents; google-genai 3.x defaults to v1.
        for version in ("v1beta", "v1"):
            self.app.add_api_route(f"/{version}/models/{{target}}", self._call, methods=["POST"])

    def easel_env(self) -> dict[str, str]:
        return {"GEMINI_API_KEY": self.api_key, "EASEL_PROVIDERS__GOOGLE__BASE_URL": self.base_url}

    async def _call(self, target: str, request: Request) -> Response:
        model, _, method = target.partition(":")
        key = request.headers.get("x-goog-api-key") or request.query_params.get("key")
        if key != self.api_key:
            return bad_key()
        served = (
            {("predict", m) for m in IMAGEN}
            | {("generateContent", m) for m in GEMINI}
            | {("streamGenerateContent", m) for m in TEXT_MODELS}
        )
        if (method, model) not in served:
            return rpc_error(
                404,
                "NOT_FOUND",
                f"models/{model} is not found for API version "
                f"v1beta, or is not supported for {method}.",
            )
        try:
            body = await request.json()
        except ValueError:
            return rpc_error(400, "INVALID_ARGUMENT", "Invalid JSON payload received.")
        if method == "streamGenerateContent":
            return await self.stream_text(model, body, request)
        fault = self.take_fault("create")
        if fault is not None:
            return await self._fault(fault, model)
        if method == "predict":
            return self._predict(model, body)
        return self._generate(model, body)

    def _predict(self, model: str, body: dict[str, Any]) -> Response:
        parameters = body.get("parameters") or {}
        ratio = str(parameters.get("aspectRatio") or "1:1")
        if ratio not in IMAGEN_RATIOS:
            return rpc_error(400, "INVALID_ARGUMENT", f"Unsupported aspect ratio: {ratio}.")
        predictions = []
        for _ in range(int(parameters.get("sampleCount") or 1)):
            self.count_creation(model)
            data = png_bytes(*image_size(ratio), seed=self.total_creations)
            predictions.append(
                {"bytesBase64Encoded": base64.b64encode(data).decode(), "mimeType": "image/png"}
            )
        return JSONResponse({"predictions": predictions})

    def _generate(self, model: str, body: dict[str, Any]) -> Response:
        parts = [p for c in body.get("contents") or [] for p in c.get("parts") or []]
        prompt = " ".join(str(p["text"]) for p in parts if "text" in p)
        config = body.get("generationConfig") or {}
        ratio = str((config.get("imageConfig") or {}).get("aspectRatio") or "1:1")
        if ratio not in GEMINI_RATIOS:
            return rpc_error(400, "INVALID_ARGUMENT", f"Unsupported aspect ratio: {ratio}.")
        self.count_creation(model)  # billed by tokens, whatever comes back
        self.reference_counts.append(sum(1 for p in parts if "inlineData" in p))
        answer: list[dict[str, Any]] = [{"text": "Here is the image you asked for."}]
        if "TEXT ONLY" in prompt:
            answer = [{"text": "I can describe it instead: a quiet harbour at dawn."}]
        else:
            data = png_bytes(*image_size(ratio), seed=self.total_creations)
            answer.append(
                {"inlineData": {"mimeType": "image/png", "data": base64.b64encode(data).decode()}}
            )
        return JSONResponse(
            {
                "candidates": [
                    {
                        "content": {"role": "model", "parts": answer},
                        "finishReason": "STOP",
                        "index": 0,
                    }
                ],
                "usageMetadata": {
                    "promptTokenCount": 12,
                    "candidatesTokenCount": 1290,
                    "totalTokenCount": 1302,
                },
                "modelVersion": model,
            }
        )

    async def _fault(self, fault: Fault, model: str) -> Response:
        imagen = model in IMAGEN
        if fault.kind == "rate_limit":
            return rpc_error(
                429,
                "RESOURCE_EXHAUSTED",
                "Resource has been exhausted (e.g. check quota).",
                [
                    {
                        "@type": "type.googleapis.com/google.rpc.RetryInfo",
                        "retryDelay": f"{fault.retry_after:g}s",
                    }
                ],
            )
        if fault.kind == "no_credit" and imagen:
            return rpc_error(
                400,
                "INVALID_ARGUMENT",
                "Imagen API is only accessible to billed users at this time.",
            )
        if fault.kind == "no_credit":
            return rpc_error(
                429,
                "RESOURCE_EXHAUSTED",
                "You exceeded your current quota, please "
                "check your plan and billing details. * Quota exceeded for metric: "
                "generativelanguage.googleapis.com/generate_content_free_tier_"
                f"requests, limit: 0, model: {model}",
            )
        if fault.kind == "moderation" and imagen:
            # Every image filtered: a 200 carrying only the reason.
            return JSONResponse(
                {
                    "predictions": [
                        {
                            "raiFilteredReason": "Your current safety "
                            "filter threshold filtered out the generated image."
                        }
                    ]
                }
            )
        if fault.kind == "moderation":
            return JSONResponse(
                {
                    "promptFeedback": {"blockReason": "PROHIBITED_CONTENT"},
                    "usageMetadata": {"promptTokenCount": 12},
                }
            )
        if fault.kind == "bad_key":
            return bad_key()
        if fault.kind in ("hang", "malformed_json"):
            return await self.broken_answer(
                fault, model, '{"predictions": [{"bytesBase64Encoded": "iVBO'
            )
        if fault.kind == "unavailable":
            return rpc_error(503, "UNAVAILABLE", "The model is overloaded. Please try again later.")
        return rpc_error(500, "INTERNAL", "An internal error has occurred.")
