"""The painting stages of each layout, and encoding the canvas as PNG or preview."""

from __future__ import annotations

import io
from collections.abc import Callable

from PIL import Image

from easel.providers._procedural.backdrops import (
    _compose_interior,
    _compose_studio,
    _compose_underwater,
    _paint_floor,
    _paint_rays,
    _paint_table,
    _paint_window,
)
from easel.providers._procedural.canvas import Canvas, new_canvas
from easel.providers._procedural.drawing import _paint_subjects, stage_name
from easel.providers._procedural.finishing import _paint_texture
from easel.providers._procedural.geometric import (
    _compose_geometric,
    _paint_accents,
    _paint_large_shapes,
    _paint_small_shapes,
)
from easel.providers._procedural.landscape import _paint_details, _paint_land
from easel.providers._procedural.nebula import (
    _compose_nebula,
    _paint_gas,
    _paint_planet,
    _paint_starfield,
)
from easel.providers._procedural.plan import Scene
from easel.providers._procedural.primitives import _to_uint8
from easel.providers._procedural.sky import _compose_landscape, _paint_sky
from easel.providers._procedural.vocabulary import Layout

StageFn = Callable[[Canvas], None]
Stage = tuple[str, StageFn]

_STAGES: dict[Layout, tuple[Stage, ...]] = {
    "landscape": (
        ("Composing the scene", _compose_landscape),
        ("Painting the sky", _paint_sky),
        ("Shaping the land", _paint_land),
        ("Adding details", _paint_details),
        ("Light and texture", _paint_texture),
    ),
    "geometric": (
        ("Laying out the grid", _compose_geometric),
        ("Placing large shapes", _paint_large_shapes),
        ("Adding smaller shapes", _paint_small_shapes),
        ("Drawing accents", _paint_accents),
        ("Light and texture", _paint_texture),
    ),
    "nebula": (
        ("Composing the field", _compose_nebula),
        ("Lighting the gas", _paint_gas),
        ("Scattering stars", _paint_starfield),
        ("Adding bodies", _paint_planet),
        ("Light and texture", _paint_texture),
    ),
    "interior": (
        ("Setting up the room", _compose_interior),
        ("Opening the window", _paint_window),
        ("Laying the table", _paint_table),
        ("Light and texture", _paint_texture),
    ),
    "studio": (
        ("Hanging the backdrop", _compose_studio),
        ("Lighting the floor", _paint_floor),
        ("Light and texture", _paint_texture),
    ),
    "underwater": (
        ("Filling the sea", _compose_underwater),
        ("Lighting the water", _paint_rays),
        ("Light and texture", _paint_texture),
    ),
}


def stages(scene: Scene) -> tuple[Stage, ...]:
    """The painting steps for a scene, in order; each mutates the canvas. Subjects and
    lettering are drawn in their own stage, just before light and texture."""
    base = _STAGES[scene.layout]
    if not scene.subjects and scene.lettering is None:
        return base
    return (*base[:-1], (stage_name(scene), _paint_subjects), base[-1])


def encode_png(c: Canvas) -> bytes:
    """The final image as a plain PNG: no text, time or colour-profile chunks."""
    buf = io.BytesIO()
    Image.fromarray(_to_uint8(c.rgb), "RGB").save(buf, format="PNG", compress_level=2)
    return buf.getvalue()


def preview(c: Canvas, max_side: int = 128) -> bytes:
    """A small WebP of the canvas as it stands, for progress reports."""
    h, w = c.rgb.shape[:2]
    k = max(1, max(h, w) // (max_side * 2))
    img = Image.fromarray(_to_uint8(c.rgb[::k, ::k]), "RGB")
    img.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    buf = io.BytesIO()
    img.save(buf, format="WEBP", quality=70)
    return buf.getvalue()


def render(scene: Scene) -> bytes:
    """Paint every stage and encode; the synchronous path for tools and benchmarks."""
    canvas = new_canvas(scene)
    for _, step in stages(scene):
        step(canvas)
    return encode_png(canvas)
