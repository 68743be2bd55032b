"""Plants and landforms: broadleaf, pine and palm trees, flowers, sunflowers, cacti,
mushrooms, a mountain and a volcano. Standing on y = 0."""

from __future__ import annotations

import math

from easel.providers._procedural.primitives import RGB
from easel.providers._procedural.subjects.pen import Fill, Pen, Shade, arc, smooth, star
from easel.providers._procedural.subjects.registry import subject

_AUTUMN = ((0.85, 0.45, 0.12), (0.78, 0.28, 0.1), (0.9, 0.65, 0.18))


def _foliage(pen: Pen) -> RGB:
    """The leaf colour: the prompt's, else the season's (autumn turns it)."""
    if pen.look.mood == "autumn" and not pen.look.named:
        return _AUTUMN[int(pen.rng.integers(len(_AUTUMN)))]
    return pen.look.colours["main"]


def _times(c: RGB, k: float) -> RGB:
    return (c[0] * k, c[1] * k, c[2] * k)


@subject(
    "tree",
    metres=10,
    nouns=("oak", "oak tree", "maple", "maple tree", "apple tree", "elm", "willow", "birch"),
    habitat="ground",
    aspect=0.95,
    scale=0.55,
    colours=("#4f9a3c", "#3f8a3a", "#6aa84f", "#5a9a2a"),
    collective=True,
    perch=(0.22, 0.58, 0.3),
)  # fmt: skip
def tree(pen: Pen) -> None:
    leaf = _foliage(pen)
    pen.poly(
        [
            (-0.07, 0.0),
            (0.07, 0.0),
            (0.045, 0.5),
            (0.2, 0.66),
            (0.16, 0.68),
            (0.02, 0.58),
            (-0.03, 0.7),
            (-0.06, 0.69),
            (-0.04, 0.5),
        ],
        "wood",
        shade="cyl",
    )
    rng = pen.rng
    blobs = [
        (0.0, 0.72, 0.3),
        (-0.24, 0.6, 0.21),
        (0.25, 0.6, 0.21),
        (-0.14, 0.84, 0.2),
        (0.15, 0.85, 0.2),
        (0.0, 0.5, 0.18),
    ]
    for x, y, r in blobs:
        r *= float(rng.uniform(0.9, 1.1))
        pen.oval(x, y, r, r * 0.9, _times(leaf, 0.78), shade="round")
    for x, y, r in blobs[:5]:
        pen.oval(x - r * 0.15, y + r * 0.15, r * 0.72, r * 0.65, leaf, shade="round")
    if pen.traits & {"apple", "fruit"} or (pen.look.mood == "autumn" and rng.random() < 0.3):
        for _ in range(6):
            pen.oval(float(rng.uniform(-0.3, 0.3)), float(rng.uniform(0.5, 0.9)), 0.03, 0.03, "red")


@subject(
    "pine tree",
    metres=12,
    nouns=("pine", "fir", "fir tree", "spruce", "christmas tree:christmas", "conifer",
           "evergreen", "xmas tree:christmas"),
    habitat="ground",
    aspect=0.6,
    scale=0.55,
    colours=("#2f6a3a", "#28593a", "#3a7a48"),
    collective=True,
    perch=(0.12, 0.45, 0.15),
)  # fmt: skip
def pine_tree(pen: Pen) -> None:
    pen.rect(-0.04, 0.0, 0.04, 0.16, "wood", shade="cyl")
    tiers = 4
    for k in range(tiers):
        y0 = 0.1 + k * 0.2
        half = 0.3 - k * 0.06
        pen.poly([(-half, y0), (half, y0), (0.0, y0 + 0.36 - k * 0.03)], "main", shade="lit")
        if pen.look.mood == "winter":
            pen.poly(
                [(-half * 0.55, y0 + 0.14), (half * 0.55, y0 + 0.14), (0.0, y0 + 0.33 - k * 0.03)],
                "snow",
                shade="flat",
            )
    if "christmas" in pen.traits:
        rng = pen.rng
        for k in range(10):
            y = float(rng.uniform(0.18, 0.8))
            half = 0.28 * (1 - (y - 0.1) / 0.95)
            pen.oval(
                float(rng.uniform(-half, half)),
                y,
                0.025,
                0.025,
                ("red", "gold", "white")[k % 3],
                shade="round",
            )
        pen.poly(star(0.0, 0.97, 0.06), "gold", shade="flat")


@subject(
    "palm tree",
    metres=10,
    nouns=("palm", "coconut tree"),
    habitat="ground",
    aspect=0.9,
    scale=0.55,
    colours=("#3f9a3c", "#2f8a4a", "#5aa83a"),
    box=(-0.5, 0.5, 0.0, 1.05),
    setting=("water", "beach"),
    mood="tropical",
)  # fmt: skip
def palm_tree(pen: Pen) -> None:
    trunk = smooth([(0.0, 0.0), (0.06, 0.35), (0.04, 0.65), (-0.03, 0.82)])
    pen.stroke(trunk, 0.07, "wood")
    for k in range(1, len(trunk) - 1, 3):
        x, y = trunk[k]
        pen.stroke([(x - 0.035, y), (x + 0.035, y + 0.01)], 0.008, "darkwood")
    top = trunk[-1]
    for angle in (10, 40, 75, 105, 140, 170):
        _frond(pen, top, math.radians(angle), 0.46)
    for dx in (-0.03, 0.03, 0.0):
        pen.oval(top[0] + dx, top[1] - 0.03 - abs(dx), 0.03, 0.03, "darkwood")


def petals(
    pen: Pen,
    centre: tuple[float, float],
    n: int,
    reach: float,
    size: tuple[float, float],
    fill: Fill,
    turn: float = 0.0,
    shade: Shade = "round",
) -> None:
    """A ring of n petals around a flower's centre, each pointing outwards."""
    cx, cy = centre
    for k in range(n):
        a = (k + turn) * 2 * math.pi / n
        x, y = cx + math.cos(a) * reach, cy + math.sin(a) * reach
        pen.oval(x, y, size[0], size[1], fill, shade=shade, rot=a)


def _frond(pen: Pen, root: tuple[float, float], angle: float, length: float) -> None:
    """A palm frond: a drooping midrib with leaflets along it."""
    steps = 14
    centre = [
        (
            root[0] + math.cos(angle) * length * t,
            root[1] + math.sin(angle) * length * t * 0.7 - 0.55 * length * t * t,
        )
        for t in (k / steps for k in range(steps + 1))
    ]
    left, right = [], []
    for k, (x, y) in enumerate(centre):
        nx, ny = (
            centre[min(k + 1, steps)][0] - centre[max(k - 1, 0)][0],
            centre[min(k + 1, steps)][1] - centre[max(k - 1, 0)][1],
        )
        norm = math.hypot(nx, ny) or 1.0
        width = 0.075 * math.sin(math.pi * k / steps) ** 0.7 * (1.0 if k % 2 else 0.55)
        left.append((x - ny / norm * width, y + nx / norm * width))
        right.append((x + ny / norm * width, y - nx / norm * width))
    pen.poly([*left, *reversed(right)], "main", shade="lit")
    pen.stroke(centre, 0.01, "dark")


@subject(
    "flower",
    metres=0.5,
    nouns=("rose:rose", "tulip:tulip", "daisy:daisy", "poppy", "lily", "orchid",
           "daffodil"),
    habitat="ground",
    aspect=0.55,
    scale=0.4,
    colours=("#e8426a", "#f0a020", "#c8308a", "#f4f2ec", "#e04030", "#9a5ad0"),
    collective=True,
)  # fmt: skip
def flower(pen: Pen) -> None:
    stem = smooth([(0.0, 0.0), (0.03, 0.35), (-0.01, 0.7)])
    pen.stroke(stem, 0.03, "stem")
    pen.oval(0.11, 0.3, 0.12, 0.04, "leaf", rot=0.5)
    pen.oval(-0.1, 0.45, 0.11, 0.035, "leaf", rot=-0.5)
    cx, cy = -0.01, 0.78
    if "tulip" in pen.traits:
        pen.poly(
            [
                (cx - 0.14, cy + 0.18),
                (cx - 0.07, cy + 0.08),
                (cx, cy + 0.2),
                (cx + 0.07, cy + 0.08),
                (cx + 0.14, cy + 0.18),
                *arc(cx, cy + 0.02, 0.14, 0.12, 0, -180, 12),
            ],
            "main",
            shade="round",
        )
        return
    n = 12 if "daisy" in pen.traits else 6
    r = 0.2 if n == 12 else 0.18
    petals(pen, (cx, cy), n, r * 0.55, (r * 0.5, r * (0.16 if n == 12 else 0.3)), "petal|main")
    if "rose" in pen.traits:
        for k, rr in enumerate((0.11, 0.075, 0.04)):
            pen.oval(cx, cy, rr, rr, "dark" if k % 2 else "main", shade="round")
        return
    pen.oval(cx, cy, 0.065, 0.065, "gold" if n == 12 else "darkwood", shade="round")


@subject(
    "sunflower",
    metres=1.8,
    nouns=("sun flower",),
    habitat="ground",
    aspect=0.55,
    scale=0.5,
    colours=("#f2c12e", "#f0a820"),
)  # fmt: skip
def sunflower(pen: Pen) -> None:
    pen.stroke(smooth([(0.0, 0.0), (0.03, 0.4), (0.0, 0.72)]), 0.035, "stem")
    pen.oval(0.12, 0.3, 0.14, 0.05, "leaf", rot=0.4)
    pen.oval(-0.12, 0.5, 0.13, 0.045, "leaf", rot=-0.4)
    cx, cy = 0.0, 0.78
    for ring, r in enumerate((0.22, 0.19)):
        fill = "main" if ring else "dark"
        petals(pen, (cx, cy), 16, r * 0.6, (r * 0.42, r * 0.13), fill, turn=ring * 0.5)
    pen.oval(cx, cy, 0.1, 0.1, "darkwood", shade="round")


@subject(
    "cactus",
    metres=4,
    nouns=("cacti", "saguaro", "succulent"),
    habitat="ground",
    aspect=0.7,
    scale=0.38,
    colours=("#4f8a4a", "#3f7a5a", "#6a9a4a"),
)  # fmt: skip
def cactus(pen: Pen) -> None:
    pen.stroke([(0.0, 0.36), (-0.24, 0.36), (-0.24, 0.68)], 0.12, "dark")
    pen.stroke([(0.0, 0.5), (0.22, 0.5), (0.22, 0.8)], 0.11, "dark")
    pen.stroke([(0.0, 0.37), (-0.23, 0.37), (-0.23, 0.68)], 0.09, "main")
    pen.stroke([(0.0, 0.51), (0.21, 0.51), (0.21, 0.8)], 0.08, "main")
    pen.rect(-0.1, 0.0, 0.1, 0.95, "main", shade="cyl", r=0.1)
    for x in (-0.05, 0.0, 0.05):
        pen.stroke([(x, 0.05), (x, 0.9)], 0.006, "dark")
    if pen.rng.random() < 0.5:
        pen.oval(0.0, 0.96, 0.05, 0.04, "pink")


@subject(
    "mushroom",
    metres=0.15,
    nouns=("toadstool", "fungus"),
    habitat="ground",
    aspect=1.0,
    scale=0.18,
    colours=("#d7262b", "#c8602a", "#9a6a3f"),
)  # fmt: skip
def mushroom(pen: Pen) -> None:
    pen.poly([(-0.14, 0.0), (0.14, 0.0), (0.1, 0.55), (-0.1, 0.55)], "cream", shade="cyl")
    pen.poly([*arc(0.0, 0.5, 0.5, 0.48, 0, 180, 24)], "main", shade="round")
    pen.oval(0.0, 0.5, 0.5, 0.05, "dark:cream", shade="flat")
    for x, y, r in (
        (-0.25, 0.7, 0.06),
        (0.05, 0.85, 0.07),
        (0.28, 0.66, 0.05),
        (-0.05, 0.63, 0.04),
    ):
        pen.oval(x, y, r, r * 0.8, "white", shade="flat")


@subject(
    "mountain",
    metres=300,
    nouns=("peak", "summit", "fuji"),
    habitat="ground",
    aspect=2.0,
    scale=0.5,
    colours=("#6a7a9a", "#7a6a6a", "#5a6a7a", "#8a7a6a"),
    perch=(0.0, 0.78, 0.18),
    collective=True,
)  # fmt: skip
def mountain(pen: Pen) -> None:
    peak = (0.05, 1.0)
    pen.poly([(-1.0, 0.0), (1.0, 0.0), peak], "main", shade="flat")
    pen.poly([peak, (1.0, 0.0), (0.2, 0.0), (0.1, 0.5)], "dark", shade="flat")
    cap = [(-0.27, 0.69), (-0.15, 0.74), (-0.05, 0.66), (0.06, 0.74), (0.16, 0.67), (0.25, 0.72)]
    pen.poly([peak, (0.3, 0.7), *cap[::-1]], "snow", shade="lit")


@subject(
    "volcano",
    metres=300,
    nouns=("eruption",),
    habitat="ground",
    aspect=2.0,
    scale=0.48,
    colours=("#5a4a4a", "#4a3a3a", "#6a5a50"),
    box=(-1.0, 1.0, 0.0, 1.45),
)  # fmt: skip
def volcano(pen: Pen) -> None:
    for k, (x, y, r) in enumerate(((0.05, 1.1, 0.16), (-0.1, 1.25, 0.2), (0.15, 1.32, 0.18))):
        grey = 0.45 - k * 0.04
        pen.oval(x, y, r * 1.3, r, (grey, grey, grey), shade="round")
    pen.poly([(-1.0, 0.0), (1.0, 0.0), (0.18, 0.92), (-0.12, 0.92)], "main", shade="lit")
    pen.poly([(-0.12, 0.92), (0.18, 0.92), (0.12, 0.98), (-0.06, 0.98)], "flame", shade="flat")
    for dx in (-0.05, 0.1):
        pen.stroke(smooth([(dx, 0.92), (dx * 2 + 0.02, 0.6), (dx * 3, 0.3)]), 0.035, "flame")
    pen.glow(0.03, 0.95, 0.25, "flame", 0.6)
