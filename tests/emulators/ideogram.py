"""Ideogram emulator: 4.0 ``POST /v1/ideogram-v4/generate`` and 3.0 ``POST
/v1/ideogram-v3/generate`` (multipart only), and the legacy ``POST /generate`` (JSON
``image_request``), all answering with expiring URLs. 4.0 takes ``text_prompt``, one of 21
2K ``resolution`` values and TURBO/DEFAULT/QUALITY, and answers 400 to FLASH
(https://developer.ideogram.ai/api-reference/api-reference/generate-v4).

A prompt containing ``UNSAFE`` yields ``is_image_safe: false`` without a URL in a 200,
which Ideogram bills; a refused prompt is a 422 that is not billed (https://developer.ideogram.ai/api-reference).

Operations on images, multipart with an ``image`` file each, answering like generation:
Remix (``/v1/ideogram-v4/remix``: ``text_prompt``, 2K ``resolution``;
``/v1/ideogram-v3/remix``: ``prompt``, ``aspect_ratio``; both ``image_weight`` 1-100),
Inpaint (``/v1/ideogram-v3/inpaint``: a required ``mask`` of the image's size, black =
change, which the emulated model paints magenta), Reframe (``/v1/ideogram-v3/reframe``:
a required ``resolution``; the source scaled into it, centred) and Remove Background
(``/v1/remove-background``: the backdrop, the corner colour, made transparent). Sizes
follow the generate routes: 4.0's resolutions /32, 3.0's ratios x16; Inpaint, Reframe and
Remove Background answer at their real sizes.
"""

from __future__ import annotations

import io
import random
from datetime import UTC, datetime
from typing import Any

import numpy as np
from fastapi import Request
from fastapi.responses import JSONResponse, Response
from PIL import Image, UnidentifiedImageError
from starlette.datastructures import UploadFile

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
REFRAME_RESOLUTIONS = {
    *("1024x1024", "1152x896", "896x1152", "1216x832", "832x1216", "1344x768"),
    *("768x1344", "1536x640", "640x1536", "1280x800", "800x1280"),
}
V4_REMIX_FIELDS = {"text_prompt", "image_weight", "resolution", "rendering_speed"}
V3_REMIX_FIELDS = {"prompt", "image_weight", "seed", "aspect_ratio", "rendering_speed"}
V3_REMIX_FIELDS |= {"num_images", "negative_prompt", "magic_prompt", "style_type"}
INPAINT_FIELDS = {"prompt", "seed", "rendering_speed", "num_images", "magic_prompt"}
REFRAME_FIELDS = {"resolution", "seed", "rendering_speed", "num_images"}
MAGENTA = (255, 0, 255)


def error(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": message}, status, headers=headers)


class IdeogramEmulator(Emulator):
    name = "ideogram"

    def routes(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.app.add_api_route("/v1/ideogram-v4/generate", self._v4, methods=["POST"])
        self.app.add_api_route("/v1/ideogram-v3/generate", self._v3, methods=["POST"])
        self.app.add_api_route("/generate", self._legacy, methods=["POST"])
        self.images: list[bytes] = []
        """The ``image`` part of each operation, as received."""
        self.masks: list[bytes] = []
        """The ``mask`` part of each inpaint, as received."""
        self.paths: list[str] = []
        """The path of each operation received."""
        routes = {
            "/v1/ideogram-v4/remix": self._v4_remix,
            "/v1/ideogram-v3/remix": self._v3_remix,
            "/v1/ideogram-v3/inpaint": self._inpaint,
            "/v1/ideogram-v3/reframe": self._reframe,
            "/v1/remove-background": self._remove_background,
        }
        for path, handler in routes.items():
            self.app.add_api_route(path, handler, methods=["POST"])

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

    def _answer(
        self,
        model: str,
        fields: dict[str, Any],
        width: int,
        height: int,
        picture: bytes | None = None,
    ) -> Response:
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
            image = picture or png_bytes(width, height, seed=self.total_creations)
            item["url"] = self.publish_file(image, "image/png")
        created = datetime.now(UTC).isoformat()
        return JSONResponse({"created": created, "data": [item]})

    async def _operation(
        self, request: Request, model: str, allowed: set[str], *, files: tuple[str, ...] = ()
    ) -> tuple[dict[str, str], dict[str, Image.Image]] | Response:
        """The text fields and pictures of an operation, or Ideogram's answer refusing it."""
        if request.headers.get("api-key") != self.api_key:
            return error(401, "Invalid Api-Key header")
        if not request.headers.get("content-type", "").startswith("multipart/form-data"):
            return error(415, "This endpoint takes multipart/form-data")
        form = await request.form()
        fields = {k: v for k, v in form.items() if isinstance(v, str)}
        self.paths.append(request.url.path)
        fault = self.take_fault("create")
        if fault is not None:
            return await self._fault(fault, model)
        if unknown := set(fields) - allowed:
            return error(400, f"Unknown fields: {sorted(unknown)}")
        pictures: dict[str, Image.Image] = {}
        for name in ("image", *files):
            part = form.get(name)
            if not isinstance(part, UploadFile):
                return error(400, f"The {name} file is required")
            data = await part.read()
            try:
                with Image.open(io.BytesIO(data)) as opened:
                    pictures[name] = opened.convert("RGBA" if name == "image" else "L")
            except UnidentifiedImageError:
                return error(400, f"The {name} must be a JPEG, PNG or WebP image")
            (self.images if name == "image" else self.masks).append(data)
        weight = fields.get("image_weight", "50")
        if not weight.isdigit() or not 1 <= int(weight) <= 100:
            return error(400, f"image_weight must be an integer from 1 to 100: {weight}")
        speeds = V4_SPEEDS if model == "V_4" else SPEEDS
        if fields.get("rendering_speed", "DEFAULT") not in speeds:
            return error(400, f"Invalid rendering_speed: {fields['rendering_speed']}")
        return fields, pictures

    async def _v4_remix(self, request: Request) -> Response:
        return await self._remix(request, "V_4")

    async def _v3_remix(self, request: Request) -> Response:
        return await self._remix(request, "V_3")

    async def _remix(self, request: Request, model: str) -> Response:
        """4.0 takes ``text_prompt`` and a 2K ``resolution`` (answered /32), 3.0 ``prompt``
        and an ``aspect_ratio`` (answered x16)."""
        v4 = model == "V_4"
        taken = await self._operation(request, model, V4_REMIX_FIELDS if v4 else V3_REMIX_FIELDS)
        if isinstance(taken, Response):
            return taken
        fields, _ = taken
        prompt = fields.get("text_prompt" if v4 else "prompt")
        if not prompt:
            return error(400, f"{'text_prompt' if v4 else 'prompt'} is required")
        shape = fields.get("resolution", "2048x2048") if v4 else fields.get("aspect_ratio", "1x1")
        if shape not in (V4_RESOLUTIONS if v4 else V3_RATIOS):
            return error(400, f"Invalid {'resolution' if v4 else 'aspect_ratio'}: {shape}")
        width, height = (int(s) // 32 if v4 else int(s) * 16 for s in shape.split("x"))
        return self._answer(model, {**fields, "prompt": prompt}, width, height)

    async def _inpaint(self, request: Request) -> Response:
        taken = await self._operation(request, "V_3", INPAINT_FIELDS, files=("mask",))
        if isinstance(taken, Response):
            return taken
        fields, pictures = taken
        image, mask = pictures["image"], pictures["mask"]
        if not fields.get("prompt"):
            return error(400, "prompt is required")
        if mask.size != image.size:
            return error(400, f"The mask is {mask.size}, the image {image.size}: they must match")
        change = np.asarray(mask) < 128  # black = edit
        if not change.any() or change.all():
            return error(400, "The mask must mark an area in black and keep an area in white")
        out = np.asarray(image.convert("RGB")).copy()
        out[change] = MAGENTA
        return self._answer("V_3", fields, *image.size, picture=_png(Image.fromarray(out)))

    async def _reframe(self, request: Request) -> Response:
        taken = await self._operation(request, "V_3", REFRAME_FIELDS)
        if isinstance(taken, Response):
            return taken
        fields, pictures = taken
        resolution = fields.get("resolution")
        if resolution not in REFRAME_RESOLUTIONS:
            return error(400, f"resolution is required, one of Ideogram 3.0's: {resolution}")
        width, height = (int(side) for side in resolution.split("x"))
        source = pictures["image"].convert("RGB")
        scale = min(width / source.width, height / source.height)
        inner = source.resize((round(source.width * scale), round(source.height * scale)))
        canvas = Image.new("RGB", (width, height), MAGENTA)
        canvas.paste(inner, ((width - inner.width) // 2, (height - inner.height) // 2))
        return self._answer("V_3", fields, width, height, picture=_png(canvas))

    async def _remove_background(self, request: Request) -> Response:
        taken = await self._operation(request, "remove-background", set())
        if isinstance(taken, Response):
            return taken
        image = taken[1]["image"]
        pixels = np.asarray(image).copy()
        backdrop = pixels[0, 0, :3].astype(int)
        near = np.abs(pixels[..., :3].astype(int) - backdrop).max(axis=-1) < 24
        pixels[near, 3] = 0
        cutout = _png(Image.fromarray(pixels, "RGBA"))
        return self._answer("remove-background", {}, *image.size, picture=cutout)

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


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()
