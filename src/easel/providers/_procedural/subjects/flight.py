"""Things that fly: aeroplanes, rockets, hot air balloons, party balloons, kites and
flying saucers. y = 0 is the bottom of the drawing; the layout puts them in the sky."""

from __future__ import annotations

import math

from easel.providers._procedural.subjects.pen import Pen, arc, smooth
from easel.providers._procedural.subjects.registry import subject


@subject(
    "airplane",
    metres=15,
    nouns=("aeroplane", "plane", "jet", "airliner", "aircraft", "jumbo jet", "biplane"),
    habitat="sky",
    aspect=2.4,
    scale=0.13,
    colours=("#f4f2ec", "#d7262b", "#2a5bd7", "#b9c0c8"),
)  # fmt: skip
def airplane(pen: Pen) -> None:
    pen.poly([(-0.2, 0.5), (0.25, 0.5), (-0.35, 0.95), (-0.5, 0.95)], "dark", shade="lit")
    pen.poly([(-1.1, 0.55), (-1.2, 1.0), (-1.0, 1.0), (-0.75, 0.6)], "trim|main", shade="lit")
    body = smooth(
        [
            (-1.15, 0.55),
            (-0.6, 0.42),
            (0.8, 0.4),
            (1.15, 0.5),
            (1.05, 0.62),
            (0.6, 0.68),
            (-0.8, 0.66),
        ],
        closed=True,
        steps=4,
    )
    pen.poly(body, "main", shade="lit")
    pen.poly([(0.92, 0.62), (1.07, 0.56), (1.02, 0.64)], "glass", shade="flat")
    x = -0.6
    while x < 0.75:
        pen.oval(x, 0.57, 0.03, 0.035, "window", shade="flat")
        x += 0.12
    pen.poly([(-0.1, 0.48), (0.3, 0.48), (-0.25, 0.05), (-0.42, 0.05)], "light", shade="lit")
    pen.rect(-0.05, 0.3, 0.25, 0.42, "steel", shade="cyl", r=0.05)


@subject(
    "rocket",
    metres=40,
    nouns=("spaceship", "space ship", "rocketship", "space shuttle", "shuttle"),
    habitat="space",
    aspect=0.5,
    scale=0.5,
    colours=("#d7262b", "#2a5bd7", "#f2c12e", "#3f8a5a"),
    box=(-0.3, 0.3, -0.12, 1.0),
)  # fmt: skip
def rocket(pen: Pen) -> None:
    pen.poly(
        [(-0.09, 0.16), (0.09, 0.16), (0.05, -0.12), (0.0, 0.0), (-0.05, -0.12)],
        "flame",
        shade="flat",
    )
    pen.poly([(-0.05, 0.16), (0.05, 0.16), (0.0, 0.02)], "lamp", shade="flat")
    pen.glow(0.0, 0.06, 0.14, "flame", 0.8)
    for side in (-1, 1):
        pen.poly(
            [(side * 0.11, 0.42), (side * 0.27, 0.14), (side * 0.27, 0.04), (side * 0.11, 0.18)],
            "main",
            shade="lit",
        )
    pen.rect(-0.1, 0.14, 0.1, 0.2, "steel", shade="cyl")
    body = [
        (-0.14, 0.2),
        (0.14, 0.2),
        *smooth([(0.14, 0.2), (0.15, 0.55), (0.09, 0.85), (0.0, 1.0)])[1:],
        *smooth([(0.0, 1.0), (-0.09, 0.85), (-0.15, 0.55), (-0.14, 0.2)])[1:],
    ]
    pen.poly(body, "white", shade="cyl")
    pen.poly([p for p in body if p[1] >= 0.78], "main", shade="cyl")
    pen.oval(0.0, 0.58, 0.075, 0.075, "steel", shade="flat")
    pen.oval(0.0, 0.58, 0.055, 0.055, "glass", shade="round")
    pen.rect(-0.02, 0.2, 0.02, 0.44, "main", shade="flat")


@subject(
    "hot air balloon",
    metres=20,
    nouns=("air balloon", "hot-air balloon", "montgolfier"),
    habitat="sky",
    aspect=0.75,
    scale=0.36,
    colours=("#d7262b", "#f2c12e", "#2a5bd7", "#e8742a", "#3f8a5a", "#9a5ad0"),
)  # fmt: skip
def hot_air_balloon(pen: Pen) -> None:
    ys = [0.32 + 0.68 * k / 24 for k in range(25)]
    gores = 8
    for k in range(gores):
        a0, a1 = -1 + 2 * k / gores, -1 + 2 * (k + 1) / gores
        pts = [(_width(y) * a1, y) for y in ys] + [(_width(y) * a0, y) for y in reversed(ys)]
        pen.poly(pts, "main" if k % 2 == 0 else "trim|white", shade="cyl")
    for side in (-1, 1):
        pen.stroke([(side * 0.1, 0.33), (side * 0.08, 0.14)], 0.008, "darkwood")
    pen.rect(-0.09, 0.0, 0.09, 0.14, "basket", shade="lit", r=0.02)
    pen.rect(-0.1, 0.12, 0.1, 0.15, "darkwood", shade="flat")
    if pen.look.night:
        pen.glow(0.0, 0.35, 0.12, "flame", 0.6)


def _width(y: float) -> float:
    """Half-width of a balloon's envelope at height y: a narrow throat, then a dome."""
    t = (y - 0.32) / 0.68
    if t >= 0.6:
        return 0.37 * math.sqrt(max(0.0, 1 - ((t - 0.6) / 0.4) ** 2))
    return 0.08 + 0.29 * math.sin(math.pi / 2 * t / 0.6)


@subject(
    "balloon",
    metres=0.4,
    nouns=("party balloon",),
    habitat="sky",
    aspect=0.45,
    scale=0.22,
    colours=("#d7262b", "#2a5bd7", "#f2c12e", "#3f8a5a", "#e8426a", "#9a5ad0"),
    box=(-0.25, 0.25, -0.6, 1.0),
)  # fmt: skip
def balloon(pen: Pen) -> None:
    sway = float(pen.rng.uniform(-0.08, 0.08))
    pen.stroke(
        smooth([(0.0, 0.35), (sway, 0.05), (-sway, -0.25), (sway * 0.5, -0.6)]), 0.01, "string"
    )
    pen.poly([(-0.03, 0.33), (0.03, 0.33), (0.0, 0.38)], "main", shade="flat")
    pen.oval(0.0, 0.68, 0.22, 0.3, "main", shade="round")
    pen.oval(-0.08, 0.8, 0.04, 0.07, "white", shade="flat", rot=0.4, opacity=0.6)


@subject(
    "kite",
    metres=1.0,
    nouns=("box kite",),
    habitat="sky",
    aspect=0.6,
    scale=0.2,
    colours=("#d7262b", "#2a5bd7", "#f2c12e", "#3f8a5a", "#e8742a"),
    box=(-0.6, 0.6, -1.8, 1.0),
)  # fmt: skip
def kite(pen: Pen) -> None:
    top, right, bottom, left = (0.0, 1.0), (0.3, 0.62), (0.0, 0.0), (-0.3, 0.62)
    pen.stroke(smooth([bottom, (-0.2, -0.5), (-0.3, -1.0), (-0.55, -1.8)]), 0.008, "string")
    tail = smooth([bottom, (0.12, -0.25), (0.05, -0.5), (0.18, -0.75)])
    pen.stroke(tail, 0.01, "string")
    for k in (4, 9, 14, 19):
        if k < len(tail):
            x, y = tail[k]
            pen.poly([(x, y), (x - 0.06, y + 0.04), (x - 0.06, y - 0.04)], "ribbon", shade="flat")
            pen.poly([(x, y), (x + 0.06, y + 0.04), (x + 0.06, y - 0.04)], "ribbon", shade="flat")
    pen.poly([top, right, (0.0, 0.62)], "main", shade="flat")
    pen.poly([top, (0.0, 0.62), left], "light", shade="flat")
    pen.poly([left, (0.0, 0.62), bottom], "main", shade="flat")
    pen.poly([(0.0, 0.62), right, bottom], "dark", shade="flat")
    pen.stroke([top, bottom], 0.012, "darkwood")
    pen.stroke([left, right], 0.012, "darkwood")


@subject(
    "ufo",
    metres=10,
    nouns=("flying saucer", "saucer", "spacecraft", "alien ship"),
    habitat="sky",
    aspect=1.6,
    scale=0.2,
    colours=("#b9c0c8", "#9aa8b8", "#c8b8e0"),
    box=(-0.85, 0.85, -1.2, 1.0),
    mood="night",
)  # fmt: skip
def ufo(pen: Pen) -> None:
    pen.poly(
        [(-0.25, 0.3), (0.25, 0.3), (0.6, -1.2), (-0.6, -1.2)], "beam", shade="flat", opacity=0.3
    )
    pen.poly(arc(0.0, 0.55, 0.3, 0.42, 0, 180, 20), "glass", shade="round")
    pen.oval(0.0, 0.45, 0.8, 0.16, "main", shade="round")
    pen.oval(0.0, 0.35, 0.35, 0.08, "dark", shade="flat")
    for k in range(7):
        x = -0.6 + k * 0.2
        pen.oval(x, 0.43, 0.04, 0.03, "lamp", shade="flat")
    pen.glow(0.0, 0.3, 0.5, "beam", 0.25)
