"""Birds and other small flyers: songbirds (perched or flying), ducks, swans, owls,
penguins and butterflies. Facing right; y = 0 is the perch, the water or the ground."""

from __future__ import annotations

from easel.providers._procedural.subjects.animals import eye
from easel.providers._procedural.subjects.pen import Pen, smooth
from easel.providers._procedural.subjects.registry import subject


def _wing(pen: Pen, root: tuple[float, float], tip: tuple[float, float], fill: str) -> None:
    """A raised wing: a curved leading edge and a feathered trailing edge."""
    (rx, ry), (tx, ty) = root, tip
    lead = smooth([(rx + 0.08, ry), (rx + 0.02, (ry + ty) / 2 + 0.08), (tx, ty)])
    feathers = []
    for k in range(1, 5):
        t = k / 5
        bx, by = tx + (rx - 0.12 - tx) * t, ty + (ry - ty) * t
        feathers += [(bx + 0.03, by - 0.06), (bx - 0.02, by)]
    pen.poly([*lead, *feathers, (rx - 0.12, ry)], fill, shade="lit")


def _flying(pen: Pen) -> None:
    """Wings up, seen from the side: the shape everyone reads as a bird in the air."""
    _wing(pen, (0.0, 0.5), (-0.38, 1.0), "dark:wing|main")
    pen.poly([(-0.38, 0.46), (-0.66, 0.58), (-0.62, 0.42), (-0.66, 0.3)], "dark", shade="flat")
    pen.blob(
        [(-0.45, 0.45), (-0.15, 0.58), (0.2, 0.56), (0.36, 0.48), (0.15, 0.36), (-0.2, 0.36)],
        "main",
    )
    pen.blob([(-0.1, 0.4), (0.2, 0.4), (0.3, 0.46), (0.05, 0.36)], "light")
    pen.oval(0.34, 0.55, 0.1, 0.09, "main", shade="round")
    pen.poly([(0.42, 0.58), (0.54, 0.53), (0.42, 0.5)], "beak", shade="flat")
    eye(pen, 0.36, 0.58, 0.02)
    _wing(pen, (0.12, 0.52), (-0.2, 0.98), "wing|main")


@subject(
    "bird",
    metres=0.15,
    nouns=("sparrow", "robin", "songbird", "finch", "bluebird", "parrot", "seagull", "gull",
           "eagle", "pigeon", "dove", "crow", "raven", "hummingbird", "canary", "swallow"),
    habitat="sky",
    aspect=1.1,
    scale=0.14,
    colours=("#c8402e", "#2a6ad0", "#e8b526", "#8a5a34", "#3f9a5a", "#f0ece4"),
    collective=True,
)  # fmt: skip
def bird(pen: Pen) -> None:
    if pen.place == "sky" or "flying" in pen.traits:
        _flying(pen)
        return
    pen.poly([(-0.2, 0.32), (-0.48, 0.12), (-0.4, 0.08), (-0.12, 0.28)], "dark", shade="flat")
    pen.oval(0.0, 0.42, 0.26, 0.2, "main", shade="round", rot=0.35)
    pen.oval(0.08, 0.36, 0.15, 0.12, "light", shade="round", rot=0.35)
    pen.oval(-0.06, 0.46, 0.17, 0.1, "wing|dark", shade="lit", rot=0.25)
    pen.oval(0.2, 0.68, 0.15, 0.15, "main", shade="round")
    pen.poly([(0.33, 0.72), (0.46, 0.67), (0.33, 0.63)], "beak", shade="flat")
    eye(pen, 0.25, 0.71, 0.03)
    for x in (-0.02, 0.07):
        pen.stroke([(x, 0.25), (x, 0.0)], 0.015, "beak")


@subject(
    "duck",
    metres=0.35,
    nouns=("duckling", "mallard", "rubber duck:rubber", "goose"),
    habitat="water",
    aspect=1.2,
    scale=0.11,
    colours=("#f2d22e", "#f4f2ec", "#8a6a4a"),
)  # fmt: skip
def duck(pen: Pen) -> None:
    body = [(-0.55, 0.45), (-0.4, 0.2), (0.0, 0.0), (0.4, 0.12), (0.45, 0.35), (0.1, 0.45)]
    pen.blob(body, "main")
    pen.blob([(-0.3, 0.35), (0.0, 0.42), (0.22, 0.28), (-0.05, 0.18)], "wing|dark")
    pen.oval(0.3, 0.72, 0.17, 0.17, "main", shade="round")
    pen.poly([(0.26, 0.4), (0.38, 0.4), (0.34, 0.62), (0.24, 0.62)], "main", shade="flat")
    pen.blob([(0.42, 0.72), (0.62, 0.68), (0.64, 0.62), (0.44, 0.63)], "beak")
    eye(pen, 0.35, 0.77, 0.03)


@subject(
    "swan",
    metres=0.9,
    nouns=("cygnet",),
    habitat="water",
    aspect=1.1,
    scale=0.18,
    colours=("#f7f7f2", "#2a2a30"),
)  # fmt: skip
def swan(pen: Pen) -> None:
    pen.blob([(-0.5, 0.5), (-0.35, 0.15), (0.0, 0.0), (0.35, 0.1), (0.3, 0.3), (0.0, 0.4)], "main")
    pen.blob([(-0.45, 0.55), (-0.1, 0.42), (0.15, 0.3), (-0.2, 0.25)], "light")
    pen.stroke(smooth([(0.22, 0.2), (0.3, 0.55), (0.2, 0.8), (0.27, 0.95)]), 0.07, "main")
    pen.oval(0.3, 0.94, 0.07, 0.06, "main", shade="round")
    pen.poly([(0.35, 0.96), (0.5, 0.9), (0.35, 0.9)], "beak", shade="flat")
    eye(pen, 0.31, 0.96, 0.015)


@subject(
    "owl",
    metres=0.4,
    nouns=("owlet",),
    habitat="ground",
    aspect=0.75,
    scale=0.26,
    colours=("#a8845a", "#b89a72", "#d9d3c4", "#9a8a7a"),
    iris="#f0a020",
)  # fmt: skip
def owl(pen: Pen) -> None:
    pen.stroke([(-0.36, 0.04), (0.38, 0.06)], 0.05, "darkwood")
    pen.blob(
        [
            (-0.25, 0.08),
            (0.25, 0.08),
            (0.3, 0.45),
            (0.2, 0.72),
            (0.0, 0.78),
            (-0.2, 0.72),
            (-0.3, 0.45),
        ],
        "main",
    )
    pen.oval(0.0, 0.32, 0.16, 0.2, "light", shade="round")
    for k in range(3):
        for dx in (-0.06, 0.06):
            pen.stroke(
                [(dx - 0.03, 0.38 - k * 0.09), (dx, 0.35 - k * 0.09), (dx + 0.03, 0.38 - k * 0.09)],
                0.012,
                "dark",
            )
    for side in (-1, 1):
        pen.oval(side * 0.27, 0.38, 0.08, 0.22, "dark", shade="lit", rot=side * 0.2)
        pen.poly([(side * 0.22, 0.7), (side * 0.28, 0.92), (side * 0.08, 0.76)], "main")
        pen.oval(side * 0.11, 0.6, 0.1, 0.1, "light", shade="flat")
        eye(pen, side * 0.11, 0.6, 0.065, "iris")
        pen.oval(side * 0.05, 0.06, 0.035, 0.025, "beak", shade="flat")
    pen.poly([(-0.035, 0.55), (0.035, 0.55), (0.0, 0.47)], "beak", shade="flat")


@subject(
    "penguin",
    metres=1.0,
    nouns=("emperor penguin",),
    habitat="ground",
    aspect=0.55,
    scale=0.28,
    colours=("#20222a", "#2a3040"),
    mood="winter",
)  # fmt: skip
def penguin(pen: Pen) -> None:
    for side in (-1, 1):
        pen.oval(side * 0.08, 0.02, 0.08, 0.03, "beak", shade="flat")
    pen.blob(
        [
            (-0.2, 0.05),
            (0.2, 0.05),
            (0.24, 0.4),
            (0.15, 0.8),
            (0.0, 0.9),
            (-0.15, 0.8),
            (-0.24, 0.4),
        ],
        "main",
    )
    pen.blob(
        [
            (-0.13, 0.08),
            (0.13, 0.08),
            (0.16, 0.4),
            (0.09, 0.66),
            (0.0, 0.7),
            (-0.09, 0.66),
            (-0.16, 0.4),
        ],
        "white",
    )
    for side in (-1, 1):
        pen.oval(side * 0.24, 0.42, 0.05, 0.2, "main", rot=side * 0.35)
        eye(pen, side * 0.07, 0.76, 0.025)
    pen.poly([(-0.05, 0.71), (0.05, 0.71), (0.0, 0.63)], "beak", shade="flat")
    pen.oval(-0.12, 0.7, 0.04, 0.03, "gold", shade="flat")


@subject(
    "butterfly",
    metres=0.06,
    nouns=("moth",),
    habitat="sky",
    aspect=1.1,
    scale=0.14,
    colours=("#f08a20", "#2a6ad0", "#e8426a", "#9a5ad0", "#f2d22e"),
)  # fmt: skip
def butterfly(pen: Pen) -> None:
    for side in (-1, 1):
        top = [(0.0, 0.55), (side * 0.2, 0.98), (side * 0.52, 0.92), (side * 0.45, 0.6)]
        low = [(0.0, 0.5), (side * 0.38, 0.45), (side * 0.32, 0.1), (side * 0.1, 0.18)]
        pen.blob(top, "wing|main")
        pen.blob(low, "dark:wing|main")
        pen.oval(side * 0.3, 0.8, 0.07, 0.07, "white", shade="flat")
        pen.oval(side * 0.22, 0.3, 0.05, 0.05, "light", shade="flat")
        pen.stroke(
            smooth([(side * 0.01, 0.8), (side * 0.08, 0.95), (side * 0.15, 1.0)]), 0.012, "black"
        )
    pen.rect(-0.03, 0.15, 0.03, 0.82, "black", shade="flat", r=0.03)
