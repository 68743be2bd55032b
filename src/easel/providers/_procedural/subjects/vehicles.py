"""Things with wheels: cars, buses, trucks, trains, bicycles and tractors, seen from
the side facing right, wheels on y = 0."""

from __future__ import annotations

import math

from easel.providers._procedural.subjects.pen import Pen, ellipse_pts, smooth
from easel.providers._procedural.subjects.registry import subject


def wheel(pen: Pen, x: float, r: float, spokes: int = 0) -> None:
    """A tyre, a rim and a hub; spokes for bicycles and locomotives."""
    pen.oval(x, r, r, r, "wheel", shade="round")
    if spokes:
        pen.stroke(ellipse_pts(x, r, r * 0.9, r * 0.9), r * 0.06, "frame", closed=True)
        for k in range(spokes):
            a = k * math.pi / spokes
            dx, dy = math.cos(a) * r * 0.9, math.sin(a) * r * 0.9
            pen.stroke([(x - dx, r - dy), (x + dx, r + dy)], r * 0.025, "metal")
    else:
        pen.oval(x, r, r * 0.55, r * 0.55, "metal", shade="round")
        pen.oval(x, r, r * 0.2, r * 0.2, "steel", shade="flat")


def _lights(pen: Pen, front: tuple[float, float], back: tuple[float, float], r: float) -> None:
    pen.oval(*front, r, r * 0.8, "lamp" if pen.look.night else "cream", shade="flat")
    pen.oval(*back, r * 0.7, r * 0.7, "red", shade="flat")
    if pen.look.night:
        pen.glow(front[0] + r, front[1], 0.25, "lamp", 0.6)


@subject(
    "car",
    metres=1.5,
    nouns=("automobile", "sedan", "taxi:taxi", "cab", "jeep", "convertible", "racecar",
           "race car", "sports car", "coupe"),
    habitat="ground",
    aspect=2.3,
    scale=0.17,
    colours=("#d7262b", "#2a5bd7", "#f2c12e", "#3f8a5a", "#f4f2ec", "#2a2a30", "#b9c0c8"),
    box=(-1.2, 1.2, 0.0, 1.0),
)  # fmt: skip
def car(pen: Pen) -> None:
    body = smooth(
        [
            (-1.12, 0.22),
            (1.12, 0.22),
            (1.14, 0.44),
            (0.98, 0.55),
            (0.52, 0.6),
            (0.3, 0.94),
            (-0.45, 0.96),
            (-0.72, 0.62),
            (-1.1, 0.56),
        ],
        closed=True,
        steps=3,
    )
    pen.poly(body, "main", shade="lit")
    pen.poly([(0.47, 0.62), (0.27, 0.88), (0.02, 0.88), (0.02, 0.62)], "glass", shade="lit")
    pen.poly([(-0.06, 0.62), (-0.06, 0.88), (-0.4, 0.89), (-0.62, 0.62)], "glass", shade="lit")
    pen.stroke([(-0.04, 0.6), (-0.04, 0.24)], 0.015, "dark")
    pen.stroke([(0.5, 0.58), (0.46, 0.26)], 0.015, "dark")
    pen.rect(0.05, 0.46, 0.15, 0.49, "dark", shade="flat", r=0.01)
    pen.rect(-1.14, 0.2, 1.16, 0.28, "steel", shade="flat", r=0.04)
    if "taxi" in pen.traits:
        pen.rect(-0.2, 0.96, 0.05, 1.0, "gold", shade="flat")
    _lights(pen, (1.08, 0.45), (-1.08, 0.46), 0.05)
    for x in (-0.68, 0.68):
        pen.oval(x, 0.22, 0.27, 0.27, "black", shade="flat")
        wheel(pen, x, 0.22)


@subject(
    "bus",
    metres=3,
    nouns=("school bus", "coach", "minibus", "tram", "trolley"),
    habitat="ground",
    aspect=2.8,
    scale=0.26,
    colours=("#f2c12e", "#d7262b", "#3f8a5a", "#2a5bd7"),
)  # fmt: skip
def bus(pen: Pen) -> None:
    pen.rect(-1.4, 0.12, 1.4, 1.0, "main", shade="lit", r=0.08)
    pen.rect(-1.4, 0.12, 1.4, 0.3, "dark", shade="flat", r=0.04)
    x = -1.3
    while x < 1.0:
        pen.rect(x, 0.56, x + 0.28, 0.86, "window", shade="lit", r=0.03)
        x += 0.34
    pen.rect(1.05, 0.3, 1.3, 0.86, "window", shade="lit", r=0.03)
    pen.stroke([(1.175, 0.3), (1.175, 0.86)], 0.02, "dark")
    _lights(pen, (1.37, 0.38), (-1.37, 0.4), 0.05)
    for x in (-0.9, 0.85):
        wheel(pen, x, 0.2)


@subject(
    "truck",
    metres=3.2,
    nouns=("lorry", "van", "pickup", "fire truck:fire", "fire engine:fire", "delivery truck"),
    habitat="ground",
    aspect=2.6,
    scale=0.24,
    colours=("#2a5bd7", "#d7262b", "#f4f2ec", "#3f8a5a", "#e8742a"),
)  # fmt: skip
def truck(pen: Pen) -> None:
    if "fire" in pen.traits and not pen.look.named:
        pen.recolour(main=pen.look.colours["red"])
    pen.rect(
        -1.3, 0.22, 0.55, 1.0, "light" if "fire" not in pen.traits else "main", shade="lit", r=0.03
    )
    pen.poly([(0.6, 0.22), (1.3, 0.22), (1.3, 0.5), (1.15, 0.8), (0.6, 0.8)], "main", shade="lit")
    pen.poly([(0.8, 0.55), (1.12, 0.55), (1.0, 0.74), (0.8, 0.74)], "glass", shade="lit")
    if "fire" in pen.traits:
        for y in (0.5, 0.75):
            pen.stroke([(-1.25, y), (0.5, y)], 0.04, "metal")
        for x in (-1.1, -0.6, -0.1, 0.35):
            pen.stroke([(x, 0.5), (x, 0.75)], 0.03, "metal")
    _lights(pen, (1.27, 0.36), (-1.28, 0.32), 0.045)
    for x in (-0.95, -0.5, 0.9):
        wheel(pen, x, 0.22)


@subject(
    "train",
    metres=4,
    nouns=("locomotive", "steam train", "engine", "railway"),
    habitat="ground",
    aspect=2.2,
    scale=0.26,
    colours=("#2a2a30", "#8a1f1f", "#1f4a3a", "#1f3f8a"),
    box=(-1.2, 1.2, 0.0, 1.5),
)  # fmt: skip
def train(pen: Pen) -> None:
    pen.stroke([(-1.2, 0.02), (1.2, 0.02)], 0.03, "steel")
    for k, (x, y, r) in enumerate(((0.7, 1.1, 0.14), (0.45, 1.25, 0.18), (0.1, 1.35, 0.2))):
        grey = 0.85 - k * 0.06
        pen.oval(x, y, r * 1.3, r, (grey, grey, grey), shade="round")
    pen.rect(-1.05, 0.3, -0.35, 1.0, "main", shade="lit", r=0.03)
    pen.rect(-1.12, 0.98, -0.28, 1.05, "dark", shade="flat")
    pen.rect(-0.9, 0.62, -0.5, 0.86, "window", shade="lit")
    pen.rect(-0.35, 0.3, 0.95, 0.72, "main", shade="cyl", r=0.2)
    pen.rect(0.62, 0.72, 0.82, 1.0, "main", shade="cyl")
    pen.rect(0.58, 0.98, 0.86, 1.04, "dark", shade="flat")
    pen.oval(0.2, 0.78, 0.1, 0.08, "gold", shade="round")
    pen.rect(-1.1, 0.22, 1.0, 0.32, "red", shade="flat")
    pen.poly([(0.95, 0.3), (1.15, 0.06), (0.95, 0.06)], "red", shade="flat")
    pen.oval(0.96, 0.52, 0.06, 0.06, "lamp" if pen.look.night else "cream", shade="flat")
    for x in (-0.8, -0.3, 0.2, 0.65):
        wheel(pen, x, 0.2 if x < 0 else 0.16, spokes=4)
    pen.stroke([(-0.8, 0.2), (0.2, 0.2)], 0.03, "metal")


@subject(
    "bicycle",
    metres=1.0,
    nouns=("bike", "cycle", "push bike"),
    habitat="ground",
    aspect=1.75,
    scale=0.2,
    colours=("#d7262b", "#2a5bd7", "#3f8a5a", "#2a2a30", "#f2c12e"),
)  # fmt: skip
def bicycle(pen: Pen) -> None:
    r = 0.3
    back, front = (-0.55, r), (0.55, r)
    crank, seat, head = (-0.05, r), (-0.2, 0.75), (0.38, 0.78)
    for x in (back[0], front[0]):
        pen.stroke(ellipse_pts(x, r, r, r), 0.045, "wheel", closed=True)
        for k in range(6):
            dx, dy = math.cos(k * math.pi / 6) * r, math.sin(k * math.pi / 6) * r
            pen.stroke([(x - dx, r - dy), (x + dx, r + dy)], 0.008, "metal")
    for a, b in (
        (back, crank),
        (crank, seat),
        (seat, back),
        (seat, head),
        (crank, head),
        (head, front),
    ):
        pen.stroke([a, b], 0.04, "main")
    pen.stroke([(seat[0], seat[1]), (seat[0] - 0.03, seat[1] + 0.1)], 0.03, "steel")
    pen.blob([(-0.34, 0.85), (-0.14, 0.88), (-0.1, 0.84), (-0.3, 0.82)], "saddle")
    pen.stroke([head, (0.34, 0.92), (0.24, 0.95)], 0.03, "steel")
    pen.oval(*crank, 0.06, 0.06, "steel", shade="round")
    pen.stroke([(-0.1, r - 0.1), (0.0, r + 0.1)], 0.03, "black")


@subject(
    "tractor",
    metres=2.5,
    nouns=("digger", "bulldozer"),
    habitat="ground",
    aspect=1.6,
    scale=0.26,
    colours=("#3f8a3a", "#d7262b", "#e8b526"),
)  # fmt: skip
def tractor(pen: Pen) -> None:
    pen.rect(-0.3, 0.35, 0.7, 0.65, "main", shade="lit", r=0.05)
    pen.rect(-0.7, 0.35, -0.05, 1.0, "main", shade="lit", r=0.03)
    pen.rect(-0.6, 0.6, -0.15, 0.92, "glass", shade="lit")
    pen.rect(0.45, 0.65, 0.52, 0.9, "black", shade="cyl")
    pen.oval(-0.42, 0.38, 0.38, 0.38, "wheel", shade="round")
    pen.oval(-0.42, 0.38, 0.2, 0.2, "gold", shade="round")
    wheel(pen, 0.5, 0.2)
