"""Stability AI: Stable Image Core and Ultra (``POST /v2beta/stable-image/generate/{core|
ultra}``) and Stable Diffusion 3.5 Large, Large Turbo and Medium (``POST /v2beta/stable-
image/generate/sd3`` with a ``model`` field of ``sd3.5-large``, ``sd3.5-large-turbo`` or
``sd3.5-medium``), https://platform.stability.ai/docs/api-reference#tag/Generate.

Every endpoint takes multipart even without files. With ``Accept: image/*`` a 200 is the
raw image, and the outcome (``finish-reason``) and seed come as response headers.
Stability reports a moderation refusal as a 403, which is not a key problem.
Stability has no endpoint that lists models, so `easel models check` cannot ask it.
A negative prompt is not offered on Large Turbo, a distilled few-step model.
Wire details: https://platform.stability.ai/docs/api-reference

Operations on an image go to Stability's edit, upscale and control endpoints, each its
own catalog entry (one endpoint, one price): see `easel.providers._stability_tools`.
"""

from __future__ import annotations

import asyncio
from datetime import date
from decimal import Decimal
from typing import Any

import httpx
from pydantic import BaseModel, ValidationError

from easel.errors import (
    ContentRejected,
    InvalidOutput,
    ProviderAuthError,
    ProviderError,
    ProviderQuotaError,
)
from easel.providers._http import send
from easel.providers._stability_tools import SEED_MAX, TOOLS, tool_parts
from easel.providers.base import (
    Capabilities,
    Finished,
    GenerationRequest,
    ImageBytes,
    Lifecycle,
    ModelInfo,
    Outcome,
    Pricing,
    Provider,
    RunContext,
)

NAME = "Stability AI"
_KEY_HINT = "Check STABILITY_API_KEY (or EASEL_PROVIDERS__STABILITY__API_KEY) in the environment."
_RATIOS = ("1:1", "16:9", "9:16", "3:2", "2:3", "5:4", "4:5", "21:9", "9:21")
_PRESETS = (
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
)


PRICES = (
    "UNVERIFIED: credits x $0.01 at https://platform.stability.ai/pricing, as copied by "
    "third parties in 2025-26"
)
SD3 = "sd3"
"""The endpoint that serves every Stable Diffusion 3.5 model, named in a ``model`` field."""


def _model(
    remote: str,
    name: str,
    usd: str,
    description: str,
    styles: tuple[str, ...] = (),
    *,
    negative_prompt: bool = True,
) -> ModelInfo:
    family = remote if remote.startswith(SD3) else f"stable-image-{remote}"
    return ModelInfo(
        id=f"stability/{family}",
        name=name,
        provider="stability",
        remote_name=remote,
        description=description,
        capabilities=Capabilities(
            aspect_ratios=_RATIOS,
            ratio_only=True,
            seed=True,
            negative_prompt=negative_prompt,
            styles=styles,
            max_prompt_length=10000,
        ),
        pricing=Pricing(per_image=Decimal(usd), source=PRICES, as_of=date(2026, 11, 27)),
        lifecycle=Lifecycle(source="https://platform.stability.ai/docs/api-reference"),
    )


CORE = _model(
    "core",
    "Stable Image Core",
    "0.03",
    "Stability AI's fast, low-cost model; style presets such as photographic or anime.",
    _PRESETS,
)
ULTRA = _model(
    "ultra",
    "Stable Image Ultra",
    "0.08",
    "Stability AI's highest-quality model (SD3.5-based), for photorealism and detail.",
)
SD35_LARGE = _model(
    "sd3.5-large",
    "Stable Diffusion 3.5 Large",
    "0.065",
    "Stable Diffusion 3.5 Large (8B): detailed, varied images with strong prompt following.",
)
SD35_LARGE_TURBO = _model(
    "sd3.5-large-turbo",
    "Stable Diffusion 3.5 Large Turbo",
    "0.04",
    "SD 3.5 Large distilled to a few steps: much faster, a little less detail.",
    negative_prompt=False,
)
SD35_MEDIUM = _model(
    "sd3.5-medium",
    "Stable Diffusion 3.5 Medium",
    "0.035",
    "Stable Diffusion 3.5 Medium (2.5B): balanced quality at a low price.",
)


class _Finish(BaseModel):
    """What the response headers say about the result."""

    finish_reason: str = "SUCCESS"
    seed: int | None = None


class _ErrorBody(BaseModel):
    name: str = ""
    errors: list[str] = []


def _classify(response: httpx.Response, said: str) -> ProviderError | None:
    message = said.rstrip(".")
    status = response.status_code
    try:
        name = _ErrorBody.model_validate_json(response.content).name
    except ValidationError:
        name = ""
    if name == "content_moderation" or (status == 403 and "moderation" in message.lower()):
        return ContentRejected(
            f"{NAME}'s content moderation refused the request: {message}.",
            hint="Rephrase the prompt.",
            status_code=status,
        )
    if status in (401, 403):
        return ProviderAuthError(
            f"{NAME} rejected the API key ({status}): {message}.",
            hint=_KEY_HINT,
            status_code=status,
        )
    if status == 402 or name == "payment_required":
        return ProviderQuotaError(
            f"{NAME} has no credits left for this account: {message}.",
            hint="Buy credits at platform.stability.ai/account/credits.",
            status_code=status,
        )
    return None


class StabilityProvider(Provider):
    id = "stability"
    display_name = NAME
    key_env_vars = ("STABILITY_API_KEY",)
    default_base_url = "https://api.stability.ai"

    def models(self) -> list[ModelInfo]:
        return [CORE, ULTRA, SD35_LARGE, SD35_LARGE_TURBO, SD35_MEDIUM, *TOOLS]

    async def start(self, request: GenerationRequest, ctx: RunContext) -> Outcome:
        if request.operation == "generate":
            endpoint, parts = _generate_parts(request)
        else:  # the image (and mask) are encoded off the event loop
            endpoint, parts = await asyncio.to_thread(tool_parts, request)
        response = await send(
            ctx.http,
            "POST",
            f"{self.base_url}/v2beta/stable-image/{endpoint}",
            provider=NAME,
            classify=_classify,
            headers={"Authorization": f"Bearer {self.api_key}", "Accept": "image/*"},
            files=parts,
        )
        return _finished(response)


def _generate_parts(request: GenerationRequest) -> tuple[str, list[tuple[str, Any]]]:
    """``generate/{core|ultra|sd3}`` and its text fields."""
    fields = {
        "prompt": request.prompt,
        "aspect_ratio": request.aspect_ratio or "1:1",
        "output_format": "png",
    }
    if request.seed is not None:
        fields["seed"] = str(min(request.seed, SEED_MAX))
    if request.negative_prompt:
        fields["negative_prompt"] = request.negative_prompt
    if request.style:
        fields["style_preset"] = request.style
    endpoint = request.model.remote_name
    if endpoint.startswith(SD3):
        endpoint, fields["model"] = SD3, request.model.remote_name
    return f"generate/{endpoint}", [(key, (None, value)) for key, value in fields.items()]


def _finished(response: httpx.Response) -> Finished:
    """An ``Accept: image/*`` answer: the image itself, its outcome and seed in headers."""
    try:
        finish = _Finish.model_validate(
            {k.replace("-", "_"): v for k, v in response.headers.items()}
        )
    except ValidationError as exc:
        raise InvalidOutput(f"{NAME} sent an unreadable seed or finish-reason.") from exc
    if finish.finish_reason == "CONTENT_FILTERED":
        raise ContentRejected(
            f"{NAME}'s content filter withheld the image (finish-reason CONTENT_FILTERED).",
            hint="Rephrase the prompt.",
        )
    mime = response.headers.get("content-type", "").split(";")[0].strip()
    if finish.finish_reason != "SUCCESS" or not mime.startswith("image/"):
        raise InvalidOutput(
            f"{NAME} answered with {mime or 'no content type'} "
            f"(finish-reason {finish.finish_reason}) instead of an image."
        )
    return Finished((ImageBytes(response.content, mime),), seed=finish.seed)
