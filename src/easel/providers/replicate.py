"""Replicate: official models through ``POST /v1/models/{owner}/{name}/predictions``.

Create-then-poll (https://replicate.com/docs/reference/http). The create asks Replicate
to hold the request a few seconds (``Prefer: wait=N``) so fast models often finish in
the first answer; a wait that runs out comes back ``starting`` or ``processing`` and the
engine polls ``urls.get``.

Each model's inputs are read from its page on replicate.com (``/api`` lists the input
schema): FLUX.2 [pro] and [max] take ``aspect_ratio``, ``resolution`` ("1 MP" …),
``seed``, ``safety_tolerance`` and ``output_format`` and answer one URL; Seedream 5.0
lite (``bytedance/seedream-5-lite``) takes ``size`` 2K or 3K, ``aspect_ratio``,
``image_input`` (1-14 images), ``sequential_image_generation`` and ``output_format``
and answers a list. `served_models` asks ``GET /v1/models/{owner}/{name}`` for each
official model Easel lists: a removed model answers 404.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal
from functools import partial
from typing import Any, ClassVar, Literal

import httpx
from pydantic import BaseModel

from easel import payloads
from easel.errors import ContentRejected, InvalidOutput, ProviderError
from easel.providers._http import api_url, map_error, parse_json, send, transport_errors
from easel.providers.base import (
    Capabilities,
    ExtraOption,
    Finished,
    GenerationRequest,
    ImageURL,
    Lifecycle,
    ModelInfo,
    Outcome,
    Pending,
    Pricing,
    Provider,
    ReferenceImage,
    RemoteTask,
    RunContext,
    ServedModel,
)

NAME = "Replicate"
LISTED_ON = date(2026, 10, 7)
READ_ON = date(2026, 11, 24)
"""When the unverified figures were looked up (third-party listings)."""
LISTED = "replicate.com/pricing as transcribed by a third party [3P]"
FLUX_RATIOS = ("1:1", "16:9", "21:9", "3:2", "2:3", "4:5", "5:4", "3:4", "4:3", "9:16", "9:21")
IDEOGRAM_RATIOS = (
    "1:1",
    "16:9",
    "9:16",
    "4:3",
    "3:4",
    "3:2",
    "2:3",
    "16:10",
    "10:16",
    "3:1",
    "1:3",
)
IDEOGRAM_STYLES = ("Auto", "General", "Realistic", "Design", "Render 3D", "Anime")
SEEDREAM_RATIOS = ("1:1", "4:3", "3:4", "16:9", "9:16", "3:2", "2:3", "21:9")
FLUX2_RATIOS = ("1:1", "16:9", "3:2", "2:3", "4:5", "5:4", "9:16", "3:4", "4:3")
MODEL_PAGE = "https://replicate.com/{}"
IDEOGRAM_SEED_MAX = 2**31 - 1
# tqdm lines in the logs, as the official SDK reads them: " 50%|█████     | 2/4 [...]".
PROGRESS_LINE = re.compile(r"^\s*(\d+)%\s*\|.+?\|\s*(\d+)/(\d+)", re.MULTILINE)
REFUSAL = re.compile(r"nsfw|sensitive|safety|flagged|content policy", re.IGNORECASE)


def _data_url(image: ReferenceImage) -> str:
    return f"data:{image.mime_type};base64,{payloads.b64encode(image.data)}"


def _flux(request: GenerationRequest, *, batch: bool) -> dict[str, Any]:
    body: dict[str, Any] = {
        "prompt": request.prompt,
        "aspect_ratio": request.aspect_ratio or "1:1",
        "output_format": "png",
    }
    if request.seed is not None:
        body["seed"] = request.seed
    if batch:
        body["num_outputs"] = 1  # Easel asks for n variants, one image each
    return body


def _ideogram(request: GenerationRequest) -> dict[str, Any]:
    body: dict[str, Any] = {"prompt": request.prompt, "aspect_ratio": request.aspect_ratio or "1:1"}
    if request.seed is not None:
        body["seed"] = request.seed % (IDEOGRAM_SEED_MAX + 1)  # Ideogram's seeds are 31-bit
    if request.negative_prompt:
        body["negative_prompt"] = request.negative_prompt
    if request.style:
        body["style_type"] = request.style
    return body


def _flux2(request: GenerationRequest) -> dict[str, Any]:
    body = _flux(request, batch=False)
    body["resolution"] = "1 MP"  # what the price below is for
    return body


def _seedream(request: GenerationRequest, *, output_format: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "prompt": request.prompt,
        "size": "2K",
        "aspect_ratio": request.aspect_ratio or "1:1",
        "sequential_image_generation": "disabled",
        "max_images": 1,
    }
    if output_format:
        body["output_format"] = output_format
    if request.reference_images:
        # Replicate takes files as data: URIs too (it suggests them for small files).
        body["image_input"] = [_data_url(r) for r in request.reference_images]
    return body


def _model(
    slug: str, name: str, remote: str, price: tuple[str, str, date], **caps: Any
) -> ModelInfo:
    usd, source, as_of = price
    return ModelInfo(
        id=f"replicate/{slug}",
        name=f"{name} on Replicate",
        provider="replicate",
        remote_name=remote,
        capabilities=Capabilities(**{"ratio_only": True, "max_n": 4, **caps}),
        pricing=Pricing(per_image=Decimal(usd), source=source, as_of=as_of),
        lifecycle=Lifecycle(source=MODEL_PAGE.format(remote)),
    )


Builder = Callable[[GenerationRequest], dict[str, Any]]
PER_OUTPUT = f"{LISTED}; per output image"
IDEOGRAM_PRICE = "UNVERIFIED on Replicate: Ideogram's own 2.0 price, ideogram.ai [DOC]"
SEEDREAM_45_PRICE = "UNVERIFIED: $0.04 on Replicate per third-party listings (llm-stats.com)"
SEEDREAM_4_PRICE = "UNVERIFIED on Replicate: the price seen on other hosts"
FLUX2_PRICE = (
    "UNVERIFIED on Replicate: BFL's own price for one 1 MP image "
    "(docs.bfl.ai/quick_start/pricing); Replicate bills FLUX.2 by megapixel"
)
SEEDREAM_5_PRICE = "UNVERIFIED on Replicate: BytePlus' list price for Seedream 5.0 lite"

# extra_options: inputs a job may add, from each model's API page on replicate.com.
MODELS: tuple[tuple[ModelInfo, Builder], ...] = (
    (
        _model(
            "flux-2-pro",
            "FLUX.2 [pro]",
            "black-forest-labs/flux-2-pro",
            ("0.03", FLUX2_PRICE, READ_ON),
            aspect_ratios=FLUX2_RATIOS,
            seed=True,
        ),
        _flux2,
    ),
    (
        _model(
            "flux-2-max",
            "FLUX.2 [max]",
            "black-forest-labs/flux-2-max",
            ("0.07", FLUX2_PRICE, READ_ON),
            aspect_ratios=FLUX2_RATIOS,
            seed=True,
        ),
        _flux2,
    ),
    (
        _model(
            "seedream-5-lite",
            "Seedream 5.0 lite",
            "bytedance/seedream-5-lite",
            ("0.035", SEEDREAM_5_PRICE, READ_ON),
            aspect_ratios=SEEDREAM_RATIOS,
            reference_images=14,
        ),
        partial(_seedream, output_format="png"),
    ),
    (
        _model(
            "flux-1.1-pro",
            "FLUX1.1 [pro]",
            "black-forest-labs/flux-1.1-pro",
            ("0.04", PER_OUTPUT, LISTED_ON),
            aspect_ratios=FLUX_RATIOS,
            seed=True,
            extra_options={
                "safety_tolerance": ExtraOption(type="integer", minimum=1, maximum=6),
                "prompt_upsampling": ExtraOption(type="boolean"),
            },
        ),
        partial(_flux, batch=False),
    ),
    (
        _model(
            "flux-schnell",
            "FLUX.1 [schnell]",
            "black-forest-labs/flux-schnell",
            ("0.003", PER_OUTPUT, LISTED_ON),
            aspect_ratios=FLUX_RATIOS,
            seed=True,
            max_n=8,
            extra_options={
                "num_inference_steps": ExtraOption(type="integer", minimum=1, maximum=4),
                "go_fast": ExtraOption(type="boolean"),
                "megapixels": ExtraOption(type="string", choices=("1", "0.25")),
            },
        ),
        partial(_flux, batch=True),
    ),
    (
        _model(
            "ideogram-v2",
            "Ideogram 2.0",
            "ideogram-ai/ideogram-v2",
            ("0.08", IDEOGRAM_PRICE, date(2026, 11, 16)),
            aspect_ratios=IDEOGRAM_RATIOS,
            seed=True,
            negative_prompt=True,
            styles=IDEOGRAM_STYLES,
            extra_options={
                "magic_prompt_option": ExtraOption(type="string", choices=("Auto", "On", "Off"))
            },
        ),
        _ideogram,
    ),
    (
        _model(
            "seedream-4.5",
            "Seedream 4.5",
            "bytedance/seedream-4.5",
            ("0.04", SEEDREAM_45_PRICE, READ_ON),
            aspect_ratios=SEEDREAM_RATIOS,
            reference_images=14,
        ),
        _seedream,
    ),
    (
        _model(
            "seedream-4",
            "Seedream 4",
            "bytedance/seedream-4",
            ("0.03", SEEDREAM_4_PRICE, READ_ON),
            aspect_ratios=SEEDREAM_RATIOS,
            reference_images=10,
        ),
        _seedream,
    ),
)


class _Model(BaseModel):
    owner: str
    name: str


class _Urls(BaseModel):
    get: str
    cancel: str


class _Prediction(BaseModel):
    id: str
    status: Literal["starting", "processing", "succeeded", "failed", "canceled"]
    output: str | list[str] | None = None
    error: str | None = None
    logs: str | None = None
    data_removed: bool = False
    urls: _Urls


def _progress(logs: str | None) -> float | None:
    matches = PROGRESS_LINE.findall(logs or "")
    return int(matches[-1][0]) / 100 if matches else None


def _refused(response: httpx.Response, message: str) -> ProviderError | None:
    if response.status_code in (400, 422) and REFUSAL.search(message):
        return ContentRejected(f"Replicate refused the prompt: {message}", hint="Rephrase it.")
    return None


class ReplicateProvider(Provider):
    id = "replicate"
    display_name = NAME
    key_env_vars = ("REPLICATE_API_TOKEN",)
    default_base_url = "https://api.replicate.com"
    result_hosts: ClassVar[tuple[str, ...]] = ("replicate.delivery", "*.replicate.delivery")

    def models(self) -> list[ModelInfo]:
        return [info for info, _ in MODELS]

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.api_key}"}

    async def start(self, request: GenerationRequest, ctx: RunContext) -> Outcome:
        info, build = next(m for m in MODELS if m[0].id == request.model.id)
        # Hold the create a little, but well inside Easel's own timeout for the call.
        wait = max(1, min(5, int(ctx.timeout / 2)))
        body = build(request)
        response = await send(
            ctx.http,
            "POST",
            f"{self.base_url}/v1/models/{info.remote_name}/predictions",
            provider=NAME,
            classify=_refused,
            headers={**self._headers(), "Prefer": f"wait={wait}"},
            json={"input": {**request.extra, **body}},
        )
        prediction = parse_json(response, _Prediction, NAME)
        return self._outcome(prediction, {"seed": body.get("seed")})

    async def poll(self, task: RemoteTask, ctx: RunContext) -> Outcome:
        response = await send(
            ctx.http, "GET", self._api_url(task.poll_url), provider=NAME, headers=self._headers()
        )
        return self._outcome(parse_json(response, _Prediction, NAME), task.state)

    async def cancel(self, task: RemoteTask, ctx: RunContext) -> None:
        url = self._api_url(task.state.get("cancel_url"))
        await send(ctx.http, "POST", url, provider=NAME, headers=self._headers())

    async def served_models(self, http: httpx.AsyncClient) -> list[ServedModel] | None:
        """``GET /v1/models/{owner}/{name}`` for each official model Easel lists; Replicate
        has no list of official models to compare with, so nothing is reported missing."""
        found = await asyncio.gather(*(self._served(http, m.remote_name) for m, _ in MODELS))
        return [m for m in found if m is not None]

    async def _served(self, http: httpx.AsyncClient, remote: str) -> ServedModel | None:
        with transport_errors(NAME):
            response = await http.get(
                f"{self.base_url}/v1/models/{remote}", headers=self._headers()
            )
        if response.status_code == 404:
            return None  # removed from Replicate
        if response.status_code >= 400:
            raise map_error(response, NAME, _refused)
        model = parse_json(response, _Model, NAME)
        return ServedModel(remote_name=f"{model.owner}/{model.name}", image=True)

    def _api_url(self, url: object) -> str:
        """Our token only goes to the API host we were configured with."""
        return api_url(url, self.base_url, NAME)

    def _outcome(self, prediction: _Prediction, state: Mapping[str, Any]) -> Outcome:
        seed = state.get("seed")
        if prediction.status in ("starting", "processing"):
            task = RemoteTask(
                id=prediction.id,
                poll_url=prediction.urls.get,
                state={"cancel_url": prediction.urls.cancel, "seed": seed},
            )
            return Pending(task, progress=_progress(prediction.logs), message=prediction.status)
        if prediction.status == "failed":
            error = prediction.error or "no reason given"
            if REFUSAL.search(error):
                raise ContentRejected(f"Replicate refused the image: {error}", hint="Rephrase it.")
            raise ProviderError(f"The prediction failed on Replicate: {error}")
        if prediction.status == "canceled":
            raise ProviderError("The prediction was canceled on Replicate.")
        if not prediction.data_removed and not prediction.output:
            raise InvalidOutput("Replicate reported success but returned no output.")
        if prediction.data_removed or not prediction.output:
            raise InvalidOutput(
                "Replicate has removed this prediction's output (it keeps API results for an "
                "hour), so it cannot be downloaded any more.",
                hint="Retry the variant to generate it again.",
                retryable=False,
            )
        urls = [prediction.output] if isinstance(prediction.output, str) else prediction.output
        return Finished(outputs=tuple(ImageURL(u) for u in urls), seed=seed)
