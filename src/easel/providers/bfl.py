"""Black Forest Labs' own FLUX API: ``POST /v1/{model}`` with ``x-key``, then poll.

Create-then-poll (https://docs.bfl.ai). The submit answers ``{id, polling_url, cost}``; the
``polling_url`` may name another cluster host, so it is always used as given (after
checking it is a BFL host, since the key goes with it). Every outcome, moderation and
"Task not found" included, comes back as a status string inside a 200.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any, ClassVar

import httpx
from pydantic import BaseModel, ValidationError

from easel.errors import ContentRejected, InvalidOutput, ProviderError, UnsupportedRequest
from easel.providers._http import api_url, parse_json, send
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

NAME = "Black Forest Labs"
SOURCE = "docs.bfl.ai and BFL's skills repo [DOC] (dated 2026; as of reading)"
ULTRA_RATIOS = ("21:9", "16:9", "3:2", "4:3", "5:4", "1:1", "4:5", "3:4", "2:3", "9:16", "9:21")
API_HOSTS = (".bfl.ai", ".bfl.ml")
CREDIT_USD = Decimal("0.01")


def _model(slug: str, name: str, caps: Capabilities, usd: str) -> ModelInfo:
    return ModelInfo(
        id=f"bfl/{slug}",
        name=name,
        provider="bfl",
        remote_name=slug,
        capabilities=caps,
        pricing=Pricing(per_image=Decimal(usd), source=SOURCE, as_of=date(2026, 11, 24)),
    )


# Request fields a job may add through ``extra`` (docs.bfl.ai, API reference of each
# endpoint); Easel sets prompt, size, seed and output format itself.
EXTRAS = {
    "safety_tolerance": ExtraOption(
        type="integer", minimum=0, maximum=6, description="0 strictest, 6 least strict."
    ),
    "prompt_upsampling": ExtraOption(type="boolean", description="Let BFL expand the prompt."),
}
ULTRA_EXTRAS = {**EXTRAS, "raw": ExtraOption(type="boolean", description="Less processed look.")}

MODELS = (
    _model(
        "flux-pro-1.1",
        "FLUX1.1 [pro]",
        Capabilities(
            min_side=256, max_side=1440, size_multiple=32, seed=True, max_n=4, extra_options=EXTRAS
        ),
        "0.04",
    ),
    _model(
        "flux-pro-1.1-ultra",
        "FLUX1.1 [pro] Ultra",
        Capabilities(
            aspect_ratios=ULTRA_RATIOS,
            ratio_only=True,
            seed=True,
            max_n=4,
            extra_options=ULTRA_EXTRAS,
        ),
        "0.06",
    ),
)


class _Created(BaseModel):
    id: str
    polling_url: str | None = None
    cost: Decimal | None = None
    """Credits (1 credit = $0.01); only newer answers carry it."""


class _Sample(BaseModel):
    sample: str
    seed: int | None = None


class _Status(BaseModel):
    status: str
    result: _Sample | None = None
    progress: float | None = None
    details: Any = None


class _Issue(BaseModel):
    msg: str


class _Invalid(BaseModel):
    detail: list[_Issue]


def _validation(response: httpx.Response, message: str) -> ProviderError | None:
    """422 bodies are FastAPI's ``detail[]``; join the messages as BFL's own client does."""
    if response.status_code != 422:
        return None
    try:
        issues = "; ".join(i.msg for i in _Invalid.model_validate_json(response.content).detail)
    except ValidationError:
        issues = message
    return UnsupportedRequest(f"{NAME} refused the request: {issues}", status_code=422)


class BFLProvider(Provider):
    id = "bfl"
    display_name = NAME
    key_env_vars = ("BFL_API_KEY",)
    default_base_url = "https://api.bfl.ai"
    result_hosts: ClassVar[tuple[str, ...]] = ("*.bfl.ai",)

    def models(self) -> list[ModelInfo]:
        return list(MODELS)

    def _headers(self) -> dict[str, str]:
        return {"x-key": self.api_key or ""}

    async def start(self, request: GenerationRequest, ctx: RunContext) -> Outcome:
        body: dict[str, Any] = {"prompt": request.prompt, "output_format": "png"}
        if request.model.capabilities.ratio_only:
            body["aspect_ratio"] = request.aspect_ratio or "1:1"
        else:
            body |= {"width": request.width, "height": request.height}
        if request.seed is not None:
            body["seed"] = request.seed
        response = await send(
            ctx.http,
            "POST",
            f"{self.base_url}/v1/{request.model.remote_name}",
            provider=NAME,
            classify=_validation,
            headers=self._headers(),
            json={**request.extra, **body},
        )
        created = parse_json(response, _Created, NAME)
        poll_url = created.polling_url or f"{self.base_url}/v1/get_result?id={created.id}"
        cost = str(created.cost * CREDIT_USD) if created.cost is not None else None
        task = RemoteTask(id=created.id, poll_url=poll_url, state={"cost_usd": cost})
        return Pending(task, message="Submitted")

    async def poll(self, task: RemoteTask, ctx: RunContext) -> Outcome:
        # The key travels with the poll, so it only goes to BFL or the configured host.
        url = api_url(task.poll_url, self.base_url, NAME, API_HOSTS)
        response = await send(ctx.http, "GET", url, provider=NAME, headers=self._headers())
        answer = parse_json(response, _Status, NAME)
        return self._outcome(task, answer, task.state)

    def _outcome(self, task: RemoteTask, answer: _Status, state: Mapping[str, Any]) -> Outcome:
        match answer.status:
            case "Ready" if answer.result is not None:
                cost = state.get("cost_usd")
                return Finished(
                    outputs=(ImageURL(answer.result.sample),),
                    seed=answer.result.seed,
                    cost_usd=Decimal(cost) if cost is not None else None,
                )
            case "Ready":
                raise InvalidOutput(f"{NAME} reported the image ready but sent no sample URL.")
            case "Request Moderated" | "Content Moderated":
                what = "prompt" if answer.status == "Request Moderated" else "generated image"
                raise ContentRejected(
                    f"{NAME} moderated the {what} ({answer.status}).",
                    hint="Rephrase the prompt.",
                )
            case "Error":
                raise ProviderError(f"{NAME} could not generate the image (status Error).")
            case "Task not found":
                raise ProviderError(
                    f"{NAME} no longer knows task {task.id}; it expired or never existed.",
                    hint="Retry the variant to generate it again.",
                )
        progress = answer.progress
        if progress is not None and progress > 1:
            progress /= 100  # the scale is undocumented: take a percentage as well
        return Pending(task, progress=progress, message=answer.status)
