"""Buildings and structures: houses, barns, churches, castles, lighthouses, windmills,
bridges, towers and tents. Seen from the front or side, standing on y = 0."""

from __future__ import annotations

import math

from easel.providers._procedural.subjects.pen import Pen, arc
from easel.providers._procedural.subjects.registry import subject


def _window(pen: Pen, x0: float, y0: float, x1: float, y1: float, frame: str = "white") -> None:
    """A window with a frame and a cross of glazing bars; lit at night."""
    m = (x1 - x0) * 0.12
    pen.rect(x0 - m, y0 - m, x1 + m, y1 + m, frame, shade="flat")
    pen.rect(x0, y0, x1, y1, "window", shade="flat" if pen.look.night else "lit")
    bar = max((x1 - x0) * 0.08, pen.px)
    pen.stroke([((x0 + x1) / 2, y0), ((x0 + x1) / 2, y1)], bar, frame)
    pen.stroke([(x0, (y0 + y1) / 2), (x1, (y0 + y1) / 2)], bar, frame)


def _arched(pen: Pen, cx: float, y0: float, w: float, h: float, fill: str) -> None:
    """An arched opening (a church window, a gate)."""
    pen.poly(
        [(cx - w / 2, y0), (cx + w / 2, y0), *arc(cx, y0 + h - w / 2, w / 2, w / 2, 0, 180)],
        fill,
        shade="flat",
    )


def _battlements(pen: Pen, x0: float, x1: float, y: float, size: float, fill: str) -> None:
    n = max(2, round((x1 - x0) / (size * 2)))
    step = (x1 - x0) / (2 * n - 1)
    for k in range(n):
        x = x0 + 2 * k * step
        pen.rect(x, y - size * 0.1, x + step, y + size, fill, shade="lit")


def _flag(pen: Pen, x: float, y: float, size: float) -> None:
    pen.stroke([(x, y), (x, y + size)], size * 0.06, "darkwood")
    pen.poly(
        [(x, y + size), (x + size * 0.6, y + size * 0.85), (x, y + size * 0.7)],
        "flag",
        shade="flat",
    )


@subject(
    "house",
    metres=8,
    nouns=("cottage", "home", "cabin", "hut", "bungalow", "farmhouse", "village:village"),
    habitat="ground",
    aspect=1.15,
    scale=0.34,
    colours=("#f2e6c9", "#f4f2ec", "#f3d27a", "#a9c8e0", "#efb7b7", "#b5553a", "#cfe3c0"),
    box=(-0.6, 0.6, 0.0, 1.02),
    door="#7a3b2a",
    shutter="#3f6a8a",
)  # fmt: skip
def house(pen: Pen) -> None:
    pen.rect(0.2, 0.7, 0.31, 1.0, "brick", shade="lit")  # chimney
    pen.rect(0.18, 0.96, 0.33, 1.0, "darkstone", shade="flat")
    pen.rect(-0.46, 0.0, 0.46, 0.6, "main")
    roof = [(-0.57, 0.56), (0.57, 0.56), (0.4, 0.9), (-0.4, 0.9)]
    pen.poly(roof, "roof", shade="lit")
    for y in (0.66, 0.76, 0.84):
        half = 0.57 - (y - 0.56) * 0.5
        pen.stroke([(-half, y), (half, y)], 0.008, "dark:roof")
    pen.rect(-0.09, 0.0, 0.09, 0.36, "door", r=0.03)
    pen.oval(0.05, 0.17, 0.012, 0.012, "gold")
    for x0 in (-0.37, 0.18):
        _window(pen, x0, 0.25, x0 + 0.19, 0.45)
        pen.rect(x0 - 0.07, 0.235, x0 - 0.03, 0.465, "shutter", shade="flat")
        pen.rect(x0 + 0.22, 0.235, x0 + 0.26, 0.465, "shutter", shade="flat")


@subject(
    "barn",
    metres=9,
    nouns=("farm", "stable", "shed"),
    habitat="ground",
    aspect=1.1,
    scale=0.36,
    colours=("#a8302a", "#8a2a24", "#b5553a", "#6e4a2a"),
    roof="#4a4a52",
)  # fmt: skip
def barn(pen: Pen) -> None:
    pen.poly(
        [
            (-0.5, 0.0),
            (0.5, 0.0),
            (0.5, 0.55),
            (0.38, 0.8),
            (0.0, 0.96),
            (-0.38, 0.8),
            (-0.5, 0.55),
        ],
        "main",
    )
    pen.poly(
        [
            (-0.55, 0.53),
            (-0.38, 0.82),
            (0.0, 1.0),
            (0.38, 0.82),
            (0.55, 0.53),
            (0.5, 0.53),
            (0.36, 0.78),
            (0.0, 0.94),
            (-0.36, 0.78),
            (-0.5, 0.53),
        ],
        "roof",
        shade="flat",
    )
    pen.rect(-0.22, 0.0, 0.22, 0.42, "dark", shade="flat")
    w = 0.03
    pen.rect(-0.22, 0.0, 0.22, 0.42, "white", shade="flat", r=0)
    pen.rect(-0.22 + w, w, 0.22 - w, 0.42 - w, "main", shade="lit")
    pen.stroke([(-0.2, 0.02), (0.2, 0.4)], w, "white")
    pen.stroke([(-0.2, 0.4), (0.2, 0.02)], w, "white")
    pen.stroke([(0.0, 0.02), (0.0, 0.4)], w, "white")
    _window(pen, -0.08, 0.6, 0.08, 0.74)


@subject(
    "church",
    metres=20,
    nouns=("chapel", "cathedral", "steeple"),
    habitat="ground",
    aspect=1.05,
    scale=0.5,
    colours=("#f4f2ec", "#d9cfbf", "#b7ada0", "#e8dcc4"),
    roof="#5a5f6a",
)  # fmt: skip
def church(pen: Pen) -> None:
    pen.rect(-0.52, 0.0, 0.12, 0.4, "main")
    pen.poly([(-0.56, 0.38), (0.12, 0.38), (0.12, 0.62), (-0.22, 0.62)], "roof")
    pen.rect(0.12, 0.0, 0.44, 0.66, "main")
    pen.poly([(0.09, 0.66), (0.47, 0.66), (0.28, 0.95)], "roof")
    pen.stroke([(0.28, 0.94), (0.28, 1.03)], 0.015, "gold")
    pen.stroke([(0.25, 1.0), (0.31, 1.0)], 0.015, "gold")
    _arched(pen, 0.28, 0.0, 0.16, 0.26, "door")
    _arched(pen, 0.28, 0.44, 0.09, 0.14, "window")
    for x in (-0.42, -0.22, -0.02):
        _arched(pen, x, 0.12, 0.09, 0.2, "window")


@subject(
    "castle",
    metres=25,
    nouns=("palace", "fortress", "fort", "citadel", "chateau"),
    habitat="ground",
    aspect=1.45,
    scale=0.46,
    colours=("#b7ada0", "#d9c9a8", "#9a948c", "#e6e0d6"),
    roof="#3a5a9a",
    flag="#d7262b",
)  # fmt: skip
def castle(pen: Pen) -> None:
    pen.rect(-0.55, 0.0, 0.55, 0.42, "main")
    _battlements(pen, -0.55, 0.55, 0.42, 0.05, "main")
    pen.rect(-0.2, 0.0, 0.2, 0.64, "main")
    _battlements(pen, -0.2, 0.2, 0.64, 0.05, "main")
    _arched(pen, 0.0, 0.0, 0.16, 0.24, "darkwood")
    for x in (-0.08, 0.08):
        _arched(pen, x, 0.46, 0.05, 0.1, "window")
    for x in (-0.58, 0.58):
        pen.rect(x - 0.12, 0.0, x + 0.12, 0.7, "main", shade="cyl")
        pen.poly([(x - 0.15, 0.69), (x + 0.15, 0.69), (x, 0.93)], "roof", shade="lit")
        _arched(pen, x, 0.42, 0.06, 0.12, "window")
        _flag(pen, x, 0.93, 0.08)
    for x in (-0.4, -0.28, 0.28, 0.4):
        _arched(pen, x, 0.2, 0.04, 0.08, "window")


@subject(
    "lighthouse",
    metres=25,
    nouns=("light house", "beacon"),
    habitat="ground",
    aspect=0.34,
    scale=0.58,
    colours=("#d7262b", "#1f3f8a", "#2a2a30", "#3f8a5a"),
    box=(-0.34, 0.34, 0.0, 1.0),
    setting=("water",),
)  # fmt: skip
def lighthouse(pen: Pen) -> None:
    pen.blob(
        [(-0.32, 0.0), (-0.26, 0.06), (-0.1, 0.09), (0.12, 0.08), (0.3, 0.05), (0.33, 0.0)],
        "darkstone",
    )
    base, top, y0, y1 = 0.13, 0.085, 0.05, 0.72
    bands = 5
    for k in range(bands):
        ya, yb = y0 + (y1 - y0) * k / bands, y0 + (y1 - y0) * (k + 1) / bands
        wa, wb = base + (top - base) * k / bands, base + (top - base) * (k + 1) / bands
        pen.poly(
            [(-wa, ya), (wa, ya), (wb, yb), (-wb, yb)],
            "main" if k % 2 == 0 else "white",
            shade="cyl",
        )
    pen.rect(-0.03, y0, 0.03, y0 + 0.09, "darkwood", shade="flat", r=0.02)
    pen.rect(-0.125, 0.72, 0.125, 0.75, "black", shade="flat")
    pen.rect(-0.075, 0.75, 0.075, 0.86, "lamp" if pen.look.night else "glass", shade="flat")
    for x in (-0.075, 0.0, 0.075):
        pen.stroke([(x, 0.75), (x, 0.86)], 0.01, "black")
    pen.poly(arc(0.0, 0.86, 0.09, 0.09, 0, 180), "main", shade="round")
    pen.stroke([(0.0, 0.94), (0.0, 0.99)], 0.012, "black")
    pen.stroke([(-0.125, 0.79), (0.125, 0.79)], 0.008, "black")
    if pen.look.night or pen.look.mood == "storm":
        pen.glow(0.0, 0.8, 0.12, "lamp", 0.9)
        pen.glow(0.0, 0.8, 0.5, "lamp", 0.25)


@subject(
    "windmill",
    metres=15,
    nouns=("wind mill", "mill"),
    habitat="ground",
    aspect=1.0,
    scale=0.5,
    colours=("#f4f2ec", "#b7ada0", "#9a6a3f", "#d9c9a8"),
    box=(-0.52, 0.52, 0.0, 1.12),
    sail="#f7f3e8",
)  # fmt: skip
def windmill(pen: Pen) -> None:
    pen.poly([(-0.2, 0.0), (0.2, 0.0), (0.12, 0.62), (-0.12, 0.62)], "main", shade="cyl")
    pen.poly([(-0.15, 0.61), (0.15, 0.61), *arc(0.0, 0.61, 0.15, 0.14, 0, 180)], "roof")
    pen.rect(-0.05, 0.0, 0.05, 0.14, "door", r=0.04)
    _window(pen, -0.035, 0.32, 0.035, 0.4)
    hub = (0.0, 0.66)
    turn = float(pen.rng.uniform(0, math.pi / 2))
    for k in range(4):
        a = turn + k * math.pi / 2
        ca, sa = math.cos(a), math.sin(a)
        nx, ny = -sa, ca

        def at(
            r: float, off: float, ca: float = ca, sa: float = sa, nx: float = nx, ny: float = ny
        ) -> tuple[float, float]:
            return (hub[0] + ca * r + nx * off, hub[1] + sa * r + ny * off)

        pen.poly([at(0.1, 0.0), at(0.46, 0.0), at(0.46, 0.1), at(0.1, 0.1)], "sail", shade="flat")
        for r in (0.19, 0.28, 0.37):
            pen.stroke([at(r, 0.0), at(r, 0.1)], 0.008, "darkwood")
        pen.stroke([at(0.0, 0.0), at(0.48, 0.0)], 0.016, "darkwood")
    pen.oval(*hub, 0.03, 0.03, "darkwood")


@subject(
    "bridge",
    metres=15,
    nouns=("viaduct", "aqueduct"),
    habitat="water",
    aspect=3.0,
    scale=0.22,
    colours=("#b7ada0", "#d9c9a8", "#a8674a", "#8f8a84"),
    span=True,
)  # fmt: skip
def bridge(pen: Pen) -> None:
    outline = [(-1.5, 0.78), (1.5, 0.78), (1.5, 0.0)]
    for cx in (0.95, 0.0, -0.95):
        outline += [(cx + 0.36, 0.0), *arc(cx, 0.0, 0.36, 0.5, 0, 180, 20), (cx - 0.36, 0.0)]
    outline.append((-1.5, 0.0))
    pen.poly(outline, "main")
    pen.rect(-1.5, 0.66, 1.5, 0.78, "dark", shade="flat")
    pen.rect(-1.52, 0.78, 1.52, 0.82, "light", shade="flat")
    for cx in (0.95, 0.0, -0.95):
        pen.stroke(arc(cx, 0.0, 0.41, 0.56, 0, 180, 20), 0.03, "dark")
    for y in (0.16, 0.33, 0.5):
        for x in (-1.48, -0.5, 0.48, 1.45):
            pen.stroke([(x - 0.04, y), (x + 0.04, y)], 0.012, "dark")


@subject(
    "tower",
    metres=15,
    nouns=("turret", "keep", "watchtower"),
    habitat="ground",
    aspect=0.4,
    scale=0.5,
    colours=("#b7ada0", "#d9c9a8", "#9a948c"),
)  # fmt: skip
def tower(pen: Pen) -> None:
    pen.rect(-0.14, 0.0, 0.14, 0.74, "main", shade="cyl")
    for y in (0.15, 0.3, 0.45, 0.6):
        pen.stroke([(-0.14, y), (0.14, y)], 0.006, "dark")
    pen.rect(-0.17, 0.72, 0.17, 0.76, "dark", shade="flat")
    pen.poly([(-0.2, 0.75), (0.2, 0.75), (0.0, 1.0)], "roof")
    _arched(pen, 0.0, 0.0, 0.1, 0.18, "darkwood")
    _arched(pen, 0.0, 0.5, 0.06, 0.12, "window")


@subject(
    "tent",
    metres=2,
    nouns=("camp", "campsite", "teepee", "tipi"),
    habitat="ground",
    aspect=1.5,
    scale=0.2,
    colours=("#e8742a", "#3f8a5a", "#2a5bd7", "#d7262b", "#e8b526"),
)  # fmt: skip
def tent(pen: Pen) -> None:
    pen.poly([(-0.75, 0.0), (0.75, 0.0), (0.05, 1.0)], "main", shade="lit")
    pen.poly([(-0.18, 0.0), (0.3, 0.0), (0.05, 0.62)], "dark", shade="flat")
    pen.poly([(0.05, 0.62), (0.3, 0.0), (0.45, 0.0)], "light", shade="flat")
    pen.stroke([(0.05, 1.0), (0.05, 1.0)], 0.03, "darkwood")
    for sx in (-1, 1):
        pen.stroke([(0.05 + sx * 0.35, 0.5), (sx * 0.95, 0.0)], 0.01, "darkwood")
