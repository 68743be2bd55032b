"""Recraft emulator: ``POST /v1/images/generations`` answering with expiring result URLs.

Like the real API, some errors are plain text (a bad key is ``401 text/plain "request
unauthorized"``) and others JSON ``{"code", "message"}``; models ending in ``_vector``
(and V3's vector styles) answer with SVG; ``size`` is ``WxH`` or an aspect ratio ``w:h``,
and vector models take only the latter (https://www.recraft.ai/docs/api-reference/appendix).
Recraft publishes no endpoint that lists models, so neither does this emulator. The JSON
error codes for an unknown model, moderation and credit are assumptions.

Operations on an image are multipart uploads (https://www.recraft.ai/docs/api-reference/
tools/…): ``imageToImage`` (``image``, ``prompt``, ``strength`` 0-1, ``model``) and
``inpaint`` (``image``, ``mask``, ``prompt``, ``model``; the mask greyscale, the image's
size, every pixel 0 or 255, sides 256-4096 px) answer ``{created, credits, data: [...]}``,
SVG for ``_vector`` models; ``removeBackground`` (transparent outside the subject),
``crispUpscale`` (sides 32-4096) and ``creativeUpscale`` (256-4096) answer one ``image``.
Both upscales double each side (Recraft does not document its factor: an assumption).
Missing or bad fields answer 400 ``{code, message}`` (the codes are assumptions). Every
request seen is in ``operations`` (endpoint, form fields, file bytes); faults apply at the
"create" stage as for generations.
"""

from __future__ import annotations

import io
import time
import uuid
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from PIL import Image, ImageChops, ImageDraw, UnidentifiedImageError
from starlette.datastructures import UploadFile

from emulators._base import Emulator, Fault, png_bytes

RATIOS = {
    "1:1": (1, 1),
    "2:1": (2, 1),
    "1:2": (1, 2),
    "3:2": (3, 2),
    "2:3": (2, 3),
    "4:3": (4, 3),
    "3:4": (3, 4),
    "5:4": (5, 4),
    "4:5": (4, 5),
    "6:10": (6, 10),
    "14:10": (14, 10),
    "10:14": (10, 14),
    "16:9": (16, 9),
    "9:16": (9, 16),
}
SIZES_1K = {
    "1:1": "1024x1024",
    "2:1": "1536x768",
    "1:2": "768x1536",
    "3:2": "1280x832",
    "2:3": "832x1280",
    "4:3": "1216x896",
    "3:4": "896x1216",
    "5:4": "1152x896",
    "4:5": "896x1152",
    "6:10": "832x1344",
    "14:10": "1280x896",
    "10:14": "896x1280",
    "16:9": "1344x768",
    "9:16": "768x1344",
}
SIZES_2K = {
    "1:1": "2048x2048",
    "2:1": "3072x1536",
    "1:2": "1536x3072",
    "3:2": "2560x1664",
    "2:3": "1664x2560",
    "4:3": "2432x1792",
    "3:4": "1792x2432",
    "5:4": "2304x1792",
    "4:5": "1792x2304",
    "6:10": "1664x2688",
    "14:10": "2560x1792",
    "10:14": "1792x2560",
    "16:9": "2688x1536",
    "9:16": "1536x2688",
}
SIZES_V3 = {
    "1:1": "1024x1024",
    "2:1": "2048x1024",
    "1:2": "1024x2048",
    "3:2": "1536x1024",
    "2:3": "1024x1536",
    "4:3": "1365x1024",
    "3:4": "1024x1365",
    "5:4": "1280x1024",
    "4:5": "1024x1280",
    "6:10": "1024x1707",
    "14:10": "1434x1024",
    "10:14": "1024x1434",
    "16:9": "1820x1024",
    "9:16": "1024x1820",
}
V4_FAMILY = ("recraftv4_1", "recraftv4_1_utility", "recraftv4")
MODELS: dict[str, dict[str, str] | None] = {
    # model -> its sizes by aspect ratio; None: a vector model, which takes only ratios.
    **{m: SIZES_1K for m in V4_FAMILY},
    **{f"{m}_pro": SIZES_2K for m in V4_FAMILY},
    **{f"{m}_vector": None for m in V4_FAMILY},
    **{f"{m}_pro_vector": None for m in V4_FAMILY},
    "recraftv3": SIZES_V3,
    "recraftv3_vector": None,
    "recraftv2": SIZES_V3,
    "recraftv2_vector": None,
}
STYLED = {"recraftv3", "recraftv3_vector", "recraftv2", "recraftv2_vector"}
"""Only the V2/V3 generation takes ``style``; V4 has separate Styles models."""
STYLES = {
    "any",
    "realistic_image",
    "digital_illustration",
    "vector_illustration",
    "logo_raster",
    "icon",
}
VECTOR_STYLES = {"vector_illustration", "icon"}
PAINT = (255, 0, 255)
"""What inpainting paints into the masked area, so a test can see where it went."""
TOOLS: dict[str, tuple[int, int]] = {
    # tools/upscale and tools/remove-background
    "removeBackground": (10, 0),
    "crispUpscale": (4, 32),
    "creativeUpscale": (250, 256),
}
"""Tool endpoints: (credits, smallest side accepted; 0: no bound beyond the image's)."""
SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16"><rect width="16" '
    b'height="16" fill="teal"/></svg>'
)


@dataclass
class Operation:
    """One operation request as Recraft received it."""

    endpoint: str
    fields: dict[str, str]
    files: dict[str, bytes]


class Refused(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.answer = json_error(400, code, message)


def _picture(data: bytes, name: str, low: int = 0) -> Image.Image:
    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except (UnidentifiedImageError, OSError) as exc:
        raise Refused("invalid_image", f"{name} is not a PNG, JPG or WEBP image") from exc
    high = 4096
    if low and not all(low <= side <= high for side in image.size):
        raise Refused("invalid_image_size", f"{name} sides must be between {low} and {high} px")
    return image


def _png(image: Image.Image) -> bytes:
    buf = io.BytesIO()
    image.save(buf, "PNG")
    return buf.getvalue()


def json_error(
    status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse({"code": code, "message": message}, status, headers=headers)


class RecraftEmulator(Emulator):
    name = "recraft"

    def routes(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.svg = SVG
        """What vector models draw; a test may plant a hostile document here."""
        self.operations: list[Operation] = []
        self.app.add_api_route("/v1/images/generations", self._generate, methods=["POST"])
        self.app.add_api_route("/v1/images/imageToImage", self._image_to_image, methods=["POST"])
        self.app.add_api_route("/v1/images/inpaint", self._inpaint, methods=["POST"])
        for tool in TOOLS:
            self.app.add_api_route(f"/v1/images/{tool}", self._tool, methods=["POST"])

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
        model = body.get("model", "recraftv4_1")
        if model not in MODELS:
            return json_error(400, "invalid_model", f"unknown model {model}")
        problem = self._refusal(model, body)
        if problem is not None:
            return problem
        self.requests.append(body)
        size, style = str(body.get("size", "1:1")), body.get("style", "any")
        data = []
        for _ in range(int(body.get("n", 1))):
            self.count_creation(model)
            if style in VECTOR_STYLES or model.endswith("_vector"):
                url = self.publish_file(self.svg, "image/svg+xml", "svg")
            else:
                pixels = MODELS[model] or {}
                width, height = (int(side) // 16 for side in pixels.get(size, size).split("x"))
                url = self.publish_file(
                    png_bytes(width, height, seed=self.total_creations), "image/png"
                )
            data.append({"image_id": str(uuid.uuid4()), "url": url})
        return JSONResponse({"created": int(time.time()), "credits": 40 * len(data), "data": data})

    # -- operations on an image ---------------------------------------------------------
    async def _receive(self, request: Request, needs: tuple[str, ...]) -> Operation | Response:
        """Auth, faults and the form of an operation: the Operation, or the answer."""
        if request.headers.get("authorization") != f"Bearer {self.api_key}":
            return PlainTextResponse("request unauthorized", 401)
        fault = self.take_fault("create")
        if fault is not None:
            return await self._fault(fault)
        form = await request.form()
        endpoint = request.url.path.rsplit("/", 1)[-1]
        operation = Operation(endpoint, {}, {})
        for key, value in form.multi_items():
            if isinstance(value, UploadFile):
                operation.files[key] = await value.read()
            else:
                operation.fields[key] = value
        for name in needs:
            if name not in operation.files and not operation.fields.get(name):
                return json_error(400, "missing_parameter", f"{name} is required")
        self.operations.append(operation)
        return operation

    async def _image_to_image(self, request: Request) -> Response:
        received = await self._receive(request, ("image", "prompt", "strength"))
        if isinstance(received, Response):
            return received
        try:
            strength = float(received.fields["strength"])
            if not 0 <= strength <= 1:
                raise ValueError(strength)
            image = _picture(received.files["image"], "image")
        except ValueError:
            return json_error(400, "invalid_parameter", "strength must be between 0 and 1")
        except Refused as refused:
            return refused.answer
        return self._drawn(received, ImageChops.invert(image.convert("RGB")))

    async def _inpaint(self, request: Request) -> Response:
        received = await self._receive(request, ("image", "mask", "prompt"))
        if isinstance(received, Response):
            return received
        try:
            image = _picture(received.files["image"], "image", low=256).convert("RGB")
            mask = _picture(received.files["mask"], "mask")
        except Refused as refused:
            return refused.answer
        if mask.mode not in ("L", "1") or mask.size != image.size:
            return json_error(
                400, "invalid_mask", "mask must be a grayscale image of the image's size"
            )
        if set(mask.convert("L").getdata()) - {0, 255}:
            return json_error(400, "invalid_mask", "mask pixels must be pure black or white")
        image.paste(PAINT, mask=mask.convert("L"))
        return self._drawn(received, image)

    def _drawn(self, received: Operation, image: Image.Image) -> Response:
        """The ``{created, credits, data}`` answer of imageToImage and inpaint."""
        model = received.fields.get("model", "recraftv4_1")
        if model not in MODELS:
            return json_error(400, "invalid_model", f"unknown model {model}")
        self.count_creation(model)
        if model.endswith("_vector"):
            url, units = self.publish_file(self.svg, "image/svg+xml", "svg"), 80
        else:
            url, units = self.publish_file(_png(image), "image/png"), 40
        data = [{"image_id": str(uuid.uuid4()), "url": url}]
        return JSONResponse({"created": int(time.time()), "credits": units, "data": data})

    async def _tool(self, request: Request) -> Response:
        received = await self._receive(request, ("image",))
        if isinstance(received, Response):
            return received
        units, low = TOOLS[received.endpoint]
        try:
            image = _picture(received.files["image"], "image", low=low)
        except Refused as refused:
            return refused.answer
        if received.endpoint == "removeBackground":
            result = _cut_out(image)
        else:
            result = image.convert("RGB").resize((image.width * 2, image.height * 2))
        self.count_creation(received.endpoint)
        answer = {
            "image_id": str(uuid.uuid4()),
            "url": self.publish_file(_png(result), "image/png"),
        }
        return JSONResponse({"created": int(time.time()), "credits": units, "image": answer})

    def _refusal(self, model: str, body: dict[str, Any]) -> Response | None:
        """Recraft's 400 for a size, style or parameter this model does not take."""
        sizes = MODELS[model]
        size = str(body.get("size", "1:1"))
        fits = size in RATIOS if sizes is None else size in sizes or size in sizes.values()
        if not fits:
            return json_error(400, "invalid_size", f"size {size} is not supported by {model}")
        style = body.get("style")
        if style is not None and (model not in STYLED or style not in STYLES):
            return json_error(400, "invalid_style", f"style {style} is not supported by {model}")
        if body.get("negative_prompt") and model not in STYLED:
            return json_error(
                400, "invalid_parameter", f"negative_prompt is not supported by {model}"
            )
        return None

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


def _cut_out(image: Image.Image) -> Image.Image:
    """The subject kept, the background made transparent: an ellipse inside a margin."""
    alpha = Image.new("L", image.size, 0)
    w, h = image.size
    ImageDraw.Draw(alpha).ellipse((w // 8, h // 8, w - w // 8, h - h // 8), fill=255)
    out = image.convert("RGBA")
    out.putalpha(alpha)
    return out
