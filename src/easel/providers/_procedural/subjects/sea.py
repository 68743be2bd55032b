"""Sea creatures: fish, whales, octopuses and jellyfish, swimming facing right.
y = 0 is the bottom of the drawing (they float at the place the layout gives them)."""

from __future__ import annotations

import math

from easel.providers._procedural.subjects.animals import eye
from easel.providers._procedural.subjects.pen import Pen, smooth
from easel.providers._procedural.subjects.registry import subject


@subject(
    "fish",
    metres=0.25,
    nouns=("goldfish", "carp", "koi", "trout", "salmon:salmon", "tropical fish", "clownfish",
           "tuna"),
    habitat="underwater",
    aspect=1.6,
    scale=0.16,
    colours=("#f08a20", "#f2c12e", "#2a8ad0", "#e8426a", "#3fb0a0"),
)  # fmt: skip
def fish(pen: Pen) -> None:
    pen.poly([(-0.5, 0.5), (-0.8, 0.85), (-0.72, 0.5), (-0.8, 0.15)], "tail|dark", shade="lit")
    pen.poly([(-0.15, 0.82), (0.1, 0.98), (0.22, 0.8)], "dark", shade="lit")
    pen.poly([(-0.05, 0.2), (0.1, 0.05), (0.18, 0.22)], "dark", shade="lit")
    pen.blob(
        [(-0.58, 0.5), (-0.2, 0.86), (0.35, 0.8), (0.68, 0.52), (0.35, 0.2), (-0.2, 0.16)], "main"
    )
    for x in (-0.3, -0.05, 0.2):  # stripes
        pen.stroke(smooth([(x, 0.8), (x - 0.05, 0.5), (x, 0.22)]), 0.05, "light")
    pen.stroke(smooth([(0.36, 0.75), (0.3, 0.52), (0.36, 0.3)]), 0.025, "dark")
    eye(pen, 0.5, 0.58, 0.06, "white")
    pen.oval(0.51, 0.58, 0.03, 0.03, "black", shade="flat")
    pen.stroke([(0.64, 0.46), (0.58, 0.44)], 0.02, "dark")


@subject(
    "whale",
    metres=15,
    nouns=("orca", "dolphin:dolphin", "shark:shark"),
    habitat="underwater",
    aspect=2.3,
    scale=0.26,
    colours=("#3a5a8a", "#4a6a9a", "#5a7a8a"),
)  # fmt: skip
def whale(pen: Pen) -> None:
    body = [
        (-1.1, 0.6),
        (-0.6, 0.45),
        (0.0, 0.25),
        (0.7, 0.25),
        (1.12, 0.5),
        (0.9, 0.85),
        (0.2, 0.95),
        (-0.6, 0.7),
    ]
    pen.poly([(-1.0, 0.6), (-1.22, 0.95), (-1.12, 0.62), (-1.25, 0.32)], "main", shade="lit")
    pen.blob(body, "main")
    pen.blob(
        [(-0.5, 0.48), (0.1, 0.28), (0.7, 0.28), (1.05, 0.48), (0.5, 0.45), (0.0, 0.42)], "light"
    )
    if "shark" in pen.traits or "dolphin" in pen.traits:
        pen.poly([(0.0, 0.92), (0.2, 1.15), (0.3, 0.92)], "main", shade="lit")
    pen.poly([(0.2, 0.4), (0.0, 0.05), (0.4, 0.35)], "dark", shade="lit")
    eye(pen, 0.72, 0.55, 0.04)
    pen.stroke(smooth([(0.78, 0.42), (0.95, 0.4), (1.08, 0.46)]), 0.02, "dark")


@subject(
    "octopus",
    metres=1,
    nouns=("squid",),
    habitat="underwater",
    aspect=1.0,
    scale=0.3,
    colours=("#d0503a", "#9a5ad0", "#e07a8a"),
)  # fmt: skip
def octopus(pen: Pen) -> None:
    for k in range(8):
        x0 = -0.28 + k * 0.08
        phase = k * 0.9
        arm = [
            (x0, 0.45),
            *(
                (x0 * (1 + t) + 0.08 * math.sin(phase + t * 5), 0.45 - t * 0.42)
                for t in (0.25, 0.5, 0.75, 1.0)
            ),
        ]
        pen.stroke(smooth(arm), 0.06 - k % 2 * 0.01, "main" if k % 2 else "dark")
    pen.blob(
        [(-0.3, 0.45), (-0.32, 0.75), (0.0, 1.0), (0.32, 0.75), (0.3, 0.45), (0.0, 0.38)], "main"
    )
    for side in (-1, 1):
        eye(pen, side * 0.12, 0.55, 0.06, "white")
        pen.oval(side * 0.12, 0.55, 0.03, 0.035, "black", shade="flat")


@subject(
    "jellyfish",
    metres=0.5,
    nouns=("jelly fish", "medusa"),
    habitat="underwater",
    aspect=0.8,
    scale=0.28,
    colours=("#e08ad0", "#8ad0f0", "#f0a0c0"),
)  # fmt: skip
def jellyfish(pen: Pen) -> None:
    for k in range(6):
        x = -0.25 + k * 0.1
        pen.stroke(
            smooth([(x, 0.6), (x + 0.05, 0.4), (x - 0.04, 0.2), (x + 0.03, 0.0)]), 0.02, "light"
        )
    pen.poly(
        [
            *(
                (0.38 * math.cos(a), 0.6 + 0.4 * math.sin(a))
                for a in [math.pi * i / 20 for i in range(21)]
            )
        ],
        "main",
        shade="round",
        opacity=0.85,
    )
    pen.glow(0.0, 0.75, 0.4, "main", 0.2)
