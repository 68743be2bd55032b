"""fal.ai's queue API: submit, poll ``status_url``, fetch ``response_url``, ``PUT`` cancel.

Create-then-poll (https://docs.fal.ai/model-apis/model-endpoints/queue). The submit goes
to ``{queue}/{owner}/{app}/{path}``, but fal answers with follow-up URLs under
``{owner}/{app}/requests/{id}`` (the subpath is dropped), so those URLs are always used
as given, after checking they point at fal.

FLUX.2 [pro] (``fal-ai/flux-2-pro``) takes ``image_size``, ``seed``,
``safety_tolerance`` ("1"-"5"), ``enable_safety_checker`` and ``output_format`` and
makes one image per request (https://fal.ai/docs/model-api-reference/image-generation-
api/flux-2-pro); the FLUX.1 apps also take ``num_images``. `served_models` asks fal's
Platform API (``GET https://api.fal.ai/v1/models``, Model Search, with the same key;
https://fal.ai/docs/platform-apis/v1/models) for the text-to-image endpoints it serves;
``EASEL_PROVIDERS__FAL__OPTIONS__PLATFORM_URL`` points it elsewhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any, ClassVar, Literal

import httpx
from pydantic import BaseModel, TypeAdapter, ValidationError

from easel.config import ProviderSettings
from easel.errors import ContentRejected, ProviderError, ProviderQuotaError, UnsupportedRequest
from easel.providers._http import api_url, json_body, parse_json, send
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
    RemoteTask,
    RunContext,
    ServedModel,
)

NAME = "fal.ai"
API_HOSTS = (".fal.run",)
# fal's named sizes; every one is at most 1 MP, the unit fal prices FLUX by.
SIZES = {
    "1024x1024": "square_hd",
    "512x512": "square",
    "768x1024": "portrait_4_3",
    "576x1024": "portrait_16_9",
    "1024x768": "landscape_4_3",
    "1024x576": "landscape_16_9",
}
SOURCE = (
    "UNVERIFIED: ${}/MP rounded up, from third-party copies of fal's model page "
    "(workflowlab.dev); fal's own model pages are the authority"
)


FLUX2_SOURCE = (
    "UNVERIFIED: $0.03 for the first megapixel, $0.015 for each further one, from "
    "third-party copies of fal's model page; every size offered is at most 1 MP"
)
MODEL_PAGE = "https://fal.ai/models/{}"
PLATFORM_URL = "https://api.fal.ai/v1"
FOLLOWED = ("fal-ai/flux-2", "fal-ai/flux/")
"""The text-to-image families Easel offers through fal: only new endpoints of these are
reported as missing by `easel models check` (fal serves hundreds of other models)."""
MAX_PAGES = 20
"""Model Search pages read at most, so a runaway cursor cannot loop for ever."""
BATCHED = ("fal-ai/flux/schnell", "fal-ai/flux/dev")
"""Apps that take ``num_images``; FLUX.2 [pro] makes one image per request and refuses it."""


def _model(
    slug: str,
    name: str,
    app: str,
    usd: str,
    *,
    source: str,
    as_of: date,
    extras: dict[str, ExtraOption] | None = None,
) -> ModelInfo:
    return ModelInfo(
        id=f"fal/{slug}",
        name=name,
        provider="fal",
        remote_name=app,
        capabilities=Capabilities(
            sizes=tuple(SIZES), seed=True, max_n=4, extra_options=extras or {}
        ),
        pricing=Pricing(per_image=Decimal(usd), source=source, as_of=as_of),
        lifecycle=Lifecycle(source=MODEL_PAGE.format(app)),
    )


# Inputs a job may add through ``extra`` (fal.ai/models/<app>/api, "Input Schema").
SCHNELL_EXTRAS = {
    "num_inference_steps": ExtraOption(type="integer", minimum=1, maximum=12),
}
DEV_EXTRAS = {
    "num_inference_steps": ExtraOption(type="integer", minimum=1, maximum=50),
    "guidance_scale": ExtraOption(type="number", minimum=1, maximum=20),
}

MODELS = (
    _model(
        "flux-2-pro",
        "FLUX.2 [pro] on fal",
        "fal-ai/flux-2-pro",
        "0.03",
        source=FLUX2_SOURCE,
        as_of=date(2026, 11, 27),
    ),
    _model(
        "flux-schnell",
        "FLUX.1 [schnell] on fal",
        "fal-ai/flux/schnell",
        "0.003",
        source=SOURCE.format("0.003"),
        as_of=date(2026, 5, 11),
        extras=SCHNELL_EXTRAS,
    ),
    _model(
        "flux-dev",
        "FLUX.1 [dev] on fal",
        "fal-ai/flux/dev",
        "0.025",
        source=SOURCE.format("0.025"),
        as_of=date(2026, 5, 11),
        extras=DEV_EXTRAS,
    ),
)


class _Options(BaseModel):
    platform_url: str = PLATFORM_URL


class _Queued(BaseModel):
    request_id: str
    status_url: str
    response_url: str
    cancel_url: str


class _Log(BaseModel):
    message: str


class _Status(BaseModel):
    status: Literal["IN_QUEUE", "IN_PROGRESS", "COMPLETED"]
    queue_position: int | None = None
    logs: list[_Log] | None = None


class _Image(BaseModel):
    url: str


class _Result(BaseModel):
    images: list[_Image]
    seed: int | None = None
    has_nsfw_concepts: list[bool] = []


class _Issue(BaseModel):
    msg: str = ""
    type: str = ""


class _Problem(BaseModel):
    detail: list[_Issue] | str


_ERROR_BODY: TypeAdapter[_Problem | list[_Issue]] = TypeAdapter(_Problem | list[_Issue])


class _EndpointMetadata(BaseModel):
    status: str = "active"
    category: str = ""


class _Endpoint(BaseModel):
    endpoint_id: str
    metadata: _EndpointMetadata = _EndpointMetadata()


class _ModelPage(BaseModel):
    models: list[_Endpoint]
    next_cursor: str | None = None
    has_more: bool = False


def _served(endpoint: _Endpoint) -> ServedModel:
    followed = endpoint.endpoint_id.startswith(FOLLOWED)
    image = followed and endpoint.metadata.status == "active"
    return ServedModel(remote_name=endpoint.endpoint_id, image=image)


def _classify(response: httpx.Response, message: str) -> ProviderError | None:
    if response.status_code == 403 and "balance" in message.lower():
        # fal locks an account with no credit and answers 403, not 402.
        return ProviderQuotaError(
            f"{NAME} has no credit left for this account: {message}",
            hint="Top up at fal.ai/dashboard/billing.",
            status_code=403,
        )
    try:
        body = _ERROR_BODY.validate_json(response.content)
    except ValidationError:
        return None
    issues = body if isinstance(body, list) else body.detail
    if isinstance(issues, list):
        types = {i.type for i in issues}
        message = "; ".join(i.msg for i in issues if i.msg) or message
    else:
        types = set()
    types.add(response.headers.get("x-fal-error-type", ""))
    if "content_policy_violation" in types:
        return ContentRejected(f"{NAME} refused the content: {message}", hint="Rephrase it.")
    return None


class FalProvider(Provider):
    id = "fal"
    display_name = NAME
    key_env_vars = ("FAL_KEY",)
    default_base_url = "https://queue.fal.run"
    result_hosts: ClassVar[tuple[str, ...]] = ("*.fal.media",)

    def __init__(self, settings: ProviderSettings, environ: Mapping[str, str]) -> None:
        super().__init__(settings, environ)
        self.options_error: str | None = None
        try:
            options = _Options.model_validate(settings.options)
        except ValidationError as exc:
            options = _Options()
            self.options_error = (
                f"EASEL_PROVIDERS__FAL__OPTIONS is invalid: {exc.errors()[0]['msg']}"
            )
        self.platform_url = options.platform_url.rstrip("/")

    def unavailable_reason(self) -> str | None:
        return self.options_error or super().unavailable_reason()

    def models(self) -> list[ModelInfo]:
        return list(MODELS)

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Key {self.api_key}"}

    async def _call(self, ctx: RunContext, method: str, url: str, **kwargs: Any) -> httpx.Response:
        # The key goes with every follow-up call, so only to fal or the configured host.
        return await send(
            ctx.http,
            method,
            api_url(url, self.base_url, NAME, API_HOSTS),
            provider=NAME,
            classify=_classify,
            headers=self._headers(),
            **kwargs,
        )

    async def start(self, request: GenerationRequest, ctx: RunContext) -> Outcome:
        body: dict[str, Any] = {
            "prompt": request.prompt,
            "image_size": SIZES[request.size],
            "output_format": "png",
            "enable_safety_checker": True,
        }
        if request.model.remote_name in BATCHED:
            body["num_images"] = 1
        if request.seed is not None:
            body["seed"] = request.seed
        url = f"{self.base_url}/{request.model.remote_name}"
        response = await self._call(ctx, "POST", url, json={**request.extra, **body})
        queued = parse_json(response, _Queued, NAME)
        state = {"response_url": queued.response_url, "cancel_url": queued.cancel_url}
        task = RemoteTask(id=queued.request_id, poll_url=queued.status_url, state=state)
        return Pending(task, message="Queued")

    async def poll(self, task: RemoteTask, ctx: RunContext) -> Outcome:
        url = task.poll_url or ""
        response = await self._call(ctx, "GET", url, params={"logs": "1"})
        status = parse_json(response, _Status, NAME)
        if status.status == "IN_QUEUE":
            return Pending(task, message=f"In fal's queue, position {status.queue_position}")
        if status.status == "IN_PROGRESS":
            logs = status.logs or []
            return Pending(task, message=logs[-1].message if logs else "Generating")
        response = await self._call(ctx, "GET", str(task.state.get("response_url")))
        result = parse_json(response, _Result, NAME)
        if any(result.has_nsfw_concepts):
            raise ContentRejected(
                f"{NAME}'s safety checker flagged the generated image.", hint="Rephrase it."
            )
        return Finished(outputs=tuple(ImageURL(i.url) for i in result.images), seed=result.seed)

    async def served_models(self, http: httpx.AsyncClient) -> list[ServedModel] | None:
        """fal's Model Search: every text-to-image endpoint, page by page."""
        served: list[ServedModel] = []
        params = {"category": "text-to-image", "limit": "100"}
        for _ in range(MAX_PAGES):
            response = await send(
                http,
                "GET",
                f"{self.platform_url}/models",
                provider=NAME,
                headers=self._headers(),
                params=params,
            )
            page = parse_json(response, _ModelPage, NAME)
            served += [_served(endpoint) for endpoint in page.models]
            if not (page.has_more and page.next_cursor):
                return served
            params = {**params, "cursor": page.next_cursor}
        raise UnsupportedRequest(f"{NAME} listed more than {MAX_PAGES} pages of models.")

    async def cancel(self, task: RemoteTask, ctx: RunContext) -> None:
        response = await self._call(ctx, "PUT", str(task.state.get("cancel_url")))
        json_body(response, NAME)  # fal acknowledges in JSON; anything else is not fal
