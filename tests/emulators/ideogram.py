"""Ideogram emulator: 4.0 ``POST /v1/ideogram-v4/generate`` and 3.0 ``POST
/v1/ideogram-v3/generate`` (multipart only), and the legacy ``POST /generate`` (JSON
``image_request``), all answering with expiring URLs. 4.0 takes ``text_prompt``, one of 21
2K ``resolution`` values and TURBO/DEFAULT/QUALITY, and answers 400 to FLASH
(https://developer.ideogram.ai/api-reference/api-reference/generate-v4).

A prompt containing ``UNSAFE`` yields ``is_image_safe: false`` without a URL in a 200,
which Ideogram bills; a refused prompt is a 422 that is not billed (https://developer.ideogram.ai/api-reference).
"""

from __future__ import annotations

import random
from datetime import UTC, datetime
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse, Response

from emulators._base import Emulator, Fault, png_bytes

V3_RATIOS = {
    "1x1",
    "16x9",
    "9x16",
    "4x3",
    "3x4",
    "3x2",
    "2x3",
    "16x10",
    "10x16",
    "3x1",
    "1x3",
    "2x1",
    "1x2",
    "4x5",
    "5x4",
}
V2_RATIOS = {"ASPECT_" + r.replace("x", "_") for r in V3_RATIOS - {"2x1", "1x2", "4x5", "5x4"}}
SPEEDS = {"FLASH", "TURBO", "DEFAULT", "QUALITY"}
V4_SPEEDS = SPEEDS - {"FLASH"}
V4_RESOLUTIONS = {
    *("2048x2048", "1440x2880", "2880x1440", "1664x2496", "2496x1664", "1792x2240"),
    *("2240x1792", "1440x2560", "2560x1440", "1600x2560", "2560x1600", "1728x2304"),
    *("2304x1728", "1296x3168", "3168x1296", "1152x2944", "2944x1152", "1248x3328"),
    *("3328x1248", "1280x3072", "3072x1280"),
}
V4_FIELDS = {"text_prompt", "json_prompt", "resolution", "rendering_speed"}
V2_MODELS = {"V_1", "V_1_TURBO", "V_2", "V_2_TURBO", "V_2A", "V_2A_TURBO"}


def error(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": message}, status, headers=headers)


class IdeogramEmulator(Emulator):
    name = "ideogram"

    def routes(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.app.add_api_route("/v1/ideogram-v4/generate", self._v4, methods=["POST"])
        self.app.add_api_route("/v1/ideogram-v3/generate", self._v3, methods=["POST"])
        self.app.add_api_route("/generate", self._legacy, methods=["POST"])

    def easel_env(self) -> dict[str, str]:
        return {
            "IDEOGRAM_API_KEY": self.api_key,
            "EASEL_PROVIDERS__IDEOGRAM__BASE_URL": self.base_url,
        }

    async def _v4(self, request: Request) -> Response:
        if request.headers.get("api-key") != self.api_key:
            return error(401, "Invalid Api-Key header")
        if not request.headers.get("content-type", "").startswith("multipart/form-data"):
            return error(415, "This endpoint takes multipart/form-data")
        fields = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
        fault = self.take_fault("create")
        if fault is not None:
            return await self._fault(fault, "V_4")
        if set(fields) - V4_FIELDS or ("text_prompt" in fields) == ("json_prompt" in fields):
            return error(400, f"Supply exactly one of text_prompt or json_prompt: {sorted(fields)}")
        resolution = fields.get("resolution", "2048x2048")
        if resolution not in V4_RESOLUTIONS:
            return error(400, f"Invalid resolution: {resolution}")
        if fields.get("rendering_speed", "DEFAULT") not in V4_SPEEDS:
            return error(400, f"Invalid rendering_speed: {fields['rendering_speed']}")
        width, height = (int(side) // 32 for side in resolution.split("x"))
        return self._answer(
            "V_4", {"prompt": fields.get("text_prompt", ""), **fields}, width, height
        )

    async def _v3(self, request: Request) -> Response:
        if request.headers.get("api-key") != self.api_key:
            return error(401, "Invalid Api-Key header")
        if not request.headers.get("content-type", "").startswith("multipart/form-data"):
            return error(415, "This endpoint takes multipart/form-data")
        fields = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
        fault = self.take_fault("create")
        if fault is not None:
            return await self._fault(fault, "V_3")
        ratio = fields.get("aspect_ratio", "1x1")
        if ratio not in V3_RATIOS or fields.get("rendering_speed", "DEFAULT") not in SPEEDS:
            return error(400, f"Invalid aspect_ratio or rendering_speed: {fields}")
        width, height = (int(side) * 16 for side in ratio.split("x"))
        return self._answer("V_3", fields, width, height)

    async def _legacy(self, request: Request) -> Response:
        if request.headers.get("api-key") != self.api_key:
            return error(401, "Invalid Api-Key header")
        try:
            fields = dict((await request.json())["image_request"])
        except (ValueError, KeyError, TypeError):
            return error(400, "Body must be JSON with an image_request object")
        fault = self.take_fault("create")
        if fault is not None:
            return await self._fault(fault, str(fields.get("model")))
        ratio = fields.get("aspect_ratio", "ASPECT_1_1")
        if ratio not in V2_RATIOS or fields.get("model") not in V2_MODELS:
            return error(400, f"Invalid aspect_ratio or model: {fields}")
        width, height = (int(side) * 16 for side in ratio.removeprefix("ASPECT_").split("_"))
        return self._answer(str(fields["model"]), fields, width, height)

    def _answer(self, model: str, fields: dict[str, Any], width: int, height: int) -> Response:
        self.requests.append({"model": model, **fields})
        self.count_creation(model)  # billed, even when the image is withheld below
        seed = int(fields.get("seed") or random.randrange(2**31))
        prompt = str(fields.get("prompt", ""))
        item: dict[str, Any] = {
            "prompt": prompt,
            "resolution": f"{width}x{height}",
            "is_image_safe": "UNSAFE" not in prompt,
            "seed": seed,
            "style_type": fields.get("style_type", "AUTO"),
        }
        if item["is_image_safe"]:
            image = png_bytes(width, height, seed=self.total_creations)
            item["url"] = self.publish_file(image, "image/png")
        created = datetime.now(UTC).isoformat()
        return JSONResponse({"created": created, "data": [item]})

    async def _fault(self, fault: Fault, model: str) -> Response:
        if fault.kind == "rate_limit":
            return error(429, "Too many requests", {"retry-after": f"{fault.retry_after:g}"})
        if fault.kind == "moderation":
            return error(422, "Prompt or provided image failed the safety checks")
        if fault.kind == "bad_key":
            return error(401, "Invalid Api-Key header")
        if fault.kind == "no_credit":
            return JSONResponse(
                {"error": "Insufficient balance", "reject_reason": "insufficient_funds"}, 402
            )
        if fault.kind in ("hang", "malformed_json"):
            return await self.broken_answer(
                fault, model, '{"created": "2025-01-01T12:00:00Z", "data": [{"url": "ht'
            )
        if fault.kind == "unavailable":
            return error(503, "Service temporarily unavailable")
        return error(500, "Internal server error")
