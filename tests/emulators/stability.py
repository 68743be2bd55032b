"""Stability AI emulator: ``POST /v2beta/stable-image/generate/{core|ultra|sd3}``; ``sd3``
serves the Stable Diffusion 3.5 models named in its ``model`` field (``sd3.5-large`` by
default), and refuses a style preset. The image tools (``edit/{inpaint|erase|outpaint|
remove-background}``, ``upscale/fast``, ``control/style-transfer``) check their files and
fields as Stability documents them and answer with a picture of the right size: the
source with the masked area painted magenta, a larger canvas, four times each side, a
PNG whose backdrop is transparent, or the source tinted with the style image's colour
(`emulators.stability_tools`).

Multipart only; with ``Accept: image/*`` a 200 is raw PNG bytes with ``finish-reason``
and ``seed`` headers. Errors are ``{"id", "name", "errors": [...]}``; moderation is a 403
(https://platform.stability.ai/docs/api-reference). A prompt containing ``FILTERED``
gets a 200 whose finish-reason is ``CONTENT_FILTERED``.
"""

from __future__ import annotations

import base64
import random
import uuid
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse, Response

from emulators._base import Emulator, Fault, png_bytes
from emulators.stability_tools import TOOLS, Form, read_form

SD3_MODELS = {"sd3.5-large", "sd3.5-large-turbo", "sd3.5-medium"}
RATIOS = {"1:1", "16:9", "9:16", "3:2", "2:3", "5:4", "4:5", "21:9", "9:21"}
PRESETS = {
    "3d-model",
    "analog-film",
    "anime",
    "cinematic",
    "comic-book",
    "digital-art",
    "enhance",
    "fantasy-art",
    "isometric",
    "line-art",
    "low-poly",
    "modeling-compound",
    "neon-punk",
    "origami",
    "photographic",
    "pixel-art",
    "tile-texture",
}


def error(
    status: int, name: str, message: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    body = {"id": uuid.uuid4().hex, "name": name, "errors": [message]}
    return JSONResponse(body, status, headers=headers)


class StabilityEmulator(Emulator):
    name = "stability"

    def routes(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.tool_requests: list[Form] = []
        """Each image tool request accepted: its endpoint, text fields and files."""
        self.app.add_api_route(
            "/v2beta/stable-image/generate/{model}", self._generate, methods=["POST"]
        )
        self.app.add_api_route("/v2beta/stable-image/{group}/{tool}", self._tool, methods=["POST"])

    def easel_env(self) -> dict[str, str]:
        return {
            "STABILITY_API_KEY": self.api_key,
            "EASEL_PROVIDERS__STABILITY__BASE_URL": self.base_url,
        }

    async def _generate(self, model: str, request: Request) -> Response:
        if request.headers.get("authorization") != f"Bearer {self.api_key}":
            return error(401, "unauthorized", "Missing or invalid API key.")
        if model not in ("core", "ultra", "sd3"):
            return error(404, "not_found", f"Unknown endpoint generate/{model}.")
        if not request.headers.get("content-type", "").startswith("multipart/form-data"):
            return error(400, "bad_request", "Content-Type must be multipart/form-data.")
        fields = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
        fault = self.take_fault("create")
        if fault is not None:
            return await self._fault(fault, model)
        endpoint = model
        if endpoint == "sd3":
            model = fields.get("model", "sd3.5-large")
            if model not in SD3_MODELS:
                return error(400, "bad_request", f"model: must be one of {sorted(SD3_MODELS)}")
        ratio, preset = fields.get("aspect_ratio", "1:1"), fields.get("style_preset")
        if ratio not in RATIOS or not fields.get("prompt"):
            return error(400, "bad_request", f"aspect_ratio: must be one of {sorted(RATIOS)}")
        if preset is not None and (model != "core" or preset not in PRESETS):
            return error(400, "bad_request", f"style_preset: {preset} is not accepted here")
        seed = int(fields.get("seed") or 0) or random.randrange(1, 2**32 - 1)
        self.requests.append({**fields, "model": model, "endpoint": endpoint})
        self.count_creation(model)
        width, height = (int(part) * 16 for part in ratio.split(":"))
        image = png_bytes(width, height, seed=self.total_creations)
        finish = "CONTENT_FILTERED" if "FILTERED" in fields["prompt"] else "SUCCESS"
        return _answer(request, image, finish, seed)

    async def _tool(self, group: str, tool: str, request: Request) -> Response:
        if request.headers.get("authorization") != f"Bearer {self.api_key}":
            return error(401, "unauthorized", "Missing or invalid API key.")
        endpoint = f"{group}/{tool}"
        make = TOOLS.get(endpoint)
        if make is None:
            return error(404, "not_found", f"Unknown endpoint {endpoint}.")
        if not request.headers.get("content-type", "").startswith("multipart/form-data"):
            return error(400, "bad_request", "Content-Type must be multipart/form-data.")
        form = await read_form(endpoint, request)
        fault = self.take_fault("create")
        if fault is not None:
            return await self._fault(fault, endpoint)
        made = make(form)
        if isinstance(made, str):
            return error(400, "bad_request", made)
        self.tool_requests.append(form)
        self.count_creation(endpoint)
        seed = int(form.fields.get("seed") or 0) or random.randrange(1, 2**32 - 1)
        finish = "CONTENT_FILTERED" if "FILTERED" in form.fields.get("prompt", "") else "SUCCESS"
        return _answer(request, made, finish, seed)

    async def _fault(self, fault: Fault, model: str) -> Response:
        if fault.kind == "rate_limit":
            return error(
                429,
                "rate_limit_exceeded",
                "You have exceeded the rate limit of 150 requests within a 10 second period.",
                {"retry-after": f"{fault.retry_after:g}"},
            )
        if fault.kind == "moderation":
            return error(
                403,
                "content_moderation",
                "Your request was flagged by our content "
                "moderation system, as a result your request was denied and you were "
                "not charged.",
            )
        if fault.kind == "bad_key":
            return error(401, "unauthorized", "Missing or invalid API key.")
        if fault.kind == "no_credit":
            return error(
                402,
                "payment_required",
                "You lack sufficient credits to make this "
                "request. Please purchase more credits and try again.",
            )
        if fault.kind in ("hang", "malformed_json"):
            return await self.broken_answer(fault, model, '{"image": "iVBORw0KGgo')
        if fault.kind == "unavailable":
            return error(503, "service_unavailable", "The service is temporarily unavailable.")
        return error(500, "internal_error", "An unexpected server error has occurred.")


def _answer(request: Request, image: bytes, finish: str, seed: int) -> Response:
    """``Accept: application/json``: base64 ``image``, ``finish_reason`` and ``seed``;
    otherwise the image itself with ``finish-reason`` and ``seed`` headers."""
    if "application/json" in request.headers.get("accept", ""):
        return JSONResponse(
            {"image": base64.b64encode(image).decode(), "finish_reason": finish, "seed": seed}
        )
    headers = {"finish-reason": finish, "seed": str(seed)}
    return Response(image, media_type="image/png", headers=headers)
