"""The built-in offline engine: always available, no network, no key, no cost.

It is a procedural painter (`easel.providers._procedural`), not an AI model: it reads
colour, mood, subject and shape words from the prompt and paints a composed scene from
them. Output is deterministic in (prompt, seed, size, style, negative prompt).

Each painting stage runs in a worker thread so the event loop stays free, and reports
a small preview when it ends (when someone can see it: ``RunContext.want_previews``).
Cancelling the task stops the work at the next stage boundary (a thread cannot be
interrupted mid-stage; the stage's result is discarded).
"""

from __future__ import annotations

import asyncio
from decimal import Decimal

from easel.errors import UnsupportedRequest
from easel.providers import _procedural as painter
from easel.providers.base import (
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
)

DESCRIPTION = (
    "An offline procedural painter built into Easel, not an AI model. It reads colour, "
    "mood and subject words in the prompt (sunset, neon, pastel; mountains, sea, city, "
    "forest, moon; circles, triangles…) and paints a composed landscape, abstract or "
    "nebula from them. Works with no network and no API key, at no cost: for trying "
    "Easel out, demos and tests. Negative words remove the colours or elements they name."
)


def _paint_stage(step: painter.StageFn, canvas: painter.Canvas, preview: bool) -> bytes | None:
    step(canvas)
    return painter.preview(canvas) if preview else None


class OfflineProvider(Provider):
    id = "offline"
    display_name = "Easel offline"

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

    async def start(self, request: GenerationRequest, ctx: RunContext) -> Finished:
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
        png = await asyncio.to_thread(painter.encode_png, canvas)
        await ctx.report(1.0, "Finished", preview)
        return Finished(outputs=(ImageBytes(png, "image/png"),), seed=seed)
