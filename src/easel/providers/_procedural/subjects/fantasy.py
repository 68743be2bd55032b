"""Creatures and machines of stories: dragons and robots. Dragons face right."""

from __future__ import annotations

import itertools

from easel.providers._procedural.subjects.animals import eye
from easel.providers._procedural.subjects.pen import Pen, smooth
from easel.providers._procedural.subjects.registry import subject


def _wing(pen: Pen, root: tuple[float, float], span: float, lift: float, fill: str) -> None:
    """A bat-like wing: finger bones fanning from the shoulder, membrane scalloped."""
    rx, ry = root
    tips = [
        (rx - span * 0.2, ry + lift),
        (rx - span * 0.55, ry + lift * 0.85),
        (rx - span * 0.85, ry + lift * 0.55),
        (rx - span, ry + lift * 0.15),
    ]
    membrane = [root, *tips]
    for a, b in itertools.pairwise(tips):
        membrane.insert(
            membrane.index(b), ((a[0] + b[0]) / 2 + span * 0.04, (a[1] + b[1]) / 2 - lift * 0.15)
        )
    pen.poly([*membrane, (rx - span * 0.3, ry - lift * 0.05)], fill, shade="lit")
    for tip in tips:
        pen.stroke([root, tip], 0.018, f"dark:{fill}")


@subject(
    "dragon",
    metres=6,
    nouns=("wyvern", "drake"),
    habitat="ground",
    aspect=1.5,
    scale=0.5,
    colours=("#3f8a3a", "#c8302a", "#2a5a9a", "#6a3a8a", "#2a2a30", "#d9a020"),
    box=(-0.85, 0.85, 0.0, 1.1),
)  # fmt: skip
def dragon(pen: Pen) -> None:
    _wing(pen, (0.0, 0.62), 0.7, 0.5, "wing|dark")
    tail = smooth([(-0.25, 0.4), (-0.55, 0.3), (-0.72, 0.12), (-0.55, 0.05), (-0.4, 0.12)])
    pen.stroke(tail, 0.07, "main")
    pen.poly([(-0.42, 0.1), (-0.32, 0.2), (-0.3, 0.06)], "main", shade="flat")
    for x in (-0.2, 0.15):
        pen.rect(x - 0.06, 0.0, x + 0.06, 0.32, "dark", shade="cyl", r=0.04)
    pen.blob(
        [(-0.35, 0.35), (-0.2, 0.58), (0.15, 0.6), (0.32, 0.48), (0.25, 0.28), (-0.1, 0.24)], "main"
    )
    pen.blob([(-0.15, 0.3), (0.2, 0.3), (0.28, 0.45), (0.0, 0.36)], "cream")
    neck = smooth([(0.2, 0.45), (0.36, 0.65), (0.38, 0.85)])
    pen.stroke(neck, 0.13, "main")
    for k in range(5):  # spikes along the back
        x, y = -0.3 + k * 0.13, 0.6 - abs(k - 2) * 0.02
        pen.poly([(x - 0.04, y - 0.02), (x, y + 0.08), (x + 0.04, y - 0.02)], "horn", shade="flat")
    for x in (-0.1, 0.25):
        pen.rect(x - 0.065, 0.0, x + 0.065, 0.34, "main", shade="cyl", r=0.04)
        for c in (-0.04, 0.0, 0.04):
            pen.poly([(x + c - 0.015, 0.0), (x + c + 0.015, 0.0), (x + c + 0.04, -0.005)], "horn")
    pen.blob(
        [(0.3, 0.92), (0.44, 0.98), (0.66, 0.88), (0.7, 0.8), (0.5, 0.76), (0.32, 0.8)], "main"
    )
    pen.poly([(0.36, 0.95), (0.26, 1.08), (0.42, 0.97)], "horn", shade="lit")
    pen.poly([(0.44, 0.97), (0.4, 1.1), (0.5, 0.96)], "horn", shade="lit")
    eye(pen, 0.5, 0.89, 0.035, "gold", slit=True)
    pen.oval(0.67, 0.85, 0.015, 0.015, "black", shade="flat")
    pen.stroke([(0.5, 0.8), (0.68, 0.81)], 0.012, "black")
    _wing(pen, (0.05, 0.64), 0.62, 0.46, "wing|main")
    if pen.traits & {"angry", "glowing"} or pen.rng.random() < 0.3:
        pen.poly([(0.7, 0.82), (1.0, 0.9), (1.0, 0.7)], "flame", shade="flat")
        pen.glow(0.85, 0.82, 0.2, "flame", 0.7)


@subject(
    "robot",
    metres=1.8,
    nouns=("android", "droid", "cyborg", "automaton", "mech"),
    habitat="ground",
    aspect=0.8,
    scale=0.42,
    colours=("#b9c0c8", "#d7262b", "#2a6ad0", "#f2c12e", "#3f8a8a"),
)  # fmt: skip
def robot(pen: Pen) -> None:
    for side in (-1, 1):
        pen.rect(side * 0.12 - 0.07, 0.06, side * 0.12 + 0.07, 0.36, "steel", shade="cyl")
        pen.rect(side * 0.12 - 0.1, 0.0, side * 0.12 + 0.1, 0.08, "dark", shade="lit", r=0.03)
        pen.stroke([(side * 0.27, 0.64), (side * 0.36, 0.48), (side * 0.34, 0.32)], 0.07, "steel")
        pen.oval(side * 0.34, 0.29, 0.055, 0.055, "dark", shade="round")
    pen.rect(-0.25, 0.34, 0.25, 0.7, "main", shade="lit", r=0.05)
    pen.rect(-0.14, 0.42, 0.14, 0.6, "dark", shade="flat", r=0.03)
    for k, fill in enumerate(("red", "gold", "screen")):
        pen.oval(-0.07 + k * 0.07, 0.55, 0.025, 0.025, fill, shade="flat")
    pen.rect(-0.04, 0.7, 0.04, 0.75, "steel", shade="cyl")
    pen.rect(-0.2, 0.74, 0.2, 0.96, "main", shade="lit", r=0.05)
    pen.stroke([(0.0, 0.96), (0.0, 1.02)], 0.015, "steel")
    pen.oval(0.0, 1.03, 0.03, 0.03, "red", shade="round")
    for side in (-1, 1):
        pen.oval(side * 0.08, 0.87, 0.05, 0.05, "screen", shade="flat")
        pen.rect(side * 0.2, 0.8, side * 0.24, 0.9, "steel", shade="flat")
    pen.rect(-0.1, 0.77, 0.1, 0.8, "dark", shade="flat")
    if pen.look.night:
        pen.glow(0.0, 0.87, 0.15, "screen", 0.5)
