"""The stage that draws the planned subjects and lettering over any backdrop."""

from __future__ import annotations

import math

import numpy as np

from easel.providers._procedural.backdrops import _paint_shore
from easel.providers._procedural.canvas import Canvas, _Sketch
from easel.providers._procedural.lettering import text_mask
from easel.providers._procedural.plan import Scene
from easel.providers._procedural.primitives import RGB, Arr, _blend, _glow, _mix, _scale, _v
from easel.providers._procedural.staging import (
    EMBLEM_CENTRE,
    Placed,
    emblem_radius,
    subject_seed,
)
from easel.providers._procedural.subjects import COMMON_ROLES, LIBRARY, Frame, Look, Pen
from easel.providers._procedural.subjects.pen import ellipse_pts, rounded_rect

# How the light of each mood colours what it falls on.
_AMBIENT: dict[str, RGB] = {
    "night": (0.5, 0.56, 0.78), "neon": (0.68, 0.55, 0.86), "space": (0.88, 0.88, 0.96),
    "storm": (0.72, 0.75, 0.8), "sunset": (1.0, 0.84, 0.74), "dawn": (1.0, 0.92, 0.88),
    "fire": (1.0, 0.74, 0.6), "mystic": (0.76, 0.9, 0.9), "autumn": (1.0, 0.96, 0.9),
    "winter": (0.94, 0.97, 1.0),
}  # fmt: skip
_INDOOR = frozenset({"interior", "studio"})


def stage_name(scene: Scene) -> str:
    """What the progress message says while this stage runs: "Drawing the boat"."""
    names: list[str] = []
    for p in scene.subjects:
        if p.noun not in names:
            names.append(p.noun)
    if not names:
        return "Lettering"
    listed = " and the ".join([", the ".join(names[:-1]), names[-1]] if len(names) > 1 else names)
    return f"Drawing the {listed}"


def _paint_subjects(c: Canvas) -> None:
    """Every planned subject from the back to the front, then the lettering."""
    s = c.scene
    if s.shore is not None:
        _paint_shore(c)
    if s.lettering is not None and s.lettering.emblem is not None:
        _badge(c)
    for index, p in enumerate(s.subjects):
        _draw(c, index, p)
    if s.lettering is not None:
        _letters(c)


def _look(c: Canvas, p: Placed, x: float, y: float) -> Look:
    s = c.scene
    spec = LIBRARY[p.kind]
    ambient = (1.0, 0.98, 0.95) if s.layout in _INDOOR else _AMBIENT.get(s.mood, (1.0, 1.0, 1.0))
    colours = {
        **COMMON_ROLES,
        **spec.roles,
        "main": p.colour,
        "dark": _scale(p.colour, 0.62),
        "light": _mix(p.colour, (1.0, 1.0, 1.0), 0.42),
        "window": COMMON_ROLES["lamp"] if s.night else COMMON_ROLES["glass"],
        **dict(p.parts),
    }
    lx, ly = c.light[0] - x, c.light[1] - y
    norm = math.hypot(lx, ly) or 1.0
    ink = _mix(s.palette["ink"], (0, 0, 0), 0.4)
    named = p.colour_word is not None
    parts = frozenset(role for role, _ in p.parts)
    return Look(colours, ambient, (lx / norm, ly / norm), ink, s.mood, named, parts)


def _draw(c: Canvas, index: int, p: Placed) -> None:
    s = c.scene
    spec = LIBRARY[p.kind]
    w, h = s.width, s.height
    unit = p.height * h
    if unit < 2:
        return
    stretch = max(1.0, p.width * w / (unit * spec.aspect))
    frame = Frame(p.x * w, p.y * h, unit, p.facing, spec.box, stretch)
    look = _look(c, p, frame.x, frame.foot - unit / 2)
    rng = s.rng(subject_seed(index, p))
    pen = Pen(frame, look, (w, h), rng, p.traits, p.text, p.place)
    spec.draw(pen)
    shadow = 0.3 if p.place in ("ground", "table", "floor", "centre") else 0.0
    water = s.palette["water"] if p.place == "water" else None
    pen.commit(c.rgb, outline=0.012 if unit > 40 else 0.0, shadow=shadow, reflect=water)


def _badge(c: Canvas) -> None:
    """The emblem behind a logo: a circle, shield, hexagon or rounded square."""
    s = c.scene
    lettering = s.lettering
    assert lettering is not None and lettering.emblem is not None
    cx, cy = s.width * EMBLEM_CENTRE[0], s.height * EMBLEM_CENTRE[1]
    r = s.height * emblem_radius(s.width / s.height)
    pts = _badge_outline(lettering.emblem, cx, cy, r)
    colour = lettering.colour
    ring = _mix(colour, (1.0, 1.0, 1.0), 0.85)
    sketch = _Sketch(s.width, max(0, math.floor(cy - r) - 2), min(s.height, math.ceil(cy + r) + 2))
    # A coloured rim, a pale line, a thin coloured line, and the pale field inside.
    field = _mix(colour, (1.0, 1.0, 1.0), 0.92)
    for scale, tone in ((1.0, colour), (0.9, ring), (0.84, colour), (0.8, field)):
        sketch.polygon([(cx + (x - cx) * scale, cy + (y - cy) * scale) for x, y in pts], tone)
    sketch.composite(c.rgb)
    if not s.subjects:  # no picture for this business: its initials instead
        initials = "".join(word[0] for word in lettering.text.split()[:2]).upper()
        mask = text_mask(initials, round(r * 1.1), round(r * 0.9), 800)
        if mask is not None:
            _stamp(
                c.rgb, mask, colour, (round(cx - mask.shape[1] / 2), round(cy - mask.shape[0] / 2))
            )


def _badge_outline(kind: str, cx: float, cy: float, r: float) -> list[tuple[float, float]]:
    if kind == "circle":
        return ellipse_pts(cx, cy, r, r, n=96)
    if kind == "hexagon":
        return [
            (cx + r * math.cos(a), cy + r * math.sin(a))
            for a in np.linspace(0, 2 * math.pi, 7)[:-1] + math.pi / 6
        ]
    if kind == "square":
        return rounded_rect(cx - r * 0.9, cy - r * 0.9, cx + r * 0.9, cy + r * 0.9, r * 0.25)
    return [
        (cx - r * 0.85, cy - r * 0.9),
        (cx + r * 0.85, cy - r * 0.9),
        (cx + r * 0.85, cy + r * 0.1),
        (cx, cy + r),
        (cx - r * 0.85, cy + r * 0.1),
    ]


def _letters(c: Canvas) -> None:
    """The words, as large as fit their box, with a soft shadow (or a glow at night)."""
    s = c.scene
    lettering = s.lettering
    assert lettering is not None
    w, h = s.width, s.height
    bx0, by0, bx1, by1 = lettering.box
    mask = text_mask(
        lettering.text, round((bx1 - bx0) * w), round((by1 - by0) * h), lettering.weight
    )
    if mask is None:
        return
    mh, mw = mask.shape
    x0 = round((bx0 + bx1) / 2 * w - mw / 2)
    y0 = round((by0 + by1) / 2 * h - mh / 2)
    if s.night or s.mood == "neon":
        colour = _v(lettering.colour)
        _glow(c.rgb, x0 + mw / 2, y0 + mh / 2, max(mw, mh) * 0.45, colour * 0.6, 0.35)
    else:
        off = max(1, round(mh * 0.03))
        _stamp(c.rgb, mask * np.float32(0.25), (0.0, 0.0, 0.0), (x0 + off, y0 + off))
    _stamp(c.rgb, mask, lettering.colour, (x0, y0))


def _stamp(rgb: Arr, mask: Arr, colour: RGB, at: tuple[int, int]) -> None:
    """Paint a coverage mask in one colour with its top-left corner at (x, y), clipped
    to the picture."""
    x, y = at
    h, w = rgb.shape[:2]
    x0, y0 = max(0, x), max(0, y)
    x1, y1 = min(w, x + mask.shape[1]), min(h, y + mask.shape[0])
    if x1 > x0 and y1 > y0:
        _blend(rgb, _v(colour), mask[y0 - y : y1 - y, x0 - x : x1 - x], y0, x0)
