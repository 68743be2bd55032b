"""Stability AI Stable Image Core and Ultra (``POST /v2beta/stable-image/generate/{core|ultra}``).

The endpoint takes multipart even without files. With ``Accept: image/*`` a 200 is the
raw image, and the outcome (``finish-reason``) and seed come as response headers.
Stability reports a moderation refusal as a 403, which is not a key problem.
Wire details: https://platform.stability.ai/docs/api-reference
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

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
from easel.providers.base import (
    Capabilities,
    Finished,
    GenerationRequest,
    ImageBytes,
    ModelInfo,
    Outcome,
    Pricing,
    Provider,
    RunContext,
)

NAME = "Stability AI"
_KEY_HINT = "Check STABILITY_API_KEY (or EASEL_PROVIDERS__STABILITY__API_KEY) in the environment."
_SEED_MAX = 4_294_967_294  # Stability's upper bound; 0 means "random"
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


def _model(
    remote: str, name: str, usd: str, description: str, styles: tuple[str, ...]
) -> ModelInfo:
    return ModelInfo(
        id=f"stability/stable-image-{remote}",
        name=name,
        provider="stability",
        remote_name=remote,
        description=description,
        capabilities=Capabilities(
            aspect_ratios=_RATIOS,
            ratio_only=True,
            seed=True,
            negative_prompt=True,
            styles=styles,
            max_prompt_length=10000,
        ),
        pricing=Pricing(
            per_image=Decimal(usd),
            source="credits × $0.01 from third-party reports, 2025–26 [3P, UNVERIFIED; see "
            "platform.stability.ai/pricing]",
            as_of=date(2026, 1, 1),
        ),
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
    (),
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
        return [CORE, ULTRA]

    async def start(self, request: GenerationRequest, ctx: RunContext) -> Outcome:
        fields = {
            "prompt": request.prompt,
            "aspect_ratio": request.aspect_ratio or "1:1",
            "output_format": "png",
        }
        if request.seed is not None:
            fields["seed"] = str(min(request.seed, _SEED_MAX))
        if request.negative_prompt:
            fields["negative_prompt"] = request.negative_prompt
        if request.style:
            fields["style_preset"] = request.style
        response = await send(
            ctx.http,
            "POST",
            f"{self.base_url}/v2beta/stable-image/generate/{request.model.remote_name}",
            provider=NAME,
            classify=_classify,
            headers={"Authorization": f"Bearer {self.api_key}", "Accept": "image/*"},
            files=[(key, (None, value)) for key, value in fields.items()],
        )
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
