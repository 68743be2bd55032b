"""Recraft V3 through ``POST /v1/images/generations`` (JSON in, result URL out).

Only raster styles are offered: ``vector_illustration`` and ``icon`` answer with SVG,
which Easel's image store does not keep. Recraft may send errors as plain text (a bad
key is ``401 text/plain "request unauthorized"``). Wire details: https://www.recraft.ai/docs
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
    Pricing,
    Provider,
    RunContext,
)

NAME = "Recraft"
_KEY_HINT = "Check RECRAFT_API_TOKEN (or EASEL_PROVIDERS__RECRAFT__API_KEY) in the environment."

RECRAFT_V3 = ModelInfo(
    id="recraft/recraftv3",
    name="Recraft V3",
    provider="recraft",
    remote_name="recraftv3",
    description="Recraft V3: strong at design, illustration and legible text. Raster styles "
    "only (realistic_image, digital_illustration, logo_raster, any); Recraft's vector "
    "styles return SVG, which Easel does not store.",
    capabilities=Capabilities(
        sizes=(
            "1024x1024",
            "1365x1024",
            "1024x1365",
            "1536x1024",
            "1024x1536",
            "1820x1024",
            "1024x1820",
            "1024x2048",
            "2048x1024",
            "1434x1024",
            "1024x1434",
            "1024x1280",
            "1280x1024",
            "1024x1707",
            "1707x1024",
        ),
        styles=("any", "realistic_image", "digital_illustration", "logo_raster"),
        negative_prompt=True,
        max_prompt_length=1000,
    ),
    pricing=Pricing(
        per_image=Decimal("0.04"),
        source="recraft.ai/docs/api-reference/pricing [DOC] (raster; vector is 0.08 and not "
        "offered)",
        as_of=date(2026, 1, 1),
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
        return [RECRAFT_V3]

    async def start(self, request: GenerationRequest, ctx: RunContext) -> Outcome:
        body: dict[str, Any] = {
            "prompt": request.prompt,
            "model": request.model.remote_name,  # always sent: the default moves on
            "size": request.size,
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
