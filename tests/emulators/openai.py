"""OpenAI's Images API on loopback, as it stands in late 2026 (``openai`` SDK 3.57.0).

* ``POST /v1/images/generations`` (JSON) and ``/v1/images/edits`` (multipart, ``image[]``)
  for the GPT image models, each with its parameter rules: any size within the pixel and
  edge limits for gpt-image-2 and 2.5 (edges multiples of 16, long edge at most 3840 and
  3x the short one, 655,360 to 8,294,400 pixels), the three standard sizes for the
  others; ``xhigh``/``max`` quality only on 2.5; no transparent background on
  gpt-image-2, and transparency only as png or webp; ``input_fidelity`` refused by the
  2.x models; ``response_format`` refused (GPT image models always answer base64).
* Answers are base64 in the requested ``output_format`` with a ``usage`` block; with
  ``stream`` they are SSE partial images, then the completed image. Each partial image
  adds 100 output tokens, as OpenAI bills them.
* A model id the account cannot use (retired ``dall-e-3``, ``gpt-image-1`` …) is a 404
  ``model_not_found``, as OpenAI answers it.
* ``GET /v1/models`` lists what is served, with ``shutdown_date`` where announced;
  ``serve()`` and ``withdraw()`` change that list, to plant drift.

* ``/v1/images/edits`` takes a ``mask``: a PNG of the first image's dimensions whose
  fully transparent pixels mark the area to edit (``image_edit_params.py``, ``mask``); a
  mask without transparency or of another size is refused with a 400 ``param: mask``.
  The edit it answers is deliberately sloppy, as a model that reads the mask only as
  guidance: the whole first image comes back re-rendered (brighter, at the size asked
  for) with the masked area painted magenta, so only compositing restores the rest.

Errors use OpenAI's ``{"error": {message, type, param, code}}`` shape. A streamed prompt
containing ``CUT STREAM`` breaks the connection after the first partial image.
"""

from __future__ import annotations

import base64
import io
import json
import os
import re
import struct
import time
import zlib
from collections.abc import AsyncIterator
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from PIL import Image
from starlette.datastructures import UploadFile

from emulators._base import Emulator, Fault, png_bytes

FREE_SIZES = {"gpt-image-2", "gpt-image-2.5-sunburst", "gpt-image-2.5-flare"}
TOP_QUALITIES = {"gpt-image-2.5-sunburst", "gpt-image-2.5-flare"}
NO_FIDELITY = {"gpt-image-2", "gpt-image-2.5-sunburst", "gpt-image-2.5-flare"}
NO_TRANSPARENCY = {"gpt-image-2"}
STANDARD_SIZES = ("1024x1024", "1536x1024", "1024x1536")
DEPRECATED = "2026-12-01"
SERVED: dict[str, str | None] = {
    "gpt-image-2.6-sunburst": None,
    "gpt-image-2.6-flare": None,
    "gpt-image-2.5-sunburst": None,
    "gpt-image-2.5-sunburst-2026-09-08": None,
    "gpt-image-2.5-flare": None,
    "gpt-image-2.5-flare-2026-09-08": None,
    "gpt-image-2": None,
    "gpt-image-2-2026-04-21": None,
    "gpt-image-1.5": DEPRECATED,
    "gpt-image-1.5-2025-12-16": DEPRECATED,
    "gpt-image-1-mini": DEPRECATED,
    "chatgpt-image-latest": DEPRECATED,
    # Not image models: listed by /v1/models, never reported as missing from Easel.
    "gpt-6.1-sol": None,
    "gpt-5": "2026-12-11",
    "whisper-1": None,
    "text-embedding-3-small": None,
}
"""What ``GET /v1/models`` lists by default: OpenAI's models as of November 2026."""
# Output tokens of a 1024x1024 image per quality (emulator constants near OpenAI's
# calculator for gpt-image-2); other sizes scale with their pixel count.
OUTPUT_TOKENS = {"low": 196, "medium": 1756, "high": 7024, "xhigh": 10000, "max": 14000}
PARTIAL_IMAGE_TOKENS = 100
IMAGE_INPUT_TOKENS = 323
"""Input tokens billed per reference image (an emulator constant)."""
FORMATS = {"png": "PNG", "webp": "WEBP", "jpeg": "JPEG"}
SNAPSHOT = re.compile(r"^(.+)-\d{4}-\d{2}-\d{2}$")
MAGENTA = (255, 0, 255)
SLOPPY_LIFT = 40
"""How much brighter the emulated edit re-renders the pixels it was told to keep."""


def error(
    status: int,
    message: str,
    type_: str,
    code: str | None = None,
    param: str | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body = {"error": {"message": message, "type": type_, "param": param, "code": code}}
    return JSONResponse(body, status, headers=headers)


def invalid(message: str, param: str, code: str = "invalid_value") -> JSONResponse:
    return error(400, message, "invalid_request_error", code, param)


def noise_png(width: int, height: int) -> bytes:
    """An incompressible image, as big as a real partial image is relative to its size."""
    buffer = io.BytesIO()
    Image.frombytes("RGB", (width, height), os.urandom(width * height * 3)).save(buffer, "PNG")
    return buffer.getvalue()


def usage_for(
    prompt: str, quality: str, size: str, references: int, partials: int = 0
) -> dict[str, Any]:
    width, height = (int(side) for side in size.split("x"))
    base = OUTPUT_TOKENS.get(quality, OUTPUT_TOKENS["medium"])
    output = base * width * height // (1024 * 1024) + PARTIAL_IMAGE_TOKENS * partials
    text, image = max(1, len(prompt) // 4), IMAGE_INPUT_TOKENS * references
    return {
        "input_tokens": text + image,
        "input_tokens_details": {"text_tokens": text, "image_tokens": image},
        "output_tokens": output,
        "output_tokens_details": {"image_tokens": output, "text_tokens": 0},
        "total_tokens": text + image + output,
    }


def _open(data: bytes) -> Image.Image | None:
    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except Exception:  # anything unreadable is refused like OpenAI refuses it
        return None
    return image


def mask_problem(mask: bytes, first: bytes) -> str | None:
    """Why OpenAI would refuse this mask for this first image, or None."""
    opened, image = _open(mask), _open(first)
    if opened is None or opened.format != "PNG":
        return "Invalid mask image format - mask must be a valid PNG file."
    if image is not None and opened.size != image.size:
        return "Invalid mask image dimensions - the mask must match the image's dimensions."
    if "A" not in opened.getbands():
        return "Invalid mask image format - mask image missing alpha channel."
    return None


def sloppy_edit(first: bytes, mask: bytes, size: str, fmt: str) -> bytes:
    """The first image at ``size``, brighter everywhere, magenta where the mask is clear."""
    image, marks = _open(first), _open(mask)
    assert image is not None and marks is not None
    width, height = (int(side) for side in size.split("x"))
    lifted = image.convert("RGB").point(lambda v: min(255, v + SLOPPY_LIFT)).resize((width, height))
    clear = marks.getchannel("A").point(lambda a: 255 if a == 0 else 0).resize((width, height))
    lifted.paste(MAGENTA, (0, 0), clear)
    buffer = io.BytesIO()
    lifted.save(buffer, fmt)
    return buffer.getvalue()


def family(model: str) -> str:
    """A dated snapshot behaves as its model: ``gpt-image-2-2026-04-21`` → ``gpt-image-2``."""
    snapshot = SNAPSHOT.match(model)
    return snapshot.group(1) if snapshot else model


def size_problem(model: str, size: str) -> str | None:
    """Why OpenAI would refuse this size for this model, or None."""
    if size == "auto":
        return None
    if model not in FREE_SIZES:
        if size in STANDARD_SIZES:
            return None
        return f"Invalid value: '{size}'. Supported values are: " + ", ".join(
            f"'{s}'" for s in (*STANDARD_SIZES, "auto")
        )
    try:
        width, height = (int(side) for side in size.split("x"))
    except ValueError:
        return f"Invalid size '{size}': use WIDTHxHEIGHT."
    if width % 16 or height % 16:
        return f"Invalid size '{size}': width and height must both be divisible by 16."
    if max(width, height) > 3840:
        return f"Invalid size '{size}': the maximum edge length is 3840."
    if max(width, height) > 3 * min(width, height):
        return f"Invalid size '{size}': the aspect ratio must be between 1:3 and 3:1."
    if not 655_360 <= width * height <= 8_294_400:
        return f"Invalid size '{size}': the total pixels must be 655360 to 8294400."
    return None


def option_problem(model: str, body: dict[str, Any]) -> tuple[str, str] | None:
    """(param, message) for the first parameter OpenAI would refuse, or None."""
    qualities = {"low", "medium", "high", "auto"} | (
        {"xhigh", "max"} if model in TOP_QUALITIES else set()
    )
    quality = str(body.get("quality") or "auto")
    if quality not in qualities:
        return "quality", f"Invalid value: '{quality}'. Supported values are: {sorted(qualities)}."
    output_format = str(body.get("output_format") or "png")
    if output_format not in FORMATS:
        return "output_format", f"Invalid value: '{output_format}'."
    background = str(body.get("background") or "auto")
    if background not in ("auto", "opaque", "transparent"):
        return "background", f"Invalid value: '{background}'."
    if background == "transparent" and model in NO_TRANSPARENCY:
        return "background", f"Transparent backgrounds are not supported for {model}."
    if background == "transparent" and output_format == "jpeg":
        return "background", "Transparent backgrounds need output_format png or webp."
    if str(body.get("moderation") or "auto") not in ("auto", "low"):
        return "moderation", "Invalid value: moderation must be 'low' or 'auto'."
    fidelity = body.get("input_fidelity")
    if fidelity is not None and model in NO_FIDELITY:
        return "input_fidelity", f"input_fidelity is not supported for {model}; omit it."
    if fidelity is not None and fidelity not in ("high", "low"):
        return "input_fidelity", f"Invalid value: '{fidelity}'."
    if body.get("response_format") is not None:
        return "response_format", "response_format is not supported for GPT image models."
    if not 1 <= int(body.get("n") or 1) <= 10:
        return "n", "n must be between 1 and 10."
    if not 0 <= int(body.get("partial_images") or 0) <= 3:
        return "partial_images", "partial_images must be between 0 and 3."
    return None


class OpenAIEmulator(Emulator):
    name = "openai"
    own_faults = ("echo_auth",)
    full_size_results = False
    """Answer PNGs of the size asked for, as dense as a photo's, instead of small flat
    ones (a benchmark sets this to see what real answers cost)."""

    def routes(self) -> None:
        self.usages: list[dict[str, Any]] = []
        self.requests: list[dict[str, Any]] = []
        self.reference_counts: list[int] = []
        self.masks: list[bytes] = []
        """Each mask an edit received, as sent."""
        self.first_images: list[bytes] = []
        """The first ``image[]`` of each edit, as sent."""
        self.served: dict[str, str | None] = dict(SERVED)
        self.list_calls = 0
        self.streamed: dict[str, bool] = {}
        """Prompt → whether its GPT image request asked to stream partial images."""
        self.app.add_api_route("/v1/images/generations", self._generations, methods=["POST"])
        self.app.add_api_route("/v1/images/edits", self._edits, methods=["POST"])
        self.app.add_api_route("/v1/models", self._models, methods=["GET"])
        self.app.add_api_route("/v1/models/{model}", self._model, methods=["GET"])

    def _full_size(self, size: str) -> bytes:
        """A dense PNG of ``size``, painted once per size; each answer differs by a text
        chunk, so no two results share a hash (as no two generations do)."""
        cache: dict[str, bytes] = self.__dict__.setdefault("_noise", {})
        if size not in cache:
            cache[size] = noise_png(*(int(side) for side in size.split("x")))
        image, text = cache[size], b"Comment\0" + str(self.total_creations).encode()
        chunk = struct.pack(">I", len(text)) + b"tEXt" + text
        chunk += struct.pack(">I", zlib.crc32(chunk[4:]))
        return image[:33] + chunk + image[33:]  # after the signature and IHDR

    def easel_env(self) -> dict[str, str]:
        return {
            "OPENAI_API_KEY": self.api_key,
            "EASEL_PROVIDERS__OPENAI__BASE_URL": f"{self.base_url}/v1",
        }

    # -- planting drift ----------------------------------------------------------------
    def serve(self, model: str, shutdown_date: str | None = None) -> None:
        self.served[model] = shutdown_date

    def withdraw(self, model: str) -> None:
        self.served.pop(model, None)

    # -- the model list ----------------------------------------------------------------
    def _model_object(self, model: str) -> dict[str, Any]:
        return {
            "id": model,
            "object": "model",
            "created": 1776729600,
            "owned_by": "system",
            "shutdown_date": self.served[model],
        }

    async def _models(self, request: Request) -> Response:
        if request.headers.get("authorization") != f"Bearer {self.api_key}":
            return self._bad_key()
        self.list_calls += 1
        data = [self._model_object(m) for m in self.served]
        return JSONResponse({"object": "list", "data": data})

    async def _model(self, model: str, request: Request) -> Response:
        if request.headers.get("authorization") != f"Bearer {self.api_key}":
            return self._bad_key()
        if model not in self.served:
            return self._no_model(model)
        return JSONResponse(self._model_object(model))

    # -- images --------------------------------------------------------------------------
    async def _generations(self, request: Request) -> Response:
        if request.headers.get("authorization") != f"Bearer {self.api_key}":
            return self._bad_key()
        try:
            body = await request.json()
        except ValueError:
            return error(
                400, "We could not parse the JSON body of your request.", "invalid_request_error"
            )
        return await self._create(body, [], request.headers.get("authorization", ""))

    async def _edits(self, request: Request) -> Response:
        if request.headers.get("authorization") != f"Bearer {self.api_key}":
            return self._bad_key()
        form = await request.form()
        images = [
            f for f in form.getlist("image[]") + form.getlist("image") if isinstance(f, UploadFile)
        ]
        if not images:
            return invalid(
                "Missing required parameter: 'image'.", "image", "missing_required_parameter"
            )
        if len(images) > 16:
            return invalid("You can provide up to 16 images.", "image")
        fields = {k: v for k, v in form.items() if isinstance(v, str)}
        references = [await f.read() for f in images]
        mask_file = form.get("mask")
        mask = await mask_file.read() if isinstance(mask_file, UploadFile) else None
        if mask is not None:
            problem = mask_problem(mask, references[0])
            if problem:
                return invalid(problem, "mask")
            self.masks.append(mask)
        self.first_images.append(references[0])
        authorization = request.headers.get("authorization", "")
        return await self._create(fields, references, authorization, mask)

    def _check(self, body: dict[str, Any]) -> Response | None:
        """The refusal OpenAI would send for this body, or None."""
        model = str(body.get("model") or "")
        if not model:
            return invalid(
                "Missing required parameter: 'model'.", "model", "missing_required_parameter"
            )
        if model not in self.served or not model.startswith(("gpt-image-", "chatgpt-image-")):
            return self._no_model(model)
        rules = family(model)
        size = str(body.get("size") or "auto")
        problem = size_problem(rules, size)
        if problem:
            return invalid(problem, "size")
        refused = option_problem(rules, body)
        return invalid(refused[1], refused[0]) if refused else None

    async def _create(
        self,
        body: dict[str, Any],
        references: list[bytes],
        authorization: str,
        mask: bytes | None = None,
    ) -> Response:
        model = str(body.get("model") or "")
        fault = self.take_fault("create")
        if fault is not None:
            return await self._fault(fault, model, authorization)
        refused = self._check(body)
        if refused is not None:
            return refused
        self.count_creation(model)
        self.requests.append(dict(body))
        size = str(body.get("size") or "auto")
        size = "1024x1024" if size == "auto" else size
        quality = str(body.get("quality") or "auto")
        quality = "medium" if quality == "auto" else quality
        output_format = str(body.get("output_format") or "png")
        if self.full_size_results and output_format == "png":
            image = self._full_size(size)
        else:
            width, height = (int(side) // 16 for side in size.split("x"))
            image = png_bytes(width, height, seed=self.total_creations, fmt=FORMATS[output_format])
        if mask is not None:
            image = sloppy_edit(references[0], mask, size, FORMATS[output_format])
        prompt = str(body.get("prompt", ""))
        streaming = str(body.get("stream")).lower() == "true"
        partials = int(body.get("partial_images") or 0) if streaming else 0
        usage = usage_for(prompt, quality, size, len(references), partials)
        self.usages.append(usage)
        self.reference_counts.append(len(references))
        background = str(body.get("background") or "auto")
        meta = {
            "background": "opaque" if background == "auto" else background,
            "output_format": output_format,
            "quality": quality,
            "size": size,
        }
        self.streamed[prompt] = streaming
        if streaming:
            prefix = "image_edit" if references else "image_generation"
            return StreamingResponse(
                self._events(prefix, partials, image, meta, usage, cut="CUT STREAM" in prompt),
                media_type="text/event-stream",
            )
        data = [{"b64_json": base64.b64encode(image).decode()}]
        return JSONResponse({"created": int(time.time()), "data": data, **meta, "usage": usage})

    async def _events(
        self,
        prefix: str,
        partials: int,
        image: bytes,
        meta: dict[str, Any],
        usage: dict[str, Any],
        cut: bool,
    ) -> AsyncIterator[bytes]:
        created = {"created_at": int(time.time()), **meta}
        for index in range(partials):
            partial = noise_png(256, 256)  # real partials are full size: large
            yield _sse(
                f"{prefix}.partial_image",
                {
                    "partial_image_index": index,
                    "b64_json": base64.b64encode(partial).decode(),
                    **created,
                },
            )
            if cut:
                yield b'event: image_generation.partial_image\ndata: {"type": "image_gen'
                raise ConnectionAbortedError("emulated: the stream is cut mid-event")
        yield _sse(
            f"{prefix}.completed",
            {"b64_json": base64.b64encode(image).decode(), **created, "usage": usage},
        )

    def _no_model(self, model: str) -> JSONResponse:
        return error(
            404,
            f"The model `{model}` does not exist or you do not have access to it.",
            "invalid_request_error",
            "model_not_found",
        )

    def _bad_key(self) -> JSONResponse:
        return error(
            401,
            "Incorrect API key provided: sk-wrong. You can find your API key at "
            "https://platform.openai.com/account/api-keys.",
            "invalid_request_error",
            "invalid_api_key",
        )

    async def _fault(self, fault: Fault, model: str, authorization: str) -> Response:
        if fault.kind == "echo_auth":
            # A gateway in front of the API that quotes the request back in its error,
            # credentials and all: what Easel shows must not contain them.
            return error(
                502,
                f"Upstream request failed. Request headers: {{'authorization': "
                f"'{authorization}'}}; key {self.api_key[3:21]} on /srv/gateway/keys.json",
                "server_error",
            )
        wait = {
            "retry-after": f"{fault.retry_after:g}",
            "retry-after-ms": str(int(fault.retry_after * 1000)),
        }
        if fault.kind == "rate_limit":
            return error(
                429,
                f"Rate limit reached for {model} in organization org-emu on "
                "images per minute (IPM): Limit 5, Used 5, Requested 1.",
                "requests",
                "rate_limit_exceeded",
                headers=wait,
            )
        if fault.kind == "no_credit":
            return error(
                429,
                "You exceeded your current quota, please check your plan and billing details.",
                "insufficient_quota",
                "insufficient_quota",
            )
        if fault.kind == "moderation":
            return error(
                400,
                "Your request was rejected by the safety system. safety_violations=[sexual].",
                "image_generation_user_error",
                "moderation_blocked",
            )
        if fault.kind == "bad_key":
            return self._bad_key()
        if fault.kind in ("hang", "malformed_json"):
            return await self.broken_answer(
                fault, model, '{"created": 1731000000, "data": [{"b64_json": "iVBORw0KGgo'
            )
        if fault.kind == "unavailable":
            return error(
                503, "The engine is currently overloaded, please try again later.", "server_error"
            )
        return error(
            500,
            "The server had an error while processing your request. Sorry about that!",
            "server_error",
        )


def _sse(event: str, data: dict[str, Any]) -> bytes:
    return f"event: {event}\ndata: {json.dumps({'type': event, **data})}\n\n".encode()
