"""The Gemini API on loopback, as Google serves it in late 2026 (``google-genai`` 3.6.1).

* ``POST /{v1beta,v1}/models/{model}:generateContent`` for the Gemini image models, each
  with its rules: aspect ratios (ten for Gemini 3 Pro Image, fourteen for the 3.1 Flash
  family), ``imageSize`` 1K/2K/4K (1K only for Flash-Lite Image), at most 14 reference
  images. An answer holds a thought part first (Gemini 3 Pro Image also an interim
  thought image), then text and the final image, and ``usageMetadata`` with per-modality
  token details and ``thoughtsTokenCount``. Output tokens per image follow Google's
  model pages (1120 for a 1K image; Pro 2000 at 4K; the Flash models 1680 at 2K and
  2520 at 4K); the rest are emulator constants.
* A model Google does not serve (Imagen, ``gemini-2.5-flash-image``, the Gemini 3
  ``-preview`` ids, anything withdrawn) is a 404 ``NOT_FOUND`` in Google's words.
* ``GET /{version}/models`` lists what is served, in pages (``pageSize``, ``pageToken``,
  ``nextPageToken``), with ``supportedGenerationMethods``; ``GET /{version}/models/{m}``
  answers one. ``serve()`` and ``withdraw()`` change the list, to plant drift.

Errors use Google's RPC shape ``{"error": {code, message, status[, details]}}``; a bad key
is a 400 ``INVALID_ARGUMENT`` with reason ``API_KEY_INVALID``. A prompt containing
``TEXT ONLY`` makes the model answer with words and no image; ``WITHHOLD`` makes it
withhold the image with ``finishReason: IMAGE_SAFETY``. The text models stream through
``:streamGenerateContent?alt=sse`` (`emulators.gemini_text`).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse, Response

from emulators._base import Emulator, Fault, png_bytes
from emulators.gemini_text import GeminiTextStreaming

RATIOS = frozenset({"1:1", "2:3", "3:2", "3:4", "4:3", "4:5", "5:4", "9:16", "16:9", "21:9"})
WIDE_RATIOS = RATIOS | {"1:4", "4:1", "1:8", "8:1"}
SCALE = {"1K": 1, "2K": 2, "4K": 4}
"""How much larger than a 1K picture the emulator draws each image size."""
MAX_REFERENCES = 14
IMAGE_INPUT_TOKENS = 1120
"""Input tokens per reference image (Gemini 3's default media resolution for images)."""
THOUGHT_TOKENS = 240
TEXT_ANSWER = "Here is the image you asked for."
TEXT_ANSWER_TOKENS = 8
_ERROR_INFO = "type.googleapis.com/google.rpc.ErrorInfo"


@dataclass(frozen=True)
class ImageModel:
    ratios: frozenset[str]
    output_tokens: dict[str, int]
    """Output tokens of one image, by ``imageSize``; the keys are the sizes it takes."""
    display_name: str
    interim_image: bool = False
    """Whether its thinking shows an interim draft image, as Gemini 3 Pro Image's does."""


IMAGE_MODELS = {
    "gemini-3-pro-image": ImageModel(
        RATIOS, {"1K": 1120, "2K": 1120, "4K": 2000}, "Nano Banana Pro", interim_image=True
    ),
    "gemini-nano-banana-2.1": ImageModel(
        WIDE_RATIOS, {"1K": 1120, "2K": 1680, "4K": 2520}, "Nano Banana 2.1"
    ),
    "gemini-3.1-flash-image": ImageModel(
        WIDE_RATIOS, {"1K": 1120, "2K": 1680, "4K": 2520}, "Nano Banana 2"
    ),
    "gemini-3.1-flash-lite-image": ImageModel(WIDE_RATIOS, {"1K": 1120}, "Nano Banana 2 Lite"),
}
"""The image models Google serves, with their rules."""
TEXT_METHODS = ("generateContent", "countTokens", "createCachedContent", "batchGenerateContent")
IMAGE_METHODS = ("generateContent", "countTokens", "batchGenerateContent")
SERVED: dict[str, tuple[str, tuple[str, ...]]] = {
    **{m: (rules.display_name, IMAGE_METHODS) for m, rules in IMAGE_MODELS.items()},
    # Not image models: listed by models.list, never reported as missing from Easel.
    "gemini-3.8-flash": ("Gemini 3.8 Flash", TEXT_METHODS),
    "gemini-3.6-flash": ("Gemini 3.6 Flash", TEXT_METHODS),
    "gemini-3.5-flash-lite": ("Gemini 3.5 Flash-Lite", TEXT_METHODS),
    "gemini-3.1-pro-preview": ("Gemini 3.1 Pro Preview", TEXT_METHODS),
    "gemini-omni-1.2-flash": ("Gemini Omni 1.2 Flash", ("generateContent",)),
    "gemini-embedding-001": ("Gemini Embedding 001", ("embedContent", "countTextTokens")),
    "gemma-4-31b-it": ("Gemma 4 31B IT", ("generateContent", "countTokens")),
}
"""What ``models.list`` answers by default: display name and generation methods."""
DEFAULT_PAGE_SIZE = 50


def rpc_error(
    code: int, status: str, message: str, details: list[dict[str, Any]] | None = None
) -> JSONResponse:
    error: dict[str, Any] = {"code": code, "message": message, "status": status}
    if details:
        error["details"] = details
    return JSONResponse({"error": error}, code)


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


def not_found(model: str, version: str, method: str) -> JSONResponse:
    """Google's answer for a model it does not serve (a retired id, say)."""
    return rpc_error(
        404,
        "NOT_FOUND",
        f"models/{model} is not found for API version {version}, or is not supported for "
        f"{method}. Call ListModels to see the list of available models and their "
        "supported methods.",
    )


def image_size(ratio: str, size: str = "1K") -> tuple[int, int]:
    """A small image with exactly the requested ratio: 16 px per ratio unit at 1K."""
    width, height = (int(part) * 16 * SCALE[size] for part in ratio.split(":"))
    return width, height


def usage_for(prompt: str, references: int, image_tokens: int) -> dict[str, Any]:
    text_in = max(1, len(prompt) // 4)
    image_in = IMAGE_INPUT_TOKENS * references
    prompt_details = [{"modality": "TEXT", "tokenCount": text_in}]
    if references:
        prompt_details.append({"modality": "IMAGE", "tokenCount": image_in})
    candidates = TEXT_ANSWER_TOKENS + image_tokens
    return {
        "promptTokenCount": text_in + image_in,
        "candidatesTokenCount": candidates,
        "totalTokenCount": text_in + image_in + candidates + THOUGHT_TOKENS,
        "thoughtsTokenCount": THOUGHT_TOKENS,
        "promptTokensDetails": prompt_details,
        "candidatesTokensDetails": [
            {"modality": "TEXT", "tokenCount": TEXT_ANSWER_TOKENS},
            {"modality": "IMAGE", "tokenCount": image_tokens},
        ],
    }


def _inline(data: bytes, **extra: Any) -> dict[str, Any]:
    return {
        "inlineData": {"mimeType": "image/png", "data": base64.b64encode(data).decode()},
        **extra,
    }


class GeminiEmulator(GeminiTextStreaming, Emulator):
    name = "gemini"
    own_faults = ("mid_stream_error", "stall")

    def routes(self) -> None:
        self.setup_text()
        self.reference_counts: list[int] = []
        self.requests: list[dict[str, Any]] = []
        self.usages: list[dict[str, Any]] = []
        self.served: dict[str, tuple[str, tuple[str, ...]]] = dict(SERVED)
        self.max_page_size = 1000
        """Google's cap on ``pageSize``; lower it to make clients follow pages."""
        self.list_calls = 0
        # Easel uses v1beta as Google documents; google-genai 3.x defaults to v1.
        for version in ("v1beta", "v1"):
            self.app.add_api_route(f"/{version}/models", self._list, methods=["GET"])
            self.app.add_api_route(f"/{version}/models/{{target}}", self._get, methods=["GET"])
            self.app.add_api_route(f"/{version}/models/{{target}}", self._call, methods=["POST"])

    def easel_env(self) -> dict[str, str]:
        return {"GEMINI_API_KEY": self.api_key, "EASEL_PROVIDERS__GOOGLE__BASE_URL": self.base_url}

    # -- planting drift ----------------------------------------------------------------
    def serve(self, model: str, methods: tuple[str, ...] = IMAGE_METHODS) -> None:
        self.served[model] = (model, methods)

    def withdraw(self, model: str) -> None:
        self.served.pop(model, None)

    # -- the model list ----------------------------------------------------------------
    def _authorized(self, request: Request) -> bool:
        key = request.headers.get("x-goog-api-key") or request.query_params.get("key")
        return key == self.api_key

    def _model_object(self, model: str) -> dict[str, Any]:
        display, methods = self.served[model]
        return {
            "name": f"models/{model}",
            "version": "001",
            "displayName": display,
            "description": f"{display}, as served by the emulator.",
            "inputTokenLimit": 65536,
            "outputTokenLimit": 32768,
            "supportedGenerationMethods": list(methods),
            "temperature": 1,
            "topP": 0.95,
            "maxTemperature": 2,
            "thinking": True,
        }

    async def _list(self, request: Request) -> Response:
        if not self._authorized(request):
            return bad_key()
        self.list_calls += 1
        try:
            size = int(request.query_params.get("pageSize") or DEFAULT_PAGE_SIZE)
            start = int(request.query_params.get("pageToken") or 0)
        except ValueError:
            return rpc_error(400, "INVALID_ARGUMENT", "Invalid page token or page size.")
        size = max(1, min(size, self.max_page_size))
        names = list(self.served)
        body: dict[str, Any] = {
            "models": [self._model_object(m) for m in names[start : start + size]]
        }
        if start + size < len(names):
            body["nextPageToken"] = str(start + size)
        return JSONResponse(body)

    async def _get(self, target: str, request: Request) -> Response:
        if not self._authorized(request):
            return bad_key()
        if target not in self.served:
            return rpc_error(404, "NOT_FOUND", f"models/{target} is not found.")
        return JSONResponse(self._model_object(target))

    # -- generating ----------------------------------------------------------------------
    async def _call(self, target: str, request: Request) -> Response:
        model, _, method = target.partition(":")
        version = request.url.path.split("/")[1]
        if not self._authorized(request):
            return bad_key()
        rules = IMAGE_MODELS.get(model)
        text_model = model in self.served and "generateContent" in self.served[model][1]
        streamed = method == "streamGenerateContent" and text_model and rules is None
        if not streamed and (
            method != "generateContent" or rules is None or model not in self.served
        ):
            return not_found(model, version, method)
        try:
            body = await request.json()
        except ValueError:
            return rpc_error(400, "INVALID_ARGUMENT", "Invalid JSON payload received.")
        if streamed:
            return await self.stream_text(model, body, request)
        fault = self.take_fault("create")
        if fault is not None:
            return await self._fault(fault, model)
        return self._generate(model, rules, body)

    def _generate(self, model: str, rules: ImageModel, body: dict[str, Any]) -> Response:
        parts = [p for c in body.get("contents") or [] for p in c.get("parts") or []]
        prompt = " ".join(str(p["text"]) for p in parts if "text" in p)
        references = sum(1 for p in parts if "inlineData" in p)
        config = body.get("generationConfig") or {}
        image_config = config.get("imageConfig") or {}
        ratio = str(image_config.get("aspectRatio") or "1:1")
        size = str(image_config.get("imageSize") or "1K")
        if ratio not in rules.ratios:
            return rpc_error(400, "INVALID_ARGUMENT", f"Unsupported aspect ratio: {ratio}.")
        if size not in rules.output_tokens:
            return rpc_error(
                400, "INVALID_ARGUMENT", f"Image size {size} is not supported by models/{model}."
            )
        if references > MAX_REFERENCES:
            return rpc_error(
                400, "INVALID_ARGUMENT", f"At most {MAX_REFERENCES} images are allowed per request."
            )
        self.count_creation(model)  # billed by tokens, whatever comes back
        self.requests.append(body)
        self.reference_counts.append(references)
        modalities = [str(m).upper() for m in config.get("responseModalities") or ["TEXT", "IMAGE"]]
        candidate, image_tokens = self._candidate(rules, prompt, ratio, size, modalities)
        usage = usage_for(prompt, references, image_tokens)
        self.usages.append(usage)
        return JSONResponse(
            {
                "candidates": [candidate],
                "usageMetadata": usage,
                "modelVersion": model,
                "responseId": f"emu-{self.total_creations}",
            }
        )

    def _candidate(
        self, rules: ImageModel, prompt: str, ratio: str, size: str, modalities: list[str]
    ) -> tuple[dict[str, Any], int]:
        """The answer's candidate and the image tokens it bills."""
        if "WITHHOLD" in prompt:
            return {"finishReason": "IMAGE_SAFETY", "index": 0}, 0
        parts: list[dict[str, Any]] = [{"text": "Composing the scene.", "thought": True}]
        if rules.interim_image:
            parts.append(_inline(png_bytes(8, 8, seed=0), thought=True))
        if "TEXT ONLY" in prompt or "IMAGE" not in modalities:
            parts.append({"text": "I can describe it instead: a quiet harbour at dawn."})
            return _stop(parts), 0
        parts.append({"text": TEXT_ANSWER})
        data = png_bytes(*image_size(ratio, size), seed=self.total_creations)
        parts.append(_inline(data, thoughtSignature=base64.b64encode(b"sig").decode()))
        return _stop(parts), rules.output_tokens[size]

    async def _fault(self, fault: Fault, model: str) -> Response:
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
        if fault.kind == "no_credit":
            return rpc_error(
                429,
                "RESOURCE_EXHAUSTED",
                "You exceeded your current quota, please "
                "check your plan and billing details. * Quota exceeded for metric: "
                "generativelanguage.googleapis.com/generate_content_free_tier_"
                f"requests, limit: 0, model: {model}",
            )
        if fault.kind == "moderation":
            return JSONResponse(
                {
                    "promptFeedback": {"blockReason": "PROHIBITED_CONTENT"},
                    "usageMetadata": {"promptTokenCount": 12, "totalTokenCount": 12},
                }
            )
        if fault.kind == "bad_key":
            return bad_key()
        if fault.kind in ("hang", "malformed_json"):
            return await self.broken_answer(
                fault, model, '{"candidates": [{"content": {"parts": [{"inlineData": {"data": "iVBO'
            )
        if fault.kind == "unavailable":
            return rpc_error(503, "UNAVAILABLE", "The model is overloaded. Please try again later.")
        return rpc_error(500, "INTERNAL", "An internal error has occurred.")


def _stop(parts: list[dict[str, Any]]) -> dict[str, Any]:
    return {"content": {"role": "model", "parts": parts}, "finishReason": "STOP", "index": 0}
