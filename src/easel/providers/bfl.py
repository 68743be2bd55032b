"""Black Forest Labs' own FLUX API: ``POST /v1/{model}`` with ``x-key``, then poll.

Create-then-poll. The submit answers ``{id, polling_url, cost, input_mp, output_mp}``;
the ``polling_url`` may name another cluster host, so it is always used as given (after
checking it is a BFL host, since the key goes with it). Every outcome, moderation and
"Task not found" included, comes back as a status string inside a 200.

Facts and where they were read:

* FLUX.2 endpoints (``flux-2-pro``, ``-max``, ``-flex``, ``-klein-4b``, ``-klein-9b``),
  their fields (``width``/``height`` of at least 64 px up to 4 MP, ``seed``,
  ``safety_tolerance``, ``output_format``; ``steps`` and ``guidance`` on [flex]):
  BFL's API reference, https://docs.bfl.ai/api-reference (generated from
  https://api.bfl.ai/openapi.json), and BFL's own client, github.com/black-forest-labs/
  blackforest ``src/bfl/_models.py`` and ``_catalog.py``.
* Prices, "1 credit = $0.01" and the FLUX.2 megapixel formula
  ``first MP + (output MP - 1) x MP price + input MP x MP price``:
  https://docs.bfl.ai/quick_start/pricing and BFL's skills repository,
  github.com/black-forest-labs/skills ``skills/bfl-api/SKILL.md``.
* FLUX1.1 [pro] and Ultra are listed under "Legacy models"; BFL recommends FLUX.2 for
  new work and has announced no shutdown, so they stay active here.
* ``GET /openapi.json`` describes every endpoint the API serves; `served_models` reads
  the POST endpoints tagged ``Models`` from it.

Operations on an image use the same submit-then-poll flow, the image sent as base64:

* ``edit`` (and references for ``generate``) on FLUX.2: ``input_image`` is the image
  worked on, ``input_image_2`` … the references; up to 8 images on [pro], [max] and
  [flex], 4 on [klein] (https://docs.bfl.ai/guides/prompting_editing_overview,
  https://docs.bfl.ai/flux_2/flux2_image_editing). Edits are billed by the input
  megapixels as well: $0.045 on [pro] at 1 MP (the skills repository above).
* ``inpaint`` on FLUX.1 Fill [pro], ``POST /v1/flux-pro-1.0-fill``: ``image`` and a
  black-and-white ``mask`` of its size, white = inpaint
  (`easel.imaging.vendor_masks.BFL_FILL`); ``steps`` 15-50, ``guidance`` 1.5-100; $0.05
  (https://docs.bfl.ai/api-reference/models/generate-an-image-with-flux1-fill-[pro]-using-an-input-image-and-mask).
* ``outpaint`` on FLUX.1 Expand [pro], ``POST /v1/flux-pro-1.0-expand``: ``image`` and
  ``top``/``bottom``/``left``/``right`` pixels, 0-2048 each
  (https://docs.bfl.ai/api-reference/models/expand-an-image-by-adding-pixels-on-any-side);
  its price is not published beside Fill's, so $0.05 is UNVERIFIED (the cost BFL
  reports wins). Fill and Expand are FLUX.1 models BFL still documents and serves; its
  newer outpainting tool (``/v1/flux-tools/outpainting-v1``) is not offered yet.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any, ClassVar

import httpx
from pydantic import BaseModel, ConfigDict, ValidationError

from easel import payloads
from easel.errors import ContentRejected, InvalidOutput, ProviderError, UnsupportedRequest
from easel.providers._http import api_url, parse_json, send
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
    PriceRule,
    Pricing,
    Provider,
    ReferenceImage,
    RemoteTask,
    RunContext,
    ServedModel,
)

NAME = "Black Forest Labs"
API_REFERENCE = "https://docs.bfl.ai/api-reference"
PRICING = "https://docs.bfl.ai/quick_start/pricing"
SKILLS = "github.com/black-forest-labs/skills skills/bfl-api/SKILL.md"
FLUX2_PRICES = f"{PRICING}; edits: {SKILLS} (at 1 MP, one 1 MP input; the cost BFL reports wins)"
PRICED_ON = date(2026, 11, 27)
ULTRA_RATIOS = ("21:9", "16:9", "3:2", "4:3", "5:4", "1:1", "4:5", "3:4", "2:3", "9:16", "9:21")
FLUX2_RATIOS = ("1:1", "16:9", "9:16", "4:3", "3:4", "3:2", "2:3", "21:9", "9:21")
API_HOSTS = (".bfl.ai", ".bfl.ml")
CREDIT_USD = Decimal("0.01")
CURRENT_FAMILY = "flux-2-"
"""How `served_models` tells a current image model from BFL's other endpoints (legacy
FLUX.1, Kontext and Fill editing, tools): only FLUX.2 models are reported missing."""
PREVIEW = "-preview"
"""BFL's moving preview endpoints (``flux-2-pro-preview``) track a pinned model."""

FLUX2_SIZES = Capabilities(
    # Any size of at least 64 px a side, edges multiples of 16, up to 4 MP (2048x2048).
    min_side=64,
    max_side=4096,
    size_multiple=16,
    max_pixels=2048 * 2048,
    aspect_ratios=FLUX2_RATIOS,
    seed=True,
    max_n=4,
    max_prompt_length=32000,
    extra_options={
        "output_format": ExtraOption(type="string", choices=("png", "jpeg")),
        "safety_tolerance": ExtraOption(
            type="integer", minimum=0, maximum=5, description="0 strictest, 5 least strict."
        ),
    },
)
FLUX2_FLEX = FLUX2_SIZES.model_copy(
    update={
        "extra_options": {
            **FLUX2_SIZES.extra_options,
            "steps": ExtraOption(type="integer", minimum=1, maximum=50),
            "guidance": ExtraOption(type="number", minimum=1.5, maximum=10),
            "prompt_upsampling": ExtraOption(type="boolean"),
        }
    }
)
INPUT_SLOTS = 8
"""``input_image`` … ``input_image_8`` on [pro], [max] and [flex]; [klein] takes 4."""
KLEIN_SLOTS = 4


def _editing(caps: Capabilities, slots: int = INPUT_SLOTS) -> Capabilities:
    """FLUX.2 capabilities with editing: the edited image takes the first input slot,
    so a job's references fill the rest."""
    return caps.model_copy(
        update={"operations": ("generate", "edit"), "reference_images": slots - 1}
    )


def _model(
    slug: str,
    name: str,
    caps: Capabilities,
    usd: str,
    description: str,
    *,
    edit_usd: str | None = None,
    source: str = API_REFERENCE,
    price_source: str = FLUX2_PRICES,
) -> ModelInfo:
    rules = (PriceRule(when={"operation": "edit"}, usd=Decimal(edit_usd)),) if edit_usd else ()
    return ModelInfo(
        id=f"bfl/{slug}",
        name=name,
        provider="bfl",
        remote_name=slug,
        description=description,
        capabilities=caps,
        pricing=Pricing(
            per_image=Decimal(usd),
            rules=rules,
            source=price_source,
            as_of=PRICED_ON,
        ),
        lifecycle=Lifecycle(source=source),
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

# FLUX.1 Fill and Expand: the image's own size (larger by the sides for Expand).
FLUX1_TOOLS = {
    "safety_tolerance": EXTRAS["safety_tolerance"],
    "prompt_upsampling": EXTRAS["prompt_upsampling"],
    "output_format": ExtraOption(type="string", choices=("png", "jpeg")),
    "steps": ExtraOption(type="integer", minimum=15, maximum=50),
    "guidance": ExtraOption(type="number", minimum=1.5, maximum=100),
}
FILL = Capabilities(
    operations=("inpaint",),
    keeps_source_size=True,
    seed=True,
    max_n=4,
    extra_options=FLUX1_TOOLS,
)
EXPAND = FILL.model_copy(update={"operations": ("outpaint",)})
EXPAND_MAX_SIDE = 2048
"""The most pixels Expand adds on one side."""
FILL_PAGE = (
    f"{API_REFERENCE}/models/generate-an-image-with-flux1-fill-[pro]-using-an-input-image-and-mask"
)
EXPAND_PAGE = f"{API_REFERENCE}/models/expand-an-image-by-adding-pixels-on-any-side"

MODELS = (
    _model(
        "flux-2-pro",
        "FLUX.2 [pro]",
        _editing(FLUX2_SIZES),
        "0.03",
        "BFL's recommended FLUX.2 model for production: any size up to 4 MP; edits an "
        "image with up to 7 references.",
        edit_usd="0.045",
    ),
    _model(
        "flux-2-max",
        "FLUX.2 [max]",
        _editing(FLUX2_SIZES),
        "0.07",
        "FLUX.2 at its highest quality and prompt following; any size up to 4 MP; edits "
        "an image with up to 7 references.",
        edit_usd="0.10",
    ),
    _model(
        "flux-2-flex",
        "FLUX.2 [flex]",
        _editing(FLUX2_FLEX),
        "0.05",
        "FLUX.2 for typography and fine detail; takes steps (1-50) and guidance (1.5-10) in extra.",
        edit_usd="0.10",
    ),
    _model(
        "flux-2-klein-4b",
        "FLUX.2 [klein] 4B",
        _editing(FLUX2_SIZES, KLEIN_SLOTS),
        "0.014",
        "The fastest and cheapest FLUX.2 model (4B parameters), for drafts and volume.",
        edit_usd="0.015",
    ),
    _model(
        "flux-2-klein-9b",
        "FLUX.2 [klein] 9B",
        _editing(FLUX2_SIZES, KLEIN_SLOTS),
        "0.015",
        "A fast FLUX.2 model (9B parameters) with better quality than klein 4B.",
        edit_usd="0.017",
    ),
    _model(
        "flux-pro-1.0-fill",
        "FLUX.1 Fill [pro]",
        FILL,
        "0.05",
        "FLUX.1 inpainting: repaints the white area of a mask and keeps the rest of the "
        "image as it was.",
        source=FILL_PAGE,
        price_source=f"{SKILLS} (FLUX.1 models; the cost BFL reports wins)",
    ),
    _model(
        "flux-pro-1.0-expand",
        "FLUX.1 Expand [pro]",
        EXPAND,
        "0.05",
        "FLUX.1 outpainting: adds up to 2048 px on any side of an image and fills them to match.",
        source=EXPAND_PAGE,
    ),
    _model(
        "flux-pro-1.1",
        "FLUX1.1 [pro]",
        Capabilities(
            min_side=256, max_side=1440, size_multiple=32, seed=True, max_n=4, extra_options=EXTRAS
        ),
        "0.04",
        "Legacy FLUX1.1 [pro], still served; BFL recommends FLUX.2 for new work.",
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
        "Legacy FLUX1.1 [pro] Ultra (4 MP by aspect ratio), still served; BFL "
        "recommends FLUX.2 for new work.",
    ),
)


class _Created(BaseModel):
    id: str
    polling_url: str | None = None
    cost: Decimal | None = None
    """Credits (1 credit = $0.01)."""
    input_mp: Decimal | None = None
    output_mp: Decimal | None = None


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


class _Operation(BaseModel):
    tags: list[str] = []


class _PathItem(BaseModel):
    model_config = ConfigDict(extra="ignore")

    post: _Operation | None = None


class _OpenAPI(BaseModel):
    paths: dict[str, _PathItem]


def _validation(response: httpx.Response, message: str) -> ProviderError | None:
    """422 bodies are FastAPI's ``detail[]``; join the messages as BFL's own client does.
    A 404 on a generation endpoint means BFL no longer serves that model."""
    if response.status_code == 404:
        return UnsupportedRequest(
            f"{NAME} does not serve {response.request.url.path} (404): the model was "
            "withdrawn or renamed.",
            hint="`easel models check` lists what Black Forest Labs serves now.",
            status_code=404,
        )
    if response.status_code != 422:
        return None
    try:
        issues = "; ".join(i.msg for i in _Invalid.model_validate_json(response.content).detail)
    except ValidationError:
        issues = message
    return UnsupportedRequest(f"{NAME} refused the request: {issues}", status_code=422)


def _served(path: str, item: _PathItem) -> ServedModel | None:
    """A generation endpoint of BFL's API description, or None for anything else."""
    if item.post is None or "Models" not in item.post.tags or not path.startswith("/v1/"):
        return None
    name = path.removeprefix("/v1/")
    preview = name.removesuffix(PREVIEW) if name.endswith(PREVIEW) else None
    return ServedModel(remote_name=name, image=name.startswith(CURRENT_FAMILY), snapshot_of=preview)


def _b64(image: ReferenceImage) -> str:
    return payloads.b64encode(image.data)


def input_images(request: GenerationRequest) -> dict[str, str]:
    """``input_image``, ``input_image_2`` …: the image edited first, then the references."""
    source = request.inputs.image
    images = ((source,) if source is not None else ()) + request.reference_images
    return {
        "input_image" if i == 0 else f"input_image_{i + 1}": _b64(image)
        for i, image in enumerate(images)
    }


def _tool_fields(request: GenerationRequest) -> dict[str, Any]:
    """What Fill and Expand take besides the prompt: the image, and the mask or sides."""
    inputs = request.inputs
    if inputs.image is None:
        raise UnsupportedRequest(f"{NAME} needs the image to work on.")
    fields: dict[str, Any] = {"image": _b64(inputs.image)}
    if request.operation == "inpaint" and inputs.mask is not None:
        # The pixel tools load only where an operation needs them.
        from easel.imaging import BFL_FILL, vendor_mask_png

        mask = vendor_mask_png(inputs.mask.data, BFL_FILL)
        fields["mask"] = payloads.b64encode(mask)
    if request.operation == "outpaint" and inputs.extension is not None:
        sides = inputs.extension
        pixels = {"top": sides.top, "bottom": sides.bottom}
        pixels |= {"left": sides.left, "right": sides.right}
        fields |= pixels
        if max(pixels.values()) > EXPAND_MAX_SIDE:
            raise UnsupportedRequest(
                f"{NAME}'s Expand adds at most {EXPAND_MAX_SIDE} px on a side.",
                hint=f"Extend by {EXPAND_MAX_SIDE} px or less on each side, or run it twice.",
            )
    return fields


def request_body(request: GenerationRequest) -> dict[str, Any]:
    """The JSON of one generation; options the user set in ``extra`` pass through."""
    body: dict[str, Any] = {**request.extra, "prompt": request.prompt}
    body["output_format"] = str(request.extra.get("output_format", "png"))
    if "safety_tolerance" in request.extra:
        body["safety_tolerance"] = int(str(request.extra["safety_tolerance"]))
    if request.operation in ("inpaint", "outpaint"):
        body |= _tool_fields(request)  # the result's size follows from the image
    elif request.model.capabilities.ratio_only:
        body["aspect_ratio"] = request.aspect_ratio or "1:1"
    else:
        body |= {"width": request.width, "height": request.height}
        body |= input_images(request)
    if request.seed is not None:
        body["seed"] = request.seed
    return body


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
        response = await send(
            ctx.http,
            "POST",
            f"{self.base_url}/v1/{request.model.remote_name}",
            provider=NAME,
            classify=_validation,
            headers=self._headers(),
            # Encoding images (and a mask) is CPU work: off the event loop.
            json=await asyncio.to_thread(request_body, request),
        )
        created = parse_json(response, _Created, NAME)
        poll_url = created.polling_url or f"{self.base_url}/v1/get_result?id={created.id}"
        state = {
            "cost_usd": str(created.cost * CREDIT_USD) if created.cost is not None else None,
            "usage": _usage(created),
        }
        task = RemoteTask(id=created.id, poll_url=poll_url, state=state)
        return Pending(task, message="Submitted")

    async def poll(self, task: RemoteTask, ctx: RunContext) -> Outcome:
        # The key travels with the poll, so it only goes to BFL or the configured host.
        url = api_url(task.poll_url, self.base_url, NAME, API_HOSTS)
        response = await send(ctx.http, "GET", url, provider=NAME, headers=self._headers())
        answer = parse_json(response, _Status, NAME)
        return self._outcome(task, answer, task.state)

    async def served_models(self, http: httpx.AsyncClient) -> list[ServedModel] | None:
        """``GET /openapi.json``: the generation endpoints BFL's API describes today."""
        response = await send(http, "GET", f"{self.base_url}/openapi.json", provider=NAME)
        paths = parse_json(response, _OpenAPI, NAME).paths
        return [m for m in (_served(path, item) for path, item in paths.items()) if m]

    def _outcome(self, task: RemoteTask, answer: _Status, state: Mapping[str, Any]) -> Outcome:
        match answer.status:
            case "Ready" if answer.result is not None:
                cost = state.get("cost_usd")
                return Finished(
                    outputs=(ImageURL(answer.result.sample),),
                    seed=answer.result.seed,
                    usage=state.get("usage") or None,
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


def _usage(created: _Created) -> dict[str, str]:
    """What BFL reported billing for, kept with the result: credits and megapixels."""
    reported = {"cost_credits": created.cost, "input_mp": created.input_mp}
    reported["output_mp"] = created.output_mp
    return {key: str(value) for key, value in reported.items() if value is not None}
