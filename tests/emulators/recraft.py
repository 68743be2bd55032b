"""Recraft emulator: ``POST /v1/images/generations`` answering with expiring result URLs.

Like the real API, some errors are plain text (a bad key is ``401 text/plain "request
unauthorized"``) and others JSON ``{"code", "message"}``; vector styles answer with SVG
(https://www.recraft.ai/docs). The JSON error codes for moderation and credit are assumptions.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from emulators._base import Emulator, Fault, png_bytes

MODELS = {"recraftv3", "recraftv3_vector"}
SIZES = {
    "1024x1024",
    "1365x1024",
    "1024x1365",
    "1536x1024",
    "1024x1536",
    "1820x1024",
    "1024x1820",
    "1024x2048",
    "2048x1024",
    "1434x1024",
    "1024x1434",
    "1024x1280",
    "1280x1024",
    "1024x1707",
    "1707x1024",
}
STYLES = {
    "any",
    "realistic_image",
    "digital_illustration",
    "vector_illustration",
    "logo_raster",
    "icon",
}
VECTOR_STYLES = {"vector_illustration", "icon"}
SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16"><rect width="16" '
    b'height="16" fill="teal"/></svg>'
)


def json_error(
    status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse({"code": code, "message": message}, status, headers=headers)


class RecraftEmulator(Emulator):
    name = "recraft"

    def routes(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.app.add_api_route("/v1/images/generations", self._generate, methods=["POST"])

    def easel_env(self) -> dict[str, str]:
        return {
            # Through Easel's own settings, so that path is exercised too.
            "EASEL_PROVIDERS__RECRAFT__API_KEY": self.api_key,
            "EASEL_PROVIDERS__RECRAFT__BASE_URL": f"{self.base_url}/v1",
        }

    async def _generate(self, request: Request) -> Response:
        if request.headers.get("authorization") != f"Bearer {self.api_key}":
            return PlainTextResponse("request unauthorized", 401)
        try:
            body = await request.json()
        except ValueError:
            return PlainTextResponse("invalid json body", 400)
        fault = self.take_fault("create")
        if fault is not None:
            return await self._fault(fault)
        model, style = body.get("model", "recraftv4_1"), body.get("style", "any")
        size = str(body.get("size", "1024x1024")).replace(":", "x")
        if model not in MODELS:
            return json_error(400, "invalid_model", f"unknown model {model}")
        if size not in SIZES:
            return json_error(400, "invalid_size", f"size {size} is not supported")
        if style not in STYLES:
            return json_error(400, "invalid_style", f"style {style} is not supported")
        self.requests.append(body)
        data = []
        for _ in range(int(body.get("n", 1))):
            self.count_creation(model)
            if style in VECTOR_STYLES or model.endswith("_vector"):
                url = self.publish_file(SVG, "image/svg+xml", "svg")
            else:
                width, height = (int(side) // 16 for side in size.split("x"))
                url = self.publish_file(
                    png_bytes(width, height, seed=self.total_creations), "image/png"
                )
            data.append({"image_id": str(uuid.uuid4()), "url": url})
        return JSONResponse({"created": int(time.time()), "credits": 40 * len(data), "data": data})

    async def _fault(self, fault: Fault) -> Response:
        if fault.kind == "rate_limit":
            return PlainTextResponse(
                "too many requests", 429, headers={"retry-after": f"{fault.retry_after:g}"}
            )
        if fault.kind == "moderation":
            return json_error(
                400, "inappropriate_content", "The prompt was flagged by content moderation"
            )
        if fault.kind == "bad_key":
            return PlainTextResponse("request unauthorized", 401)
        if fault.kind == "no_credit":
            return json_error(402, "not_enough_credits", "Not enough API units on the balance")
        if fault.kind in ("hang", "malformed_json"):
            return await self.broken_answer(
                fault, "recraftv3", '{"created": 1731000000, "credits": 40, "data": [{"ima'
            )
        if fault.kind == "unavailable":
            return PlainTextResponse("upstream unavailable", 503)
        return PlainTextResponse("internal server error", 500)
