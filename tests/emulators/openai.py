"""OpenAI Images API emulator: ``/v1/images/generations`` and ``/v1/images/edits``.

DALL·E 3 answers with signed result URLs that expire; gpt-image-1 with base64, a
``usage`` block and, when asked to stream, SSE partial images. Errors use OpenAI's
``{"error": {message, type, param, code}}`` shape (PROTOCOLS.md §1). A streamed prompt
containing ``CUT STREAM`` breaks the connection after the first partial image.
"""

from __future__ import annotations

import base64
import io
import json
import os
import time
from collections.abc import AsyncIterator
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from PIL import Image
from starlette.datastructures import UploadFile

from emulators._base import Emulator, Fault, png_bytes

SIZES = {
    "dall-e-3": ("1024x1024", "1792x1024", "1024x1792"),
    "gpt-image-1": ("1024x1024", "1536x1024", "1024x1536"),
}
QUALITIES = {"dall-e-3": ("standard", "hd"), "gpt-image-1": ("low", "medium", "high", "auto")}
# Output tokens of a 1024² image per quality (PROTOCOLS.md §10); non-square costs 1.5×.
OUTPUT_TOKENS = {"low": 272, "medium": 1056, "high": 4160}
IMAGE_INPUT_TOKENS = 323
"""Input tokens billed per reference image (an emulator constant)."""


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


def noise_png(width: int, height: int) -> bytes:
    """An incompressible image, as big as a real partial image is relative to its size."""
    buffer = io.BytesIO()
    Image.frombytes("RGB", (width, height), os.urandom(width * height * 3)).save(buffer, "PNG")
    return buffer.getvalue()


def usage_for(prompt: str, quality: str, size: str, references: int) -> dict[str, Any]:
    output = OUTPUT_TOKENS.get(quality, OUTPUT_TOKENS["medium"])
    if size != "1024x1024":
        output = output * 3 // 2
    text, image = max(1, len(prompt) // 4), IMAGE_INPUT_TOKENS * references
    return {
        "input_tokens": text + image,
        "input_tokens_details": {"text_tokens": text, "image_tokens": image},
        "output_tokens": output,
        "output_tokens_details": {"image_tokens": output, "text_tokens": 0},
        "total_tokens": text + image + output,
    }


class OpenAIEmulator(Emulator):
    name = "openai"

    def routes(self) -> None:
        self.usages: list[dict[str, Any]] = []
        self.reference_counts: list[int] = []
        self.streamed: dict[str, bool] = {}
        """Prompt → whether its GPT image request asked to stream partial images."""
        self.app.add_api_route("/v1/images/generations", self._generations, methods=["POST"])
        self.app.add_api_route("/v1/images/edits", self._edits, methods=["POST"])

    def easel_env(self) -> dict[str, str]:
        return {
            "OPENAI_API_KEY": self.api_key,
            "EASEL_PROVIDERS__OPENAI__BASE_URL": f"{self.base_url}/v1",
        }

    async def _generations(self, request: Request) -> Response:
        if request.headers.get("authorization") != f"Bearer {self.api_key}":
            return self._bad_key()
        try:
            body = await request.json()
        except ValueError:
            return error(
                400, "We could not parse the JSON body of your request.", "invalid_request_error"
            )
        return await self._create(body, [])

    async def _edits(self, request: Request) -> Response:
        if request.headers.get("authorization") != f"Bearer {self.api_key}":
            return self._bad_key()
        form = await request.form()
        images = [
            f for f in form.getlist("image[]") + form.getlist("image") if isinstance(f, UploadFile)
        ]
        if not images:
            return error(
                400,
                "Missing required parameter: 'image'.",
                "invalid_request_error",
                "missing_required_parameter",
                "image",
            )
        fields = {k: v for k, v in form.items() if isinstance(v, str)}
        return await self._create(fields, [await f.read() for f in images])

    async def _create(self, body: dict[str, Any], references: list[bytes]) -> Response:
        model = str(body.get("model") or "dall-e-2")
        fault = self.take_fault("create")
        if fault is not None:
            return await self._fault(fault, model)
        if model not in SIZES:
            return error(
                404,
                f"The model '{model}' does not exist.",
                "invalid_request_error",
                "model_not_found",
                "model",
            )
        size = str(body.get("size") or "1024x1024")
        if size not in SIZES[model]:
            allowed = ", ".join(f"'{s}'" for s in SIZES[model])
            return error(
                400,
                f"Invalid value: '{size}'. Supported values are: {allowed}.",
                "invalid_request_error",
                "invalid_value",
                "size",
            )
        quality = str(body.get("quality") or ("standard" if model == "dall-e-3" else "auto"))
        if quality not in QUALITIES[model]:
            return error(
                400,
                f"Invalid value: '{quality}'.",
                "invalid_request_error",
                "invalid_value",
                "quality",
            )
        if int(body.get("n") or 1) != 1 and model == "dall-e-3":
            return error(
                400, "You must provide n=1 for this model.", "invalid_request_error", None, "n"
            )
        self.count_creation(model)
        width, height = (int(side) // 16 for side in size.split("x"))
        image = png_bytes(width, height, seed=self.total_creations)
        if model == "dall-e-3":
            item = {"revised_prompt": f"A detailed picture of {body.get('prompt')}"}
            if body.get("response_format") == "b64_json":
                item["b64_json"] = base64.b64encode(image).decode()
            else:
                item["url"] = self.publish_file(image, "image/png")
            return JSONResponse({"created": int(time.time()), "data": [item]})
        quality = "medium" if quality == "auto" else quality
        prompt = str(body.get("prompt", ""))
        usage = usage_for(prompt, quality, size, len(references))
        self.usages.append(usage)
        self.reference_counts.append(len(references))
        meta = {"background": "opaque", "output_format": "png", "quality": quality, "size": size}
        self.streamed[prompt] = str(body.get("stream")).lower() == "true"
        if self.streamed[prompt]:
            partials = int(body.get("partial_images") or 0)
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

    def _bad_key(self) -> JSONResponse:
        return error(
            401,
            "Incorrect API key provided: sk-wrong. You can find your API key at "
            "https://platform.openai.com/account/api-keys.",
            "invalid_request_error",
            "invalid_api_key",
        )

    async def _fault(self, fault: Fault, model: str) -> Response:
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
        if fault.kind == "moderation" and model == "dall-e-3":
            return error(
                400,
                "Your request was rejected as a result of our safety system. "
                "Your prompt may contain text that is not allowed by our safety "
                "system.",
                "invalid_request_error",
                "content_policy_violation",
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
                fault, model, '{"created": 1731000000, "data": [{"url": "https://oaidall'
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
