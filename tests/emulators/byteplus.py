"""BytePlus ModelArk's image API on loopback, close enough for the official SDK
(``byteplus-python-sdk-v2``, ``byteplussdkarkruntime.Ark``) to run against it.

* ``POST /api/v3/images/generations`` with ``Authorization: Bearer``: the Seedream
  models with their rules (https://docs.byteplus.com/en/docs/ModelArk/1824121): ``size``
  as a resolution label the model takes or ``WxH`` within its pixel range and an aspect
  ratio within 1:16 and 16:1; ``image`` as one or a list of data URLs or https URLs, at
  most 14 (10 on 4.0); reference images plus ``max_images`` at most 15;
  ``output_format`` only on 5.0; ``seed`` and ``guidance_scale`` refused (the 4.0-5.0
  models do not take them); ``response_format`` ``url`` (the default; a signed URL) or
  ``b64_json``. The answer is ``{model, created, data: [{url | b64_json, size,
  output_format}], usage: {generated_images, output_tokens, total_tokens}}``.
* A model the account cannot use (unknown, or withdrawn with ``withdraw()``) is a 404
  ``InvalidEndpoint.NotFound``; a bad parameter a 400 ``InvalidParameter``; both in
  ModelArk's ``{"error": {code, message, param, type}}`` shape
  (https://docs.byteplus.com/en/docs/ModelArk/1299023).
* A prompt containing ``FLAG OUTPUT`` gets a 200 whose one ``data`` item is an
  ``OutputImageSensitiveContentDetected`` error, as ModelArk reports a refused output.

Faults, create stage: ``rate_limit`` 429 + Retry-After, ``server_error`` 500,
``unavailable`` 503, ``hang`` and ``malformed_json`` (generated and billed, then no or a
broken answer), ``moderation`` 400 ``InputTextSensitiveContentDetected``, ``bad_key``
401 ``AuthenticationError``, ``no_credit`` 403 ``AccountOverdueError``. Download faults
apply to ``url`` answers.
"""

from __future__ import annotations

import base64
import time
import uuid
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse, Response

from emulators._base import Emulator, Fault, png_bytes


@dataclass(frozen=True)
class Seedream:
    labels: dict[str, int]
    """Resolution labels and the square side each makes."""
    min_pixels: int
    max_pixels: int
    references: int
    output_format: bool
    """Whether ``output_format`` (png or jpeg) is taken."""


FIVE = Seedream({"2K": 2048, "3K": 3072}, 3_686_400, 10_404_496, 14, True)
MODELS = {
    "seedream-5-0-260128": FIVE,
    "seedream-5-0-lite-260128": FIVE,
    "seedream-4-5-251128": Seedream({"2K": 2048, "4K": 4096}, 3_686_400, 16_777_216, 14, False),
    "seedream-4-0-250828": Seedream(
        {"1K": 1024, "2K": 2048, "4K": 4096}, 921_600, 16_777_216, 10, False
    ),
}
FIELDS = {
    "model",
    "prompt",
    "image",
    "response_format",
    "size",
    "seed",
    "guidance_scale",
    "watermark",
    "optimize_prompt",
    "optimize_prompt_options",
    "sequential_image_generation",
    "sequential_image_generation_options",
    "tools",
    "output_format",
    "layer_decomposition",
    "stream",
}
"""Every field the official SDK may send; it sends unset ones as null."""
TOKENS_PER_IMAGE = 16384
"""Output tokens ModelArk counts per generated image (an emulator constant)."""
BROKEN = '{"model": "seedream-5-0-260128", "created": 17, "data": [{"b64_json": "iVBO'


class Invalid(Exception):
    def __init__(self, message: str, param: str) -> None:
        super().__init__(message)
        self.param = param


def error(status: int, code: str, message: str, type_: str, param: str = "") -> JSONResponse:
    request_id = uuid.uuid4().hex[:24]
    body = {"code": code, "message": f"{message} Request id: {request_id}", "param": param}
    return JSONResponse({"error": {**body, "type": type_}}, status)


class BytePlusEmulator(Emulator):
    name = "byteplus"

    def __init__(self, *, api_key: str = "test-key") -> None:
        self.requests: list[dict[str, Any]] = []
        self.served: set[str] = set(MODELS)
        super().__init__(api_key=api_key)
        self.state.url_ttl = 24 * 3600.0

    def easel_env(self) -> dict[str, str]:
        return {
            "ARK_API_KEY": self.api_key,
            "EASEL_PROVIDERS__BYTEPLUS__BASE_URL": f"{self.base_url}/api/v3",
        }

    def routes(self) -> None:
        self.app.add_api_route("/api/v3/images/generations", self._generate, methods=["POST"])

    def withdraw(self, model: str) -> None:
        self.served.discard(model)

    def serve(self, model: str) -> None:
        self.served.add(model)

    async def _generate(self, request: Request) -> Response:
        fault = self.take_fault("create")
        if request.headers.get("authorization") != f"Bearer {self.api_key}" or (
            fault and fault.kind == "bad_key"
        ):
            return error(
                401,
                "AuthenticationError",
                "The API key or AK/SK in the request is missing or invalid.",
                "Unauthorized",
            )
        body = {k: v for k, v in (await request.json()).items() if v is not None}
        model = str(body.get("model", ""))
        if model not in self.served or model not in MODELS:
            return error(
                404,
                "InvalidEndpoint.NotFound",
                "The request targeted an endpoint that does not exist or is invalid.",
                "NotFound",
            )
        if fault is not None:
            return await self._fault(fault, model)
        try:
            width, height = _check(MODELS[model], body)
        except Invalid as problem:
            return error(400, "InvalidParameter", str(problem), "BadRequest", problem.param)
        self.requests.append(body)
        return self._answer(model, body, width, height)

    def _answer(self, model: str, body: dict[str, Any], width: int, height: int) -> Response:
        created = int(time.time())
        if "FLAG OUTPUT" in body["prompt"]:
            item: dict[str, Any] = {
                "error": {
                    "code": "OutputImageSensitiveContentDetected",
                    "message": "The request failed because the output image may contain "
                    "sensitive information.",
                }
            }
            usage = {"generated_images": 0, "output_tokens": 0, "total_tokens": 0}
            return JSONResponse(
                {"model": model, "created": created, "data": [item], "usage": usage}
            )
        self.count_creation(model)
        fmt = str(body.get("output_format", "jpeg"))
        picture = png_bytes(width // 32, height // 32, seed=self.total_creations, fmt=fmt.upper())
        item = {"size": f"{width}x{height}"}
        if MODELS[model].output_format:
            item["output_format"] = fmt
        if body.get("response_format", "url") == "b64_json":
            item["b64_json"] = base64.b64encode(picture).decode()
        else:
            item["url"] = self.publish_file(picture, f"image/{fmt}", fmt)
        usage = {
            "generated_images": 1,
            "output_tokens": TOKENS_PER_IMAGE,
            "total_tokens": TOKENS_PER_IMAGE,
        }
        return JSONResponse({"model": model, "created": created, "data": [item], "usage": usage})

    async def _fault(self, fault: Fault, model: str) -> Response:
        if fault.kind == "rate_limit":
            response = error(
                429,
                "RateLimitExceeded.EndpointIPMExceeded",
                "The Images Per Minute (IPM) limit of the associated endpoint for your "
                "account has been exceeded.",
                "TooManyRequests",
            )
            response.headers["retry-after"] = f"{fault.retry_after:g}"
            return response
        if fault.kind == "moderation":
            return error(
                400,
                "InputTextSensitiveContentDetected",
                "The request failed because the input text may contain sensitive information.",
                "BadRequest",
            )
        if fault.kind == "no_credit":
            return error(
                403,
                "AccountOverdueError",
                "The request failed because your account has an overdue balance.",
                "Forbidden",
            )
        if fault.kind in ("hang", "malformed_json"):
            return await self.broken_answer(fault, model, BROKEN)
        if fault.kind == "unavailable":
            return error(
                503, "ServiceUnavailable", "The service is temporarily unavailable.", "Unavailable"
            )
        return error(
            500,
            "InternalServiceError",
            "The service encountered an unexpected internal error.",
            "InternalServerError",
        )


def _check(seedream: Seedream, body: dict[str, Any]) -> tuple[int, int]:
    """The output size, or an Invalid naming the parameter BytePlus would refuse."""
    if not isinstance(body.get("prompt"), str) or not body["prompt"].strip():
        raise Invalid("The parameter `prompt` is required.", "prompt")
    unknown = sorted(set(body) - FIELDS)
    if unknown:
        raise Invalid(f"The parameter `{unknown[0]}` is not supported.", unknown[0])
    for name in ("seed", "guidance_scale", "stream"):
        if name in body and body[name] is not False:
            raise Invalid(f"The parameter `{name}` is not supported by this model.", name)
    if "output_format" in body and (
        not seedream.output_format or body["output_format"] not in ("png", "jpeg")
    ):
        raise Invalid("The parameter `output_format` specified is not valid.", "output_format")
    if body.get("response_format", "url") not in ("url", "b64_json"):
        raise Invalid("The parameter `response_format` specified is not valid.", "response_format")
    references = _references(seedream, body.get("image"))
    _check_group(body, references)
    return _size(seedream, str(body.get("size", "2048x2048")))


def _references(seedream: Seedream, image: Any) -> int:
    images = [] if image is None else image if isinstance(image, list) else [image]
    if len(images) > seedream.references:
        raise Invalid(f"At most {seedream.references} reference images are allowed.", "image")
    for item in images:
        if not isinstance(item, str) or not item.startswith(("data:image/", "https://")):
            raise Invalid("The parameter `image` must be a URL or a base64 data URL.", "image")
        if item.startswith("data:") and item.split(";")[0] != item.split(";")[0].lower():
            raise Invalid("The image format in a data URL must be lowercase.", "image")
    return len(images)


def _check_group(body: dict[str, Any], references: int) -> None:
    mode = body.get("sequential_image_generation", "disabled")
    if mode not in ("auto", "disabled"):
        raise Invalid("The parameter `sequential_image_generation` is not valid.", mode)
    options = body.get("sequential_image_generation_options") or {}
    wanted = int(options.get("max_images", 15)) if mode == "auto" else 1
    if not 1 <= wanted <= 15 or references + wanted > 15:
        raise Invalid("Reference images plus generated images may be at most 15.", "image")


def _size(seedream: Seedream, size: str) -> tuple[int, int]:
    if size in seedream.labels:
        return seedream.labels[size], seedream.labels[size]
    try:
        width, height = (int(side) for side in size.lower().split("x"))
    except ValueError:
        raise Invalid(f"The parameter `size` specified ({size}) is not valid.", "size") from None
    if not seedream.min_pixels <= width * height <= seedream.max_pixels:
        raise Invalid(
            f"The size {size} is outside [{seedream.min_pixels}, {seedream.max_pixels}] pixels.",
            "size",
        )
    if max(width, height) > 16 * min(width, height):
        raise Invalid(f"The size {size} has an aspect ratio beyond 1:16.", "size")
    return width, height
