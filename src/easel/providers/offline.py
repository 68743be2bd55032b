"""The built-in offline engine: always available, no network, no key, no cost.

It is a procedural painter (`easel.providers._procedural`), not an AI model: it reads
the things the prompt names (with their count, size and colour), its setting, mood and
colour words, and any words to letter, and paints a composed scene from vector drawings.
Output is deterministic in (prompt, seed, size, style, negative prompt).

Each painting stage runs in a worker thread so the event loop stays free, and reports
a small preview when it ends (when someone can see it: ``RunContext.want_previews``).
Cancelling the task stops the work at the next stage boundary (a thread cannot be
interrupted mid-stage; the stage's result is discarded).

It also does every operation on images (`easel.providers._procedural.run_operation`):
upscale (Lanczos and sharpening), background removal (border-colour segmentation with
a soft matte), inpaint and outpaint (the masked or new area filled in the image's own
palette, every other pixel untouched), variations, edit and style transfer.

``EASEL_PROVIDERS__OFFLINE__OPTIONS__STAGE_PAUSE_SECONDS`` pauses after each stage, so a
demo (or a test of cancelling) sees the engine work like a slow hosted model.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from easel.config import ProviderSettings
from easel.errors import UnsupportedRequest
from easel.providers import _procedural as painter
from easel.providers._procedural.run_operation import run_operation
from easel.providers.base import (
    OPERATIONS,
    Capabilities,
    Finished,
    GenerationRequest,
    ImageBytes,
    ModelInfo,
    Pricing,
    Provider,
    RunContext,
)

MODEL_ID = "offline/procedural"

CAPABILITIES = Capabilities(
    aspect_ratios=("1:1", "4:3", "3:4", "16:9", "9:16", "3:2", "2:3", "21:9", "9:21"),
    min_side=64,
    max_side=2048,
    size_multiple=8,
    max_n=8,
    seed=True,
    negative_prompt=True,
    styles=painter.STYLES,
    previews=True,
    operations=OPERATIONS,
    keeps_source_size=True,
)

DESCRIPTION = (
    "An offline procedural painter built into Easel, not an AI model. It draws about 70 "
    "kinds of things a prompt can name (boats, lighthouses, houses, castles, trees, "
    "flowers, cats, dogs, horses, birds, fish, people and portraits, cars, bicycles, "
    "balloons, cups, bowls of fruit, rockets, dragons, robots…) from vector shapes, "
    "placed, sized and coloured as the prompt says ('two small red boats on a lake at "
    "dawn'), and letters words ('a sign that says OPEN', 'a logo for a bakery'). Other "
    "prompts get a landscape, abstract or nebula from their colour, mood and scenery "
    "words. Works with no network and no API key, at no cost: for trying Easel out, "
    "demos and tests. Negative words remove the colours, elements or subjects they name."
)


def _paint_stage(step: painter.StageFn, canvas: painter.Canvas, preview: bool) -> bytes | None:
    step(canvas)
    return painter.preview(canvas) if preview else None


class OfflineOptions(BaseModel):
    """``EASEL_PROVIDERS__OFFLINE__OPTIONS__*``, shared by the offline painter and the
    offline assistant (one provider id, one settings dict); paces for demos and tests."""

    model_config = ConfigDict(extra="forbid")

    stage_pause_seconds: float = Field(default=0.0, ge=0, le=60)
    """A pause after each painting stage (the engine paints in about a dozen)."""
    word_seconds: float = Field(default=0.0, ge=0, le=1)
    """A pause after each word the offline assistant writes, so the words arrive at a
    reading pace (and a browser test can stop a run mid-stream)."""


class OfflineProvider(Provider):
    id = "offline"
    display_name = "Easel offline"

    def __init__(self, settings: ProviderSettings, environ: Mapping[str, str]) -> None:
        super().__init__(settings, environ)
        self.problem: str | None = None
        try:
            self.options = OfflineOptions.model_validate(settings.options)
        except ValidationError as exc:
            self.options = OfflineOptions()  # listed, and unavailable with the reason
            self.problem = f"EASEL_PROVIDERS__OFFLINE__OPTIONS is invalid: {exc}"

    def models(self) -> list[ModelInfo]:
        return [
            ModelInfo(
                id=MODEL_ID,
                name="Easel Procedural (offline)",
                provider=self.id,
                description=DESCRIPTION,
                remote_name="procedural",
                kind="offline",
                capabilities=CAPABILITIES,
                pricing=Pricing(per_image=Decimal(0), source="built-in offline engine"),
            )
        ]

    def unavailable_reason(self) -> str | None:
        return self.problem

    async def start(self, request: GenerationRequest, ctx: RunContext) -> Finished:
        if request.operation != "generate":
            return await self._operate(request, ctx)
        caps = request.model.capabilities
        for side in (request.width, request.height):
            if not caps.min_side <= side <= caps.max_side:
                raise UnsupportedRequest(
                    f"Size {request.size} is outside {caps.min_side}..{caps.max_side} px per side."
                )
        seed = (
            request.seed if request.seed is not None else painter.seed_from_prompt(request.prompt)
        )
        scene = painter.plan_scene(
            request.prompt,
            seed=seed,
            width=request.width,
            height=request.height,
            style=request.style,
            negative=request.negative_prompt,
        )
        canvas = await asyncio.to_thread(painter.new_canvas, scene)
        steps = painter.stages(scene)
        total = len(steps) + 1  # the last share is the PNG encoding
        preview: bytes | None = None
        for done, (message, step) in enumerate(steps, start=1):
            # A preview costs about as much as a stage at small sizes: only when wanted.
            preview = await asyncio.to_thread(_paint_stage, step, canvas, ctx.want_previews)
            await ctx.report(done / total, message, preview)
            if self.options.stage_pause_seconds:
                await asyncio.sleep(self.options.stage_pause_seconds)
        png = await asyncio.to_thread(painter.encode_png, canvas)
        await ctx.report(1.0, "Finished", preview)
        return Finished(outputs=(ImageBytes(png, "image/png"),), seed=seed)

    async def _operate(self, request: GenerationRequest, ctx: RunContext) -> Finished:
        """An operation on the caller's image: one step of pixel work in a thread."""
        seed = (
            request.seed if request.seed is not None else painter.seed_from_prompt(request.prompt)
        )
        await ctx.report(0.0, request.operation.replace("_", " ").capitalize(), None)
        png = await asyncio.to_thread(run_operation, request, seed)
        await ctx.report(1.0, "Finished", None)
        return Finished(outputs=(ImageBytes(png, "image/png"),), seed=seed)
