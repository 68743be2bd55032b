"""Ideogram 4.0 (``POST /v1/ideogram-v4/generate``), Ideogram 3.0 (``POST
/v1/ideogram-v3/generate``), both multipart, and Ideogram 2.0 (legacy ``POST /generate``,
JSON ``{"image_request": …}``). All answer with result URLs.

Ideogram 4.0 takes a ``text_prompt`` (not ``prompt``), one of 21 2K ``resolution`` values
and a ``rendering_speed`` of TURBO, DEFAULT or QUALITY (FLASH answers 400 for now):
https://developer.ideogram.ai/api-reference/api-reference/generate-v4. Ideogram's API
reference lists no 4.5 model and no ``/v2`` generation endpoint, so Easel offers neither;
it has no endpoint that lists models either, so `easel models check` cannot ask it.

The two versions spell aspect ratios differently (``16x9`` vs ``ASPECT_16_9``) and pick
speed differently (``rendering_speed`` vs a ``_TURBO`` model name); Easel calls both
"quality". An image withheld by the safety check comes back in a 200 with
``is_image_safe: false``, and Ideogram bills it. Wire details: https://developer.ideogram.ai/api-reference

4.0 and 3.0 also work on images (edit, variations; 3.0 inpaints and outpaints too; both
remove backgrounds) through the endpoints in `easel.providers.ideogram_operations`.
"""

from __future__ import annotations

import asyncio
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
    Lifecycle,
    ModelInfo,
    Outcome,
    PriceRule,
    Pricing,
    Provider,
    RunContext,
)
from easel.providers.ideogram_operations import operation_endpoint

NAME = "Ideogram"
_KEY_HINT = "Check IDEOGRAM_API_KEY (or EASEL_PROVIDERS__IDEOGRAM__API_KEY) in the environment."
_SEED_LIMIT = 2**31  # Ideogram takes seeds 0..2147483647
_RATIOS = ("1:1", "16:9", "9:16", "4:3", "3:4", "3:2", "2:3", "16:10", "10:16", "3:1", "1:3")
_SOURCE = "https://ideogram.ai/features/api-pricing"
REFERENCE = "https://developer.ideogram.ai/api-reference/api-reference"
V4_DOC = f"{REFERENCE}/generate-v4"
V4_RESOLUTIONS = (
    *("2048x2048", "1440x2880", "2880x1440", "1664x2496", "2496x1664", "1792x2240"),
    *("2240x1792", "1440x2560", "2560x1440", "1600x2560", "2560x1600", "1728x2304"),
    *("2304x1728", "1296x3168", "3168x1296", "1152x2944", "2944x1152", "1248x3328"),
    *("3328x1248", "1280x3072", "3072x1280"),
)
_AS_OF = date(2026, 11, 16)
_BACKGROUND_REMOVAL = PriceRule(when={"operation": "remove_background"}, usd=Decimal("0.01"))
"""Remove Background is billed per input, $0.01 (https://ideogram.ai/blog/ideogram-api-pricing
prices it for ``/v2/image/remove-background/ideogram-1``; the same tool as ``/v1``)."""


def _prices(
    default: str, source: str = _SOURCE, *, operations: bool = False, **by_quality: str
) -> Pricing:
    """Generate, Remix, Edit and Reframe share the model's price per output image by speed
    (https://ideogram.ai/features/api-pricing); background removal has its own."""
    rules = tuple(PriceRule(when={"quality": q}, usd=Decimal(usd)) for q, usd in by_quality.items())
    if operations:
        rules = (_BACKGROUND_REMOVAL, *rules)
    return Pricing(per_image=Decimal(default), rules=rules, source=source, as_of=_AS_OF)


IDEOGRAM_4 = ModelInfo(
    id="ideogram/ideogram-v4",
    name="Ideogram 4.0",
    provider="ideogram",
    remote_name="V_4",
    description="Ideogram 4.0: legible typography, posters and graphic design at 2K. "
    "Quality picks the rendering speed (turbo, default, quality); Ideogram bills images "
    "its safety check withholds. Edits and variations are remixes at the 2K resolution "
    "nearest the image's shape.",
    capabilities=Capabilities(
        sizes=V4_RESOLUTIONS,
        text_rendering=True,
        qualities=("turbo", "default", "quality"),
        operations=("generate", "edit", "variations", "remove_background"),
    ),
    pricing=_prices(
        "0.06",
        f"UNVERIFIED: {_SOURCE} as copied by third parties in June 2026 (4.0 by speed)",
        operations=True,
        turbo="0.03",
        quality="0.10",
    ),
    lifecycle=Lifecycle(source=V4_DOC),
)


IDEOGRAM_3 = ModelInfo(
    id="ideogram/ideogram-v3",
    name="Ideogram 3.0",
    provider="ideogram",
    remote_name="V_3",
    description="Ideogram 3.0: the best at typography and posters. Quality picks the "
    "rendering speed (turbo, default, quality); Ideogram bills images its safety check "
    "withholds. Edits and variations are remixes; inpainting takes a mask; outpainting "
    "reframes to the Ideogram resolution nearest the new shape, the image centred.",
    capabilities=Capabilities(
        aspect_ratios=(*_RATIOS, "2:1", "1:2", "4:5", "5:4"),
        ratio_only=True,
        seed=True,
        negative_prompt=True,
        text_rendering=True,
        styles=("auto", "general", "realistic", "design", "fiction"),
        qualities=("turbo", "default", "quality"),
        operations=(
            *("generate", "edit", "variations", "inpaint", "outpaint", "remove_background"),
        ),
        # Ideogram's masked-edit guide tells callers to check the area outside the mask
        # (https://developer.ideogram.ai/ideogram-api/masked-edits): Easel puts it back.
        mask_is_hint=True,
    ),
    pricing=_prices("0.06", operations=True, turbo="0.03", quality="0.09"),
    lifecycle=Lifecycle(source=f"{REFERENCE}/generate-v3"),
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
    lifecycle=Lifecycle(source=f"{REFERENCE}/generate"),
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


def _v4_form(request: GenerationRequest) -> dict[str, Any]:
    """Multipart text parts of an Ideogram 4.0 generation: only what 4.0 documents."""
    fields = {
        "text_prompt": request.prompt,
        "resolution": request.size,
        "rendering_speed": (request.quality or "default").upper(),
    }
    return {"files": [(key, (None, value)) for key, value in fields.items()]}


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


def _endpoint(request: GenerationRequest) -> tuple[str, dict[str, Any]]:
    """The path and body of a generation: each Ideogram version has its own."""
    ratio = request.aspect_ratio or "1:1"
    if request.model.remote_name == IDEOGRAM_4.remote_name:
        return "/v1/ideogram-v4/generate", _v4_form(request)
    if request.model.remote_name == IDEOGRAM_3.remote_name:
        return "/v1/ideogram-v3/generate", _v3_form(request, ratio)
    return "/generate", _v2_json(request, ratio)


class IdeogramProvider(Provider):
    id = "ideogram"
    display_name = NAME
    key_env_vars = ("IDEOGRAM_API_KEY",)
    default_base_url = "https://api.ideogram.ai"
    result_hosts = ("ideogram.ai", "*.ideogram.ai")

    def models(self) -> list[ModelInfo]:
        return [IDEOGRAM_4, IDEOGRAM_3, IDEOGRAM_2]

    async def start(self, request: GenerationRequest, ctx: RunContext) -> Outcome:
        if request.operation == "generate":
            path, body = _endpoint(request)
        else:  # reading and converting the mask is pixel work: off the event loop
            v4 = request.model.remote_name == IDEOGRAM_4.remote_name
            path, body = await asyncio.to_thread(operation_endpoint, request, v4=v4)
        response = await send(
            ctx.http,
            "POST",
            f"{self.base_url}{path}",
            provider=NAME,
            classify=_classify,
            headers={"Api-Key": self.api_key or ""},
            **body,
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
