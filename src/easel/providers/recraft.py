"""Recraft through ``POST /v1/images/generations`` (JSON in, result URL out).

Facts and where they were read:

* Model ids and prices per image: Recraft V4.1 (``recraftv4_1`` $0.035, ``_vector``
  $0.08, ``_pro`` $0.21), https://www.recraft.ai/docs/api-reference/models/recraft-v4-1;
  Recraft V4 (``recraftv4`` $0.04, ``_vector`` $0.08, ``_pro`` $0.25, ``_pro_vector``
  $0.30), https://www.recraft.ai/docs/api-reference/models/recraft-v4; V4.1 Utility
  $0.035, Utility Pro $0.21 and V3 $0.04 raster,
  https://www.recraft.ai/docs/api-reference/pricing. V4.1 Pro Vector and the Utility
  vector models are not offered: their prices could not be read there. Names ending in
  ``_vector`` answer with SVG, https://www.recraft.ai/docs/api-reference/models/overview.
* Sizes: ``size`` takes ``WxH`` or an aspect ratio ``w:h``; V4 and V4.1 take fourteen
  1K sizes, Pro fourteen 2K sizes, vector models only the aspect ratios; V3 has its own
  sizes; prompts up to 10,000 characters from V4 on (1,000 before),
  https://www.recraft.ai/docs/api-reference/appendix.
* V4 and V4.1 take neither a negative prompt nor a V3 ``style`` (styles are the
  separate V4 Styles models); send only what the model supports,
  https://www.recraft.ai/docs/api-reference/agents.
* Recraft publishes no endpoint that lists its models, so `easel models check` cannot
  ask it. Errors may come as plain text (a bad key is ``401 text/plain "request
  unauthorized"``).
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
    Lifecycle,
    ModelInfo,
    Outcome,
    Pricing,
    Provider,
    RunContext,
)

NAME = "Recraft"
_KEY_HINT = "Check RECRAFT_API_TOKEN (or EASEL_PROVIDERS__RECRAFT__API_KEY) in the environment."
DOCS = "https://www.recraft.ai/docs/api-reference"
PRICED_ON = date(2026, 11, 27)
SVG = "image/svg+xml"
RASTER = ("image/png", "image/jpeg", "image/webp")
# The V4 generation's aspect ratios, and the size each maps to at 1K and at 2K (Pro).
RATIOS = (
    *("1:1", "2:1", "1:2", "3:2", "2:3", "4:3", "3:4"),
    *("5:4", "4:5", "6:10", "14:10", "10:14", "16:9", "9:16"),
)
SIZES_1K = (
    *("1024x1024", "1536x768", "768x1536", "1280x832", "832x1280", "1216x896", "896x1216"),
    *("1152x896", "896x1152", "832x1344", "1280x896", "896x1280", "1344x768", "768x1344"),
)
SIZES_2K = (
    *("2048x2048", "3072x1536", "1536x3072", "2560x1664", "1664x2560", "2432x1792"),
    *("1792x2432", "2304x1792", "1792x2304", "1664x2688", "2560x1792", "1792x2560"),
    *("2688x1536", "1536x2688"),
)
SIZES_V3 = (
    *("1024x1024", "1365x1024", "1024x1365", "1536x1024", "1024x1536", "1820x1024"),
    *("1024x1820", "1024x2048", "2048x1024", "1434x1024", "1024x1434", "1024x1280"),
    *("1280x1024", "1024x1707", "1707x1024"),
)


def _model(
    remote: str, name: str, usd: str, page: str, description: str, caps: Capabilities
) -> ModelInfo:
    return ModelInfo(
        id=f"recraft/{remote}",
        name=name,
        provider="recraft",
        remote_name=remote,
        description=description,
        capabilities=caps,
        pricing=Pricing(per_image=Decimal(usd), source=f"{DOCS}/{page}", as_of=PRICED_ON),
        lifecycle=Lifecycle(source=f"{DOCS}/{page}"),
    )


def _v4(remote: str, name: str, usd: str, page: str, description: str) -> ModelInfo:
    """A V4-generation model: vector ones take aspect ratios and may answer with SVG."""
    if remote.endswith("_vector"):
        caps = Capabilities(
            aspect_ratios=RATIOS,
            ratio_only=True,
            max_prompt_length=10000,
            text_rendering=True,
            output_types=(*RASTER, SVG),
        )
    else:
        sizes = SIZES_2K if "_pro" in remote else SIZES_1K
        caps = Capabilities(sizes=sizes, max_prompt_length=10000, text_rendering=True)
    return _model(remote, name, usd, page, description, caps)


V41 = "models/recraft-v4-1"
V4 = "models/recraft-v4"
MODELS = (
    _v4(
        "recraftv4_1",
        "Recraft V4.1",
        "0.035",
        V41,
        "Recraft V4.1 (May 2026), Recraft's default: design-minded raster images at 1K "
        "with legible text, sharper photorealism and cleaner icons than V4.",
    ),
    _v4(
        "recraftv4_1_vector",
        "Recraft V4.1 Vector",
        "0.08",
        V41,
        "Recraft V4.1 drawing vector art: an editable SVG (logos, icons, illustration). "
        "Easel stores it sanitised, with a raster thumbnail.",
    ),
    _v4(
        "recraftv4_1_pro",
        "Recraft V4.1 Pro",
        "0.21",
        V41,
        "Recraft V4.1 at 2K with finer detail, for print and hero images.",
    ),
    _v4(
        "recraftv4_1_utility",
        "Recraft V4.1 Utility",
        "0.035",
        "pricing",
        "Recraft V4.1 Utility: clean, predictable images with flat lighting and simple "
        "composition (product shots, assets, mockups) at 1K.",
    ),
    _v4(
        "recraftv4_1_utility_pro",
        "Recraft V4.1 Utility Pro",
        "0.21",
        "pricing",
        "Recraft V4.1 Utility at 2K.",
    ),
    _v4(
        "recraftv4",
        "Recraft V4",
        "0.04",
        V4,
        "Recraft V4 (February 2026): balanced composition, cohesive colour and legible "
        "text in raster images at 1K.",
    ),
    _v4(
        "recraftv4_vector",
        "Recraft V4 Vector",
        "0.08",
        V4,
        "Recraft V4 drawing vector art: an editable SVG. Easel stores it sanitised, with "
        "a raster thumbnail.",
    ),
    _v4("recraftv4_pro", "Recraft V4 Pro", "0.25", V4, "Recraft V4 at 2K, for print."),
    _v4(
        "recraftv4_pro_vector",
        "Recraft V4 Pro Vector",
        "0.30",
        V4,
        "Recraft V4 Pro drawing vector art: a finer, more detailed SVG.",
    ),
    _model(
        "recraftv3",
        "Recraft V3",
        "0.04",
        "pricing",
        "Recraft V3: design, illustration and legible text, with V3's style presets "
        "(realistic_image, digital_illustration, logo_raster, any).",
        Capabilities(
            sizes=SIZES_V3,
            styles=("any", "realistic_image", "digital_illustration", "logo_raster"),
            negative_prompt=True,
            max_prompt_length=1000,
        ),
    ),
)


class _Image(BaseModel):
    url: str
    image_id: str | None = None


class _Answer(BaseModel):
    data: list[_Image]
    credits: int | None = None


def _classify(response: httpx.Response, said: str) -> ProviderError | None:
    message = said.rstrip(".")
    status, lowered = response.status_code, message.lower()
    if status in (401, 403):
        return ProviderAuthError(
            f"{NAME} rejected the API token ({status}): {message}.",
            hint=_KEY_HINT,
            status_code=status,
        )
    if status == 402 or "credit" in lowered or "balance" in lowered:
        return ProviderQuotaError(
            f"{NAME} has no API units left for this account: {message}.",
            hint="Top up API units at recraft.ai/profile/api.",
            status_code=status,
        )
    if any(word in lowered for word in ("moderation", "inappropriate", "nsfw", "safety")):
        return ContentRejected(
            f"{NAME} refused the prompt: {message}.",
            hint="Rephrase the prompt.",
            status_code=status,
        )
    return None


class RecraftProvider(Provider):
    id = "recraft"
    display_name = NAME
    key_env_vars = ("RECRAFT_API_TOKEN", "RECRAFT_API_KEY")
    default_base_url = "https://external.api.recraft.ai/v1"
    result_hosts = ("*.recraft.ai",)

    def models(self) -> list[ModelInfo]:
        return list(MODELS)

    async def start(self, request: GenerationRequest, ctx: RunContext) -> Outcome:
        body: dict[str, Any] = {
            "prompt": request.prompt,
            "model": request.model.remote_name,  # always sent: the default moves on
            # Vector models take only an aspect ratio, which Recraft reads from ``size``.
            "size": request.aspect_ratio or request.size,
            "n": 1,
            "response_format": "url",
        }
        if request.style:
            body["style"] = request.style
        if request.negative_prompt:
            body["negative_prompt"] = request.negative_prompt
        response = await send(
            ctx.http,
            "POST",
            f"{self.base_url}/images/generations",
            provider=NAME,
            classify=_classify,
            headers={"Authorization": f"Bearer {self.api_key}"},
            json=body,
        )
        answer = parse_json(response, _Answer, NAME)
        if not answer.data:
            raise InvalidOutput(f"{NAME} answered without an image.")
        return Finished((ImageURL(answer.data[0].url),))
