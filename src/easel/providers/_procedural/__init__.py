"""The offline painter behind `easel.providers.offline`: text in, pixels out, no model.

It is a procedural illustrator, not a generative AI model. The prompt is read twice:
for the things it names (`phrases`: "two small red boats", "a sign that says OPEN"),
which come from a library of vector drawings (`subjects`), and as a bag of known words
(colours, moods, scenery, shapes) that choose a palette, the elements of a scene and a
backdrop (landscape, geometric, nebula, or for subjects a room, a studio or the sea
seen from below). `staging` places and sizes the subjects; the `Scene` lists them with
their kind, colour, size and position before any pixel is drawn. Everything random
comes from per-element generators keyed by the seed and the prompt, so the same inputs
give the same pixels and dropping one element (a negative word) leaves the rest in place.

Painting happens in a few stages on a float32 canvas; smooth layers (sky, clouds, gas,
glow) are computed at a low working resolution and upscaled, silhouettes and small
details are drawn at full resolution so edges stay crisp.
"""

from __future__ import annotations

from easel.providers._procedural.canvas import Canvas, new_canvas
from easel.providers._procedural.plan import Scene, plan_scene, seed_from_prompt
from easel.providers._procedural.stages import (
    Stage,
    StageFn,
    encode_png,
    preview,
    render,
    stages,
)
from easel.providers._procedural.vocabulary import STYLES

__all__ = [
    "STYLES",
    "Canvas",
    "Scene",
    "Stage",
    "StageFn",
    "encode_png",
    "new_canvas",
    "plan_scene",
    "preview",
    "render",
    "seed_from_prompt",
    "stages",
]
