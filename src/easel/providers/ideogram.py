"""Ideogram 3.0 (``POST /v1/ideogram-v3/generate``, multipart) and Ideogram 2.0 (legacy
``POST /generate``, JSON ``{"image_request": …}``). Both answer with result URLs.

The two versions spell aspect ratios differently (``16x9`` vs ``ASPECT_16_9``) and pick
speed differently (``rendering_speed`` vs a ``_TURBO`` model name); Easel calls both
"quality". An image withheld by the safety check comes back in a 200 with
``is_image_safe: false``, and Ideogram bills it. Wire details: https://developer.ideogram.ai/api-reference
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import httpx
from pydantic import BaseModel

from easel.errors import (
    ContentRejected,
    InvalidOutput,
    ProviderAuthError,
    ProviderError,
    ProviderQuotaError,
)
from easel.providers._http import parse_json, send
from easel.providers.base import (
    Capabilities,
    Finished,
    GenerationRequest,
    ImageURL,
    ModelInfo,
    Outcome,
    PriceRule,
    Pricing,
    Provider,
    RunContext,
)

NAME = "Ideogram"
_KEY_HINT = "Check IDEOGRAM_API_KEY (or EASEL_PROVIDERS__IDEOGRAM__API_KEY) in the environment."
_SEED_LIMIT = 2**31  # Ideogram takes seeds 0..2147483647
_RATIOS = ("1:1", "16:9", "9:16", "4:3", "3:4", "3:2", "2:3", "16:10", "10:16", "3:1", "1:3")
_SOURCE = "ideogram.ai/features/api-pricing [DOC]"
_AS_OF = date(2026, 11, 16)


def _prices(default: str, **by_quality: str) -> Pricing:
    rules = tuple(PriceRule(when={"quality": q}, usd=Decimal(usd)) for q, usd in by_quality.items())
    return Pricing(per_image=Decimal(default), rules=rules, source=_SOURCE, as_of=_AS_OF)


IDEOGRAM_3 = ModelInfo(
    id="ideogram/ideogram-v3",
    name="Ideogram 3.0",
    provider="ideogram",
    remote_name="V_3",
    description="Ideogram 3.0: the best at typography and posters. Quality picks the "
    "rendering speed (turbo, default, quality); Ideogram bills images its safety check "
    "withholds.",
    capabilities=Capabilities(
        aspect_ratios=(*_RATIOS, "2:1", "1:2", "4:5", "5:4"),
        ratio_only=True,
        seed=True,
        negative_prompt=True,
        text_rendering=True,
        styles=("auto", "general", "realistic", "design", "fiction"),
        qualities=("turbo", "default", "quality"),
    ),
    pricing=_prices("0.06", turbo="0.03", quality="0.09"),
)

IDEOGRAM_2 = ModelInfo(
    id="ideogram/ideogram-v2",
    name="Ideogram 2.0",
    provider="ideogram",
    remote_name="V_2",
    description="Ideogram 2.0 (legacy API): strong typography; quality turbo or default. "
    "Ideogram bills images its safety check withholds.",
    capabilities=Capabilities(
        aspect_ratios=_RATIOS,
        ratio_only=True,
        seed=True,
        negative_prompt=True,
        text_rendering=True,
        styles=("auto", "general", "realistic", "design", "render_3d", "anime"),
        qualities=("turbo", "default"),
    ),
    pricing=_prices("0.08", turbo="0.05"),
)


class _Image(BaseModel):
    url: str | None = None
    is_image_safe: bool = True
    seed: int | None = None


class _Answer(BaseModel):
    data: list[_Image]


def _classify(response: httpx.Response, said: str) -> ProviderError | None:
    message = said.rstrip(".")
    status = response.status_code
    if status in (401, 403):
        return ProviderAuthError(
            f"{NAME} rejected the API key ({status}): {message}.",
            hint=_KEY_HINT,
            status_code=status,
        )
    if status == 402:
        return ProviderQuotaError(
            f"{NAME} has no balance left for this account: {message}.",
            hint="Top up or raise the limit at ideogram.ai/manage-api.",
            status_code=status,
        )
    if status == 422:
        return ContentRejected(
            f"{NAME}'s safety check refused the prompt: {message}.",
            hint="Rephrase the prompt (refused prompts are not billed).",
            status_code=status,
        )
    return None


def _v3_form(request: GenerationRequest, ratio: str) -> dict[str, Any]:
    """Multipart text parts: the v3 endpoint takes multipart even without files."""
    fields = {
        "prompt": request.prompt,
        "aspect_ratio": ratio.replace(":", "x"),
        "rendering_speed": (request.quality or "default").upper(),
        "num_images": "1",
    }
    if request.seed is not None:
        fields["seed"] = str(request.seed % _SEED_LIMIT)
    if request.negative_prompt:
        fields["negative_prompt"] = request.negative_prompt
    if request.style:
        fields["style_type"] = request.style.upper()
    return {"files": [(key, (None, value)) for key, value in fields.items()]}


def _v2_json(request: GenerationRequest, ratio: str) -> dict[str, Any]:
    image_request: dict[str, Any] = {
        "prompt": request.prompt,
        "model": "V_2_TURBO" if request.quality == "turbo" else "V_2",
        "aspect_ratio": "ASPECT_" + ratio.replace(":", "_"),
        "num_images": 1,
    }
    if request.seed is not None:
        image_request["seed"] = request.seed % _SEED_LIMIT
    if request.negative_prompt:
        image_request["negative_prompt"] = request.negative_prompt
    if request.style:
        image_request["style_type"] = request.style.upper()
    return {"json": {"image_request": image_request}}


class IdeogramProvider(Provider):
    id = "ideogram"
    display_name = NAME
    key_env_vars = ("IDEOGRAM_API_KEY",)
    default_base_url = "https://api.ideogram.ai"
    result_hosts = ("ideogram.ai", "*.ideogram.ai")

    def models(self) -> list[ModelInfo]:
        return [IDEOGRAM_3, IDEOGRAM_2]

    async def start(self, request: GenerationRequest, ctx: RunContext) -> Outcome:
        ratio = request.aspect_ratio or "1:1"
        v3 = request.model.remote_name == IDEOGRAM_3.remote_name
        response = await send(
            ctx.http,
            "POST",
            f"{self.base_url}/v1/ideogram-v3/generate" if v3 else f"{self.base_url}/generate",
            provider=NAME,
            classify=_classify,
            headers={"Api-Key": self.api_key or ""},
            **(_v3_form(request, ratio) if v3 else _v2_json(request, ratio)),
        )
        answer = parse_json(response, _Answer, NAME)
        if not answer.data:
            raise InvalidOutput(f"{NAME} answered without an image.")
        image = answer.data[0]
        if not image.is_image_safe or not image.url:
            raise ContentRejected(
                f"{NAME} withheld the image: its safety check flagged the result.",
                hint="Rephrase the prompt. Ideogram bills withheld images.",
                billed=True,
            )
        return Finished((ImageURL(image.url),), seed=image.seed)
