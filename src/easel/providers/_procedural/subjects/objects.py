"""Things on a table or in a hand: cups, teapots, bowls of fruit, apples, vases of
flowers, cakes, books, clocks, lamps, candles, guitars and umbrellas; and signs that
carry the prompt's words. Standing on y = 0."""

from __future__ import annotations

import itertools
import math

from easel.providers._procedural.subjects.pen import Pen, arc, smooth
from easel.providers._procedural.subjects.plants import petals
from easel.providers._procedural.subjects.registry import subject


def _steam(pen: Pen, x: float, y: float, height: float) -> None:
    for dx in (-0.08, 0.08):
        pts = [(x + dx + 0.04 * math.sin(k * 1.3), y + height * k / 6) for k in range(7)]
        pen.poly(
            [
                *((px - 0.012, py) for px, py in smooth(pts)),
                *((px + 0.012, py) for px, py in reversed(smooth(pts))),
            ],
            "white",
            shade="flat",
            opacity=0.45,
        )


@subject(
    "cup",
    metres=0.1,
    nouns=("mug", "coffee cup", "teacup", "tea cup", "coffee", "cup of coffee", "cup of tea",
           "espresso", "latte", "cappuccino"),
    habitat="table",
    aspect=1.15,
    scale=0.28,
    colours=("#f4f2ec", "#d7262b", "#2a5bd7", "#3f8a5a", "#f2c12e", "#2a2a30"),
    box=(-0.6, 0.6, 0.0, 1.2),
)  # fmt: skip
def cup(pen: Pen) -> None:
    pen.oval(0.0, 0.05, 0.55, 0.08, "white", shade="lit")
    pen.oval(0.0, 0.07, 0.42, 0.05, "dark:white", shade="flat")
    pen.stroke(arc(0.32, 0.45, 0.16, 0.16, -80, 80, 12), 0.06, "main")
    pen.poly(
        [
            (0.36, 0.72),
            *smooth([(0.36, 0.72), (0.3, 0.3), (0.16, 0.09)])[1:],
            (-0.16, 0.09),
            *smooth([(-0.16, 0.09), (-0.3, 0.3), (-0.36, 0.72)])[1:],
        ],
        "main",
        shade="cyl",
    )
    pen.oval(0.0, 0.72, 0.36, 0.07, "dark:main", shade="flat")
    pen.oval(0.0, 0.715, 0.32, 0.055, (0.36, 0.2, 0.1), shade="flat")
    pen.oval(0.02, 0.72, 0.12, 0.025, (0.6, 0.42, 0.28), shade="flat")
    _steam(pen, 0.0, 0.8, 0.38)


@subject(
    "teapot",
    metres=0.2,
    nouns=("tea pot", "kettle"),
    habitat="table",
    aspect=1.45,
    scale=0.32,
    colours=("#f4f2ec", "#2a6ad0", "#d7262b", "#3f8a5a", "#f2d0a0"),
)  # fmt: skip
def teapot(pen: Pen) -> None:
    pen.poly(
        [(0.3, 0.35), (0.45, 0.45), (0.68, 0.78), (0.72, 0.74), (0.55, 0.38), (0.35, 0.22)],
        "main",
        shade="lit",
    )
    pen.stroke(arc(-0.38, 0.45, 0.2, 0.22, 90, 270, 12), 0.06, "main")
    pen.oval(0.0, 0.05, 0.28, 0.05, "dark", shade="flat")
    pen.oval(0.0, 0.4, 0.42, 0.36, "main", shade="round")
    pen.oval(0.0, 0.74, 0.22, 0.06, "dark", shade="flat")
    pen.poly(arc(0.0, 0.74, 0.2, 0.1, 0, 180, 12), "main", shade="round")
    pen.oval(0.0, 0.86, 0.05, 0.04, "main", shade="round")
    pen.stroke(arc(0.0, 0.42, 0.38, 0.1, 200, 340, 16), 0.02, "light")


@subject(
    "fruit bowl",
    metres=0.2,
    nouns=("bowl of fruit", "bowl of fruits", "bowl of apples", "fruit", "bowl", "fruits",
           "still life"),
    habitat="table",
    aspect=1.7,
    scale=0.3,
    colours=("#f4f2ec", "#2a6ad0", "#c8602a", "#3f8a5a", "#e8dcc4"),
)  # fmt: skip
def fruit_bowl(pen: Pen) -> None:
    pen.stroke(smooth([(-0.2, 0.5), (0.05, 0.78), (0.35, 0.66)]), 0.11, (0.96, 0.84, 0.3))
    for x, y in ((-0.05, 0.72), (0.04, 0.66), (-0.12, 0.64), (0.0, 0.58)):
        pen.oval(x, y, 0.06, 0.06, (0.45, 0.2, 0.45), shade="round")
    for x, y, r, colour in (
        (-0.45, 0.5, 0.17, (0.85, 0.15, 0.12)),
        (0.42, 0.5, 0.16, (0.95, 0.55, 0.1)),
        (-0.18, 0.55, 0.16, (0.55, 0.75, 0.2)),
        (0.18, 0.56, 0.17, (0.85, 0.15, 0.12)),
    ):
        pen.oval(x, y, r, r * 0.95, colour, shade="round")
        pen.stroke([(x, y + r * 0.85), (x + 0.02, y + r * 1.15)], 0.02, "darkwood")
    pen.oval(0.0, 0.04, 0.25, 0.04, "dark", shade="flat")
    pen.poly(
        [(-0.8, 0.45), (0.8, 0.45), *arc(0.0, 0.45, 0.8, 0.42, 0, -180, 24)[1:-1]],
        "main",
        shade="cyl",
    )
    pen.oval(0.0, 0.45, 0.8, 0.05, "light", shade="flat")


@subject(
    "apple",
    metres=0.08,
    nouns=("pear", "green apple:green"),
    habitat="table",
    aspect=1.0,
    scale=0.16,
    colours=("#d7262b", "#7ab83a", "#c8402e"),
)  # fmt: skip
def apple(pen: Pen) -> None:
    pen.blob(
        [
            (0.0, 0.75),
            (0.35, 0.85),
            (0.46, 0.45),
            (0.2, 0.02),
            (0.0, 0.06),
            (-0.2, 0.02),
            (-0.46, 0.45),
            (-0.35, 0.85),
        ],
        "main",
    )
    pen.stroke([(0.0, 0.74), (0.04, 0.98)], 0.04, "darkwood")
    pen.oval(0.16, 0.92, 0.13, 0.05, "leaf", rot=0.4)
    pen.oval(-0.18, 0.6, 0.06, 0.12, "white", shade="flat", rot=0.3, opacity=0.45)


@subject(
    "vase",
    metres=0.45,
    nouns=("vase of flowers", "vase with flowers", "bouquet", "flower pot", "pot plant",
           "houseplant", "potted plant"),
    habitat="table",
    aspect=0.75,
    scale=0.45,
    colours=("#2a6ad0", "#f4f2ec", "#c8602a", "#3f8a8a", "#e8dcc4"),
)  # fmt: skip
def vase(pen: Pen) -> None:
    rng = pen.rng
    blooms = ((0.85, 0.2, 0.35), (0.95, 0.75, 0.2), (0.9, 0.45, 0.6), (0.96, 0.96, 0.92))
    for k in range(7):
        a = math.radians(60 + k * 10)
        x, y = math.cos(a) * 0.55, 0.45 + math.sin(a) * 0.45
        pen.stroke([(0.0, 0.45), (x * 0.6, (y + 0.45) / 2 + 0.08), (x, y)], 0.015, "stem")
        pen.oval(x * 0.7, (y + 0.45) / 2, 0.06, 0.025, "leaf", rot=a)
        colour = blooms[int(rng.integers(len(blooms)))]
        petals(pen, (x, y), 5, 0.05, (0.05, 0.05), colour)
        pen.oval(x, y, 0.03, 0.03, "gold", shade="flat")
    pen.blob(
        [
            (0.0, 0.0),
            (0.2, 0.03),
            (0.24, 0.2),
            (0.12, 0.38),
            (0.1, 0.48),
            (-0.1, 0.48),
            (-0.12, 0.38),
            (-0.24, 0.2),
            (-0.2, 0.03),
        ],
        "main",
        shade="cyl",
    )


@subject(
    "cake",
    metres=0.2,
    nouns=("birthday cake:birthday", "cupcake", "gateau", "pie", "bread", "loaf"),
    habitat="table",
    aspect=1.1,
    scale=0.3,
    colours=("#f7d7e4", "#f4f2ec", "#7a4a2a", "#f3e2b8"),
    box=(-0.55, 0.55, 0.0, 1.05),
)  # fmt: skip
def cake(pen: Pen) -> None:
    pen.oval(0.0, 0.05, 0.52, 0.07, "white", shade="lit")
    for k, (half, y0, y1) in enumerate(((0.45, 0.08, 0.38), (0.33, 0.38, 0.62))):
        pen.rect(-half, y0, half, y1, "main", shade="cyl")
        pen.oval(0.0, y0, half, 0.05, "main", shade="cyl")
        pen.rect(-half, y0 + 0.1, half, y0 + 0.14, "pink" if k else "dark", shade="flat")
        pen.oval(0.0, y1, half, 0.06, "icing|light", shade="flat")
        for j in range(6):
            x = -half * 0.85 + j * half * 0.34
            pen.oval(x, y1 - 0.04, 0.03, 0.05, "icing|light", shade="flat")
    for x in (-0.18, 0.0, 0.18):
        pen.rect(x - 0.02, 0.62, x + 0.02, 0.8, "candle", shade="cyl")
        pen.oval(x, 0.84, 0.025, 0.045, "flame", shade="flat")
        pen.glow(x, 0.84, 0.06, "flame", 0.5)
    pen.oval(0.25, 0.66, 0.04, 0.04, "red", shade="round")


@subject(
    "book",
    metres=0.05,
    nouns=("books", "open book", "novel", "notebook", "diary"),
    habitat="table",
    aspect=1.8,
    scale=0.2,
    colours=("#8a2a3a", "#2a4a8a", "#3f6a4a", "#6a3a8a", "#c8602a"),
)  # fmt: skip
def book(pen: Pen) -> None:
    pen.poly(
        [(-0.95, 0.1), (0.0, 0.0), (0.95, 0.1), (0.95, 0.2), (0.0, 0.1), (-0.95, 0.2)],
        "cover|main",
        shade="lit",
    )
    for side in (-1, 1):
        page = [
            (0.0, 0.12),
            *smooth([(0.0, 0.12), (side * 0.45, 0.22), (side * 0.9, 0.2)])[1:],
            (side * 0.9, 0.9),
            *smooth([(side * 0.9, 0.9), (side * 0.45, 0.96), (0.0, 0.86)])[1:],
        ]
        pen.poly(page, "cream", shade="lit")
        for k in range(6):
            y = 0.3 + k * 0.1
            pen.stroke([(side * 0.12, y), (side * 0.78, y + 0.03)], 0.012, "darkstone")
    pen.stroke([(0.0, 0.12), (0.0, 0.86)], 0.015, "darkstone")


@subject(
    "clock",
    metres=0.15,
    nouns=("alarm clock", "watch", "timepiece"),
    habitat="table",
    aspect=0.9,
    scale=0.26,
    colours=("#d7262b", "#2a6ad0", "#e8b526", "#b9c0c8"),
)  # fmt: skip
def clock(pen: Pen) -> None:
    for side in (-1, 1):
        pen.stroke([(side * 0.2, 0.12), (side * 0.3, 0.0)], 0.04, "steel")
        pen.oval(side * 0.28, 0.86, 0.13, 0.1, "main", shade="round", rot=side * -0.6)
    pen.oval(0.0, 0.5, 0.4, 0.4, "main", shade="round")
    pen.oval(0.0, 0.5, 0.32, 0.32, "white", shade="round")
    for k in range(12):
        a = k * math.pi / 6
        r0 = 0.25 if k % 3 else 0.22
        pen.stroke(
            [
                (math.cos(a) * r0, 0.5 + math.sin(a) * r0),
                (math.cos(a) * 0.29, 0.5 + math.sin(a) * 0.29),
            ],
            0.015,
            "black",
        )
    pen.stroke([(0.0, 0.5), (0.12, 0.62)], 0.03, "black")
    pen.stroke([(0.0, 0.5), (0.0, 0.76)], 0.02, "black")
    pen.oval(0.0, 0.5, 0.025, 0.025, "red", shade="flat")


@subject(
    "lamp",
    metres=0.5,
    nouns=("table lamp", "lantern", "desk lamp"),
    habitat="table",
    aspect=0.7,
    scale=0.42,
    colours=("#f3e2b8", "#c8402e", "#3f8a5a", "#2a6ad0"),
)  # fmt: skip
def lamp(pen: Pen) -> None:
    pen.oval(0.0, 0.04, 0.22, 0.05, "steel", shade="lit")
    pen.rect(-0.03, 0.04, 0.03, 0.6, "steel", shade="cyl")
    pen.poly([(-0.32, 0.58), (0.32, 0.58), (0.2, 0.95), (-0.2, 0.95)], "main", shade="cyl")
    pen.glow(0.0, 0.55, 0.35, "lamp", 0.45)


@subject(
    "candle",
    metres=0.2,
    nouns=("candles", "candlestick"),
    habitat="table",
    aspect=0.35,
    scale=0.3,
    colours=("#f4e8d0", "#d7262b", "#f2d0a0"),
)  # fmt: skip
def candle(pen: Pen) -> None:
    pen.oval(0.0, 0.04, 0.16, 0.04, "gold", shade="lit")
    pen.rect(-0.09, 0.04, 0.09, 0.72, "main", shade="cyl")
    pen.oval(0.0, 0.72, 0.09, 0.025, "light", shade="flat")
    pen.stroke([(0.0, 0.72), (0.0, 0.77)], 0.01, "black")
    pen.blob([(0.0, 0.98), (0.04, 0.84), (0.0, 0.76), (-0.04, 0.84)], "flame", shade="flat")
    pen.glow(0.0, 0.85, 0.3, "flame", 0.7)


@subject(
    "guitar",
    metres=1.0,
    nouns=("acoustic guitar", "violin", "ukulele", "lute"),
    habitat="table",
    aspect=0.5,
    scale=0.55,
    colours=("#c8843a", "#8a4a2a", "#d7262b", "#2a2a30"),
)  # fmt: skip
def guitar(pen: Pen) -> None:
    pen.rect(-0.03, 0.5, 0.03, 0.92, "darkwood", shade="cyl")
    pen.rect(-0.05, 0.9, 0.05, 1.0, "darkwood", shade="lit", r=0.02)
    pen.blob(
        [
            (0.0, 0.02),
            (0.22, 0.08),
            (0.24, 0.3),
            (0.13, 0.42),
            (0.17, 0.55),
            (0.0, 0.62),
            (-0.17, 0.55),
            (-0.13, 0.42),
            (-0.24, 0.3),
            (-0.22, 0.08),
        ],
        "main",
    )
    pen.oval(0.0, 0.38, 0.07, 0.07, "black", shade="flat")
    pen.rect(-0.07, 0.14, 0.07, 0.17, "darkwood", shade="flat")
    for dx in (-0.02, -0.007, 0.007, 0.02):
        pen.stroke([(dx, 0.15), (dx, 0.96)], 0.004, "white")


@subject(
    "umbrella",
    metres=1.0,
    nouns=("parasol", "brolly"),
    habitat="ground",
    aspect=1.1,
    scale=0.35,
    colours=("#d7262b", "#2a5bd7", "#f2c12e", "#2a2a30", "#3f8a5a"),
)  # fmt: skip
def umbrella(pen: Pen) -> None:
    pen.stroke([(0.0, 0.92), (0.0, 0.08)], 0.025, "black")
    pen.stroke(arc(-0.07, 0.08, 0.07, 0.07, 0, -180, 10), 0.025, "black")
    joints = [-0.55, -0.275, 0.0, 0.275, 0.55]

    def rib(x: float) -> list[tuple[float, float]]:
        return [
            (x * math.sin(t), 0.6 + 0.38 * math.cos(t))
            for t in (math.pi / 2 * k / 10 for k in range(11))
        ]

    for k, (a, b) in enumerate(itertools.pairwise(joints)):
        scallop = [
            ((a + b) / 2 - (b - a) / 2 * math.cos(t), 0.6 + 0.05 * math.sin(t))
            for t in (math.pi * j / 8 for j in range(9))
        ]
        pen.poly(
            [*rib(a), *scallop, *reversed(rib(b))], "main" if k % 2 == 0 else "light", shade="lit"
        )
    pen.stroke([(0.0, 1.02), (0.0, 0.96)], 0.03, "black")


@subject(
    "sign",
    metres=1.6,
    nouns=("signboard", "signpost", "placard", "banner", "plaque", "billboard", "notice",
           "shop sign"),
    habitat="ground",
    aspect=1.3,
    scale=0.36,
    colours=("#9a6a3f", "#f4f2ec", "#2a6ad0", "#d7262b", "#3f8a5a", "#2a2a30"),
)  # fmt: skip
def sign(pen: Pen) -> None:
    for x in (-0.4, 0.4):
        pen.rect(x - 0.035, 0.0, x + 0.035, 0.55, "darkwood", shade="cyl")
    pen.rect(-0.65, 0.42, 0.65, 1.0, "dark", shade="flat", r=0.04)
    pen.rect(-0.61, 0.46, 0.61, 0.96, "main", shade="lit", r=0.03)
    if pen.words:
        ink = "white" if sum(pen.look.colours["main"]) < 1.6 else "black"
        glowing = pen.look.mood == "neon"
        pen.text(pen.words, 0.0, 0.71, (1.08, 0.36), "screen" if glowing else ink, weight=800)
        if glowing:
            pen.glow(0.0, 0.71, 0.5, "screen", 0.3)
    else:
        for y in (0.6, 0.75, 0.88):
            pen.stroke([(-0.55, y), (0.55, y)], 0.01, "dark")
