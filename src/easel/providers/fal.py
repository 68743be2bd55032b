"""fal.ai's queue API: submit, poll ``status_url``, fetch ``response_url``, ``PUT`` cancel.

Create-then-poll (https://docs.fal.ai/model-apis/model-endpoints/queue). The submit goes
to ``{queue}/{owner}/{app}/{path}``, but fal answers with follow-up URLs under
``{owner}/{app}/requests/{id}`` (the subpath is dropped), so those URLs are always used
as given, after checking they point at fal.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, ClassVar, Literal

import httpx
from pydantic import BaseModel, TypeAdapter, ValidationError

from easel.errors import ContentRejected, ProviderError, ProviderQuotaError
from easel.providers._http import api_url, json_body, parse_json, send
from easel.providers.base import (
    Capabilities,
    ExtraOption,
    Finished,
    GenerationRequest,
    ImageURL,
    ModelInfo,
    Outcome,
    Pending,
    Pricing,
    Provider,
    RemoteTask,
    RunContext,
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


def _model(slug: str, name: str, app: str, usd: str, extras: dict[str, ExtraOption]) -> ModelInfo:
    caps = Capabilities(sizes=tuple(SIZES), seed=True, max_n=4, extra_options=extras)
    return ModelInfo(
        id=f"fal/{slug}",
        name=name,
        provider="fal",
        remote_name=app,
        capabilities=caps,
        pricing=Pricing(per_image=Decimal(usd), source=SOURCE.format(usd), as_of=date(2026, 5, 11)),
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
        "flux-schnell", "FLUX.1 [schnell] on fal", "fal-ai/flux/schnell", "0.003", SCHNELL_EXTRAS
    ),
    _model("flux-dev", "FLUX.1 [dev] on fal", "fal-ai/flux/dev", "0.025", DEV_EXTRAS),
)


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
            "num_images": 1,
            "output_format": "png",
            "enable_safety_checker": True,
        }
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

    async def cancel(self, task: RemoteTask, ctx: RunContext) -> None:
        response = await self._call(ctx, "PUT", str(task.state.get("cancel_url")))
        json_body(response, NAME)  # fal acknowledges in JSON; anything else is not fal
