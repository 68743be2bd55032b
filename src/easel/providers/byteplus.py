"""BytePlus ModelArk: the Seedream models through ``POST /images/generations``.

One synchronous, OpenAI-like endpoint under ``https://ark.ap-southeast.bytepluses.com/
api/v3`` with ``Authorization: Bearer $ARK_API_KEY``. Easel asks for one image per call
(``sequential_image_generation: disabled``), base64 in the answer (so nothing is fetched
from a storage host), and no visible "AI generated" watermark unless the job asks for one.

Facts and where they were read:

* Base URL, the key variable, the request fields (``model``, ``prompt``, ``image``,
  ``size``, ``response_format``, ``watermark``, ``sequential_image_generation``,
  ``output_format``) and the answer (``data[].b64_json`` or an item ``error``,
  ``usage.generated_images``): BytePlus' official SDK ``byteplus-python-sdk-v2`` 3.0.63,
  ``byteplussdkarkruntime/_constants.py``, ``_client.py``, ``resources/images/images.py``
  and ``types/images/images.py``. The runtime API has no endpoint that lists models.
* Model ids, sizes (the recommended 2K sizes; 3K on 5.0), up to 14 reference images
  (10 for 4.0), at most 15 images in and out per request, the watermark default and
  ``output_format`` on 5.0 only: BytePlus' Seedream 4.0-5.0 image generation API,
  https://docs.byteplus.com/en/docs/ModelArk/1824121.
* Error codes (``InvalidParameter``, ``…SensitiveContentDetected``,
  ``AuthenticationError``, ``AccountOverdueError``, ``InvalidEndpoint.NotFound``):
  https://docs.byteplus.com/en/docs/ModelArk/1299023.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import httpx
from pydantic import BaseModel, ValidationError

from easel import payloads
from easel.errors import (
    ContentRejected,
    InvalidOutput,
    ProviderAuthError,
    ProviderError,
    ProviderQuotaError,
    UnsupportedRequest,
)
from easel.providers._http import decode_image, parse_json, send
from easel.providers.base import (
    Capabilities,
    ExtraOption,
    Finished,
    GenerationRequest,
    ImageBytes,
    Lifecycle,
    ModelInfo,
    Outcome,
    Pricing,
    Provider,
    ReferenceImage,
    RunContext,
)

NAME = "BytePlus ModelArk"
SDK = "byteplus-python-sdk-v2 3.0.63 (PyPI): byteplussdkarkruntime/types/images/images.py"
API_DOC = "https://docs.byteplus.com/en/docs/ModelArk/1824121"
PRICES = (
    "UNVERIFIED: BytePlus' list price per image as copied by third parties; see "
    "https://docs.byteplus.com/en/docs/ModelArk/1544106"
)
_KEY_HINT = "Check ARK_API_KEY (or EASEL_PROVIDERS__BYTEPLUS__API_KEY) in the environment."
_MIME = {"png": "image/png", "jpeg": "image/jpeg"}
# The recommended output sizes per aspect ratio (BytePlus' API reference), and 16:9 at
# the smallest 2K size (2560x1440), which matches an aspect ratio of exactly 16:9.
SIZES_2K = (
    "2048x2048",
    "2304x1728",
    "1728x2304",
    "2560x1440",
    "1440x2560",
    "2848x1600",
    "1600x2848",
    "2496x1664",
    "1664x2496",
    "3136x1344",
)
SIZES_3K = (
    "3072x3072",
    "3456x2592",
    "2592x3456",
    "4096x2304",
    "2304x4096",
    "3744x2496",
    "2496x3744",
    "4704x2016",
)
WATERMARK = ("false", "true")


def seedream(
    remote: str,
    name: str,
    description: str,
    *,
    usd: str,
    sizes: tuple[str, ...] = SIZES_2K,
    references: int = 14,
    formats: tuple[str, ...] = (),
) -> ModelInfo:
    options = {"watermark": ExtraOption(type="string", choices=WATERMARK)}
    if formats:
        options["output_format"] = ExtraOption(type="string", choices=formats)
    return ModelInfo(
        id=f"byteplus/{remote}",
        name=name,
        provider="byteplus",
        remote_name=remote,
        description=description,
        capabilities=Capabilities(
            sizes=sizes,
            max_n=4,
            reference_images=references,
            extra_options=options,
        ),
        pricing=Pricing(per_image=Decimal(usd), source=PRICES, as_of=date(2026, 11, 27)),
        lifecycle=Lifecycle(source=API_DOC),
    )


MODELS = (
    seedream(
        "seedream-5-0-260128",
        "Seedream 5.0",
        "ByteDance's Seedream 5.0 (also called 5.0 Lite) with reasoning and world "
        "knowledge: 2K and 3K sizes, PNG or JPEG, up to 14 reference images.",
        usd="0.035",
        sizes=SIZES_2K + SIZES_3K,
        formats=("png", "jpeg"),
    ),
    seedream(
        "seedream-4-5-251128",
        "Seedream 4.5",
        "Seedream 4.5: strong text rendering and multi-image composition at 2K, up to "
        "14 reference images. JPEG output.",
        usd="0.04",
    ),
    seedream(
        "seedream-4-0-250828",
        "Seedream 4.0",
        "Seedream 4.0 at 2K, up to 10 reference images. JPEG output.",
        usd="0.03",
        references=10,
    ),
)


class _ItemError(BaseModel):
    code: str = ""
    message: str = ""


class _Image(BaseModel):
    b64_json: str | None = None
    url: str | None = None
    size: str | None = None
    output_format: str | None = None
    error: _ItemError | None = None


class _Usage(BaseModel):
    generated_images: int = 0
    output_tokens: int | None = None
    total_tokens: int | None = None


class _ImagesResponse(BaseModel):
    model: str = ""
    data: list[_Image] = []
    usage: _Usage | None = None


class _ErrorBody(BaseModel):
    error: _ItemError


def _data_url(image: ReferenceImage) -> str:
    return f"data:{image.mime_type.lower()};base64,{payloads.b64encode(image.data)}"


def _specific(error: _ItemError, status: int) -> ProviderError | None:
    """The errors a person can act on, told apart by ModelArk's own codes."""
    said = error.message.split(" Request id:")[0].split(" Request ID:")[0].rstrip(".")
    if "SensitiveContentDetected" in error.code:
        what = "generated image" if error.code.startswith("Output") else "prompt"
        return ContentRejected(
            f"{NAME}'s safety check refused the {what}: {said}.",
            hint="Rephrase the prompt.",
            status_code=status,
        )
    if error.code == "AccountOverdueError":
        return ProviderQuotaError(
            f"{NAME} says this account has an overdue balance: {said}.",
            hint="Top up in the BytePlus billing center.",
            status_code=status,
        )
    if error.code in ("AuthenticationError", "AccessDenied"):
        return ProviderAuthError(
            f"{NAME} rejected the API key: {said}.", hint=_KEY_HINT, status_code=status
        )
    if error.code.startswith("InvalidEndpoint"):
        return UnsupportedRequest(
            f"{NAME} does not serve this model to this account: {said}.",
            hint="Activate the model in the ModelArk console, or pick another model.",
            status_code=status,
        )
    return None


def _classify(response: httpx.Response, message: str) -> ProviderError | None:
    try:
        error = _ErrorBody.model_validate_json(response.content).error
    except ValidationError:
        return None
    return _specific(error, response.status_code)


def request_body(request: GenerationRequest) -> dict[str, Any]:
    """The JSON of one image: one output, base64, and the options the model declares."""
    body: dict[str, Any] = {
        "model": request.model.remote_name,
        "prompt": request.prompt,
        "size": request.size,
        "sequential_image_generation": "disabled",
        "response_format": "b64_json",
        "watermark": str(request.extra.get("watermark", "false")) == "true",
    }
    formats = request.model.capabilities.extra_options.get("output_format")
    if formats:
        body["output_format"] = str(request.extra.get("output_format", formats.choices[0]))
    if request.reference_images:
        body["image"] = [_data_url(r) for r in request.reference_images]
    return body


def _finished(answer: _ImagesResponse) -> Finished:
    first = answer.data[0] if answer.data else None
    if first is not None and first.error is not None:
        raise _specific(first.error, 200) or ProviderError(
            f"{NAME} could not generate the image: {first.error.message or first.error.code}."
        )
    if first is None or not first.b64_json:
        raise InvalidOutput(f"{NAME} answered without an image.")
    mime = _MIME.get(first.output_format or "jpeg", "image/jpeg")
    usage = answer.usage.model_dump(exclude_none=True) if answer.usage else None
    return Finished((ImageBytes(decode_image(first.b64_json, NAME), mime),), usage=usage)


class BytePlusProvider(Provider):
    id = "byteplus"
    display_name = NAME
    key_env_vars = ("ARK_API_KEY",)
    default_base_url = "https://ark.ap-southeast.bytepluses.com/api/v3"

    def models(self) -> list[ModelInfo]:
        return list(MODELS)

    async def start(self, request: GenerationRequest, ctx: RunContext) -> Outcome:
        response = await send(
            ctx.http,
            "POST",
            f"{self.base_url}/images/generations",
            provider=NAME,
            classify=_classify,
            headers={"Authorization": f"Bearer {self.api_key}"},
            json=request_body(request),
        )
        return _finished(parse_json(response, _ImagesResponse, NAME))
