"""Four-legged animals: cats, dogs, foxes, rabbits, horses and unicorns, cows, sheep,
pigs, elephants and bears. Side views face right, standing on y = 0."""

from __future__ import annotations

from easel.providers._procedural.subjects.pen import Pen, Pt, arc, smooth
from easel.providers._procedural.subjects.registry import subject


def eye(pen: Pen, x: float, y: float, r: float, iris: str = "eye", slit: bool = False) -> None:
    """An eye with a catch-light; closed (a curve) when the animal sleeps."""
    if pen.traits & {"sleeping", "asleep"}:
        pen.stroke(arc(x, y + r * 0.3, r, r * 0.8, 200, 340, 8), r * 0.35, "black")
        return
    if iris != "eye":
        pen.oval(x, y, r, r * 1.1, iris, shade="round")
        if slit:
            pen.oval(x, y, r * 0.22, r, "black", shade="flat")
        else:
            pen.oval(x, y, r * 0.5, r * 0.55, "black", shade="flat")
    else:
        pen.oval(x, y, r, r, "eye", shade="flat")
    pen.oval(x + r * 0.3, y + r * 0.35, r * 0.28, r * 0.28, "white", shade="flat")


def _legs(pen: Pen, xs: list[float], top: float, width: float, fill: str, hoof: str = "") -> None:
    for k, x in enumerate(xs):
        tone = fill if k % 2 else f"dark:{fill}"
        pen.rect(x - width / 2, 0.0, x + width / 2, top, tone, shade="cyl", r=width * 0.3)
        if hoof:
            pen.rect(
                x - width / 2, 0.0, x + width / 2, width * 0.6, hoof, shade="flat", r=width * 0.2
            )


def _sitting_cat(pen: Pen) -> None:
    pen.stroke(smooth([(0.12, 0.04), (0.34, 0.08), (0.4, 0.3), (0.32, 0.42)]), 0.07, "tail|main")
    body = [
        (-0.22, 0.0),
        (0.22, 0.0),
        (0.25, 0.18),
        (0.16, 0.44),
        (0.0, 0.52),
        (-0.16, 0.44),
        (-0.25, 0.18),
    ]
    pen.blob(body, "main")
    pen.oval(0.0, 0.3, 0.09, 0.16, "light", shade="flat")
    for x in (-0.07, 0.07):
        pen.rect(x - 0.045, 0.0, x + 0.045, 0.3, "main", shade="cyl", r=0.04)
        pen.oval(x, 0.02, 0.055, 0.035, "light", shade="flat")
    _cat_head(pen, 0.0, 0.68, 0.2)


def _cat_head(pen: Pen, cx: float, cy: float, r: float, fox: bool = False) -> None:
    ear = [
        (cx - r * 0.95, cy + r * 0.3),
        (cx - r * 0.75, cy + r * 1.45),
        (cx - r * 0.15, cy + r * 0.85),
    ]
    for side in (-1, 1):
        pts = [(cx + (x - cx) * side * -1, y) for x, y in ear] if side > 0 else ear
        pen.poly(pts, "main", shade="lit")
        inner = [(cx + (x - cx) * 0.62, cy + (y - cy) * 0.8 + r * 0.12) for x, y in pts]
        pen.poly(inner, "pink", shade="flat")
    pen.oval(cx, cy, r * 1.08, r * 0.95, "main", shade="round")
    if fox:
        pen.poly(
            [
                (cx - r * 1.05, cy - r * 0.1),
                (cx, cy - r * 0.85),
                (cx + r * 1.05, cy - r * 0.1),
                (cx, cy - r * 0.3),
            ],
            "white",
            shade="flat",
        )
    elif pen.look.colours["main"][0] > 0.7 > pen.look.colours["main"][2]:  # tabby stripes
        for dx in (-0.25, 0.0, 0.25):
            pen.stroke(
                [(cx + dx * r, cy + r * 0.92), (cx + dx * r * 0.8, cy + r * 0.55)], r * 0.09, "dark"
            )
    pen.oval(cx, cy - r * 0.4, r * 0.42, r * 0.3, "light", shade="flat")
    for side in (-1, 1):
        eye(pen, cx + side * r * 0.42, cy + r * 0.1, r * 0.2, "iris", slit=not fox)
    pen.poly(
        [(cx - r * 0.12, cy - r * 0.2), (cx + r * 0.12, cy - r * 0.2), (cx, cy - r * 0.34)],
        "black" if fox else "pink",
        shade="flat",
    )
    pen.stroke(
        [(cx - r * 0.2, cy - r * 0.5), (cx, cy - r * 0.38), (cx + r * 0.2, cy - r * 0.5)],
        r * 0.045,
        "black",
    )
    if not fox:
        for side in (-1, 1):
            for k in (-1, 0, 1):
                pen.stroke(
                    [
                        (cx + side * r * 0.35, cy - r * 0.35),
                        (cx + side * r * 1.25, cy - r * 0.3 + k * r * 0.14),
                    ],
                    r * 0.02,
                    "white",
                )


def _sleeping_cat(pen: Pen) -> None:
    pen.oval(0.0, 0.2, 0.44, 0.2, "main", shade="round")
    pen.stroke(smooth([(-0.4, 0.1), (-0.2, 0.01), (0.1, 0.02), (0.3, 0.05)]), 0.07, "tail|main")
    _cat_head(pen, 0.3, 0.2, 0.15)


@subject(
    "cat",
    metres=0.35,
    nouns=("kitten", "kitty", "tabby", "moggy", "feline"),
    habitat="ground",
    aspect=0.85,
    scale=0.26,
    colours=("#e0913a", "#8a8a92", "#2a2a30", "#f0ece4", "#c9a27a"),
    iris="#9ac23a",
)  # fmt: skip
def cat(pen: Pen) -> None:
    if pen.traits & {"sleeping", "asleep", "lying"}:
        _sleeping_cat(pen)
    else:
        _sitting_cat(pen)


@subject(
    "fox",
    metres=0.45,
    nouns=("vixen",),
    habitat="ground",
    aspect=0.85,
    scale=0.26,
    colours=("#e0702a", "#d0602a", "#c8541f"),
    iris="#c88a2a",
)  # fmt: skip
def fox(pen: Pen) -> None:
    pen.blob([(0.1, 0.05), (0.42, 0.08), (0.5, 0.3), (0.42, 0.4), (0.3, 0.22)], "tail|main")
    pen.oval(0.45, 0.34, 0.07, 0.07, "white", shade="round")
    pen.blob(
        [
            (-0.2, 0.0),
            (0.2, 0.0),
            (0.22, 0.2),
            (0.13, 0.45),
            (0.0, 0.5),
            (-0.13, 0.45),
            (-0.22, 0.2),
        ],
        "main",
    )
    pen.blob([(-0.08, 0.2), (0.08, 0.2), (0.1, 0.4), (0.0, 0.48), (-0.1, 0.4)], "white")
    for x in (-0.07, 0.07):
        pen.rect(x - 0.04, 0.0, x + 0.04, 0.2, "black", shade="cyl", r=0.03)
    _cat_head(pen, 0.0, 0.66, 0.19, fox=True)


def _quadruped(
    pen: Pen,
    body: list[Pt],
    legs: tuple[list[float], float, float],
    hoof: str = "",
    fill: str = "main",
    leg_fill: str = "",
) -> None:
    """Far legs, the body, then near legs: four legs read as standing."""
    xs, top, width = legs
    _legs(pen, xs[::2], top, width, leg_fill or fill, hoof)
    pen.blob(body, fill)
    _legs(pen, xs[1::2], top, width, leg_fill or fill, hoof)


@subject(
    "dog",
    metres=0.6,
    nouns=("puppy", "pup", "hound", "doggy", "labrador", "retriever", "poodle", "terrier",
           "dalmatian:spotted", "corgi", "beagle", "spaniel"),
    habitat="ground",
    aspect=1.25,
    scale=0.27,
    colours=("#a8743f", "#d9a65a", "#2a2a30", "#f0ece4", "#7a5a3a", "#c98a4a"),
)  # fmt: skip
def dog(pen: Pen) -> None:
    pen.stroke(smooth([(-0.38, 0.6), (-0.5, 0.72), (-0.52, 0.88)]), 0.06, "tail|main")
    body = [(-0.44, 0.42), (-0.4, 0.66), (0.0, 0.7), (0.3, 0.7), (0.38, 0.45), (0.0, 0.38)]
    _quadruped(pen, body, ([-0.36, -0.26, 0.22, 0.3], 0.46, 0.09))
    if "spotted" in pen.traits or pen.look.colours["main"][0] > 0.9:
        for x, y in ((-0.25, 0.55), (0.0, 0.62), (0.15, 0.5), (-0.1, 0.47)):
            pen.oval(x, y, 0.035, 0.03, "black", shade="flat")
    pen.poly([(0.22, 0.55), (0.38, 0.52), (0.5, 0.8), (0.34, 0.86)], "main")  # neck
    pen.oval(0.44, 0.85, 0.15, 0.14, "main", shade="round")
    pen.rect(0.44, 0.72, 0.66, 0.86, "main", shade="round", r=0.06)  # muzzle
    pen.oval(0.65, 0.83, 0.035, 0.03, "black", shade="round")
    pen.stroke([(0.52, 0.75), (0.63, 0.76)], 0.012, "black")
    eye(pen, 0.5, 0.9, 0.028)
    pen.blob([(0.32, 0.97), (0.42, 0.95), (0.38, 0.78), (0.3, 0.72), (0.26, 0.8)], "dark")  # ear
    pen.poly([(0.3, 0.64), (0.4, 0.6), (0.42, 0.66), (0.32, 0.7)], "collar", shade="flat")


@subject(
    "rabbit",
    metres=0.3,
    nouns=("bunny", "hare"),
    habitat="ground",
    aspect=0.8,
    scale=0.2,
    colours=("#c9b49a", "#f0ece4", "#8a7a6a", "#a89a8a"),
)  # fmt: skip
def rabbit(pen: Pen) -> None:
    pen.oval(-0.3, 0.22, 0.08, 0.08, "white", shade="round")
    pen.oval(-0.05, 0.25, 0.3, 0.25, "main", shade="round")
    pen.oval(0.12, 0.06, 0.14, 0.06, "main", shade="round")
    for dx, rot in ((0.0, 0.12), (0.08, -0.05)):
        pen.oval(0.18 + dx, 0.82, 0.055, 0.2, "main", rot=rot, shade="round")
        pen.oval(0.18 + dx, 0.82, 0.025, 0.15, "pink", rot=rot, shade="flat")
    pen.oval(0.22, 0.5, 0.17, 0.15, "main", shade="round")
    eye(pen, 0.28, 0.54, 0.03)
    pen.oval(0.38, 0.47, 0.025, 0.02, "pink", shade="flat")


def _horse(pen: Pen, horn: bool) -> None:
    pen.poly([(-0.42, 0.72), (-0.5, 0.45), (-0.46, 0.25), (-0.4, 0.5)], "mane|dark", shade="flat")
    body = [(-0.44, 0.55), (-0.4, 0.76), (0.0, 0.78), (0.3, 0.76), (0.38, 0.55), (0.0, 0.48)]
    _quadruped(pen, body, ([-0.36, -0.26, 0.2, 0.3], 0.56, 0.075), hoof="black")
    pen.poly([(0.18, 0.62), (0.38, 0.58), (0.5, 0.92), (0.32, 0.98)], "main", shade="lit")
    pen.blob(
        [(0.34, 1.0), (0.44, 0.98), (0.62, 0.8), (0.6, 0.74), (0.5, 0.76), (0.38, 0.86)], "main"
    )
    pen.oval(0.59, 0.78, 0.04, 0.035, "dark", shade="flat")
    eye(pen, 0.44, 0.92, 0.022)
    pen.poly([(0.36, 0.98), (0.38, 1.06), (0.42, 0.98)], "main", shade="flat")
    pen.stroke(smooth([(0.34, 1.0), (0.26, 0.88), (0.2, 0.7)]), 0.05, "mane|dark")
    if horn:
        pen.poly([(0.4, 1.0), (0.47, 1.0), (0.52, 1.16)], "gold", shade="lit")


@subject(
    "horse",
    metres=1.8,
    nouns=("pony", "stallion", "mare", "foal", "steed"),
    habitat="ground",
    aspect=1.1,
    scale=0.38,
    colours=("#8a5a34", "#5a3a22", "#2a2a30", "#f0ece4", "#b8844a", "#9a9aa0"),
    box=(-0.55, 0.65, 0.0, 1.1),
)  # fmt: skip
def horse(pen: Pen) -> None:
    _horse(pen, horn=False)


@subject(
    "unicorn",
    metres=1.8,
    nouns=(),
    habitat="ground",
    aspect=1.1,
    scale=0.38,
    colours=("#f4f2ec", "#f3e4f0"),
    box=(-0.55, 0.65, 0.0, 1.18),
    mane="#c88ae0",
)  # fmt: skip
def unicorn(pen: Pen) -> None:
    _horse(pen, horn=True)


@subject(
    "cow",
    metres=1.5,
    nouns=("cattle", "bull", "calf", "ox"),
    habitat="ground",
    aspect=1.3,
    scale=0.3,
    colours=("#f4f2ec", "#8a5a34", "#2a2a30"),
)  # fmt: skip
def cow(pen: Pen) -> None:
    pen.stroke([(-0.5, 0.75), (-0.54, 0.4)], 0.025, "main")
    body = [(-0.5, 0.42), (-0.48, 0.8), (0.0, 0.82), (0.36, 0.8), (0.4, 0.45), (0.0, 0.4)]
    _quadruped(pen, body, ([-0.42, -0.32, 0.22, 0.32], 0.45, 0.1), hoof="black")
    spot = "black" if pen.look.colours["main"][0] > 0.8 else "white"
    for x, y, r in ((-0.3, 0.65, 0.1), (0.05, 0.7, 0.08), (0.2, 0.55, 0.07), (-0.1, 0.5, 0.06)):
        pen.blob(
            [(x - r, y), (x, y + r * 0.8), (x + r, y + r * 0.1), (x + r * 0.3, y - r * 0.8)], spot
        )
    pen.oval(-0.05, 0.4, 0.08, 0.05, "pink", shade="round")
    pen.blob([(0.32, 0.86), (0.5, 0.88), (0.6, 0.6), (0.5, 0.55), (0.38, 0.62)], "main")
    pen.oval(0.56, 0.6, 0.09, 0.07, "pink", shade="round")
    for side in (-1, 1):
        pen.oval(0.46 + side * 0.1, 0.86, 0.07, 0.03, "main", rot=side * 0.3)
    pen.poly([(0.4, 0.88), (0.36, 1.0), (0.44, 0.9)], "horn", shade="flat")
    pen.poly([(0.5, 0.89), (0.56, 1.0), (0.54, 0.88)], "horn", shade="flat")
    eye(pen, 0.46, 0.76, 0.025)


@subject(
    "sheep",
    metres=1.0,
    nouns=("lamb", "ram"),
    habitat="ground",
    aspect=1.2,
    scale=0.24,
    colours=("#f2efe6", "#e6e0d2", "#d9d3c4"),
)  # fmt: skip
def sheep(pen: Pen) -> None:
    _legs(pen, [-0.3, -0.2, 0.18, 0.28], 0.35, 0.07, "black")
    for x, y, r in (
        (-0.3, 0.5, 0.18),
        (-0.1, 0.58, 0.2),
        (0.12, 0.55, 0.19),
        (0.25, 0.45, 0.15),
        (-0.15, 0.38, 0.17),
        (0.08, 0.38, 0.17),
        (-0.38, 0.4, 0.12),
    ):
        pen.oval(x, y, r, r * 0.9, "main", shade="round")
    pen.oval(0.4, 0.6, 0.12, 0.15, "black", shade="round", rot=-0.3)
    pen.oval(0.33, 0.7, 0.08, 0.035, "black", rot=0.5)
    pen.oval(0.33, 0.72, 0.12, 0.09, "main", shade="round")
    eye(pen, 0.44, 0.62, 0.02, "white")


@subject(
    "pig",
    metres=0.9,
    nouns=("piglet", "hog", "swine"),
    habitat="ground",
    aspect=1.2,
    scale=0.22,
    colours=("#f2a6b0", "#e89aa6", "#f0b8b8"),
)  # fmt: skip
def pig(pen: Pen) -> None:
    pen.stroke(smooth([(-0.42, 0.55), (-0.52, 0.6), (-0.5, 0.68), (-0.44, 0.64)]), 0.02, "main")
    body = [(-0.44, 0.3), (-0.42, 0.72), (0.0, 0.78), (0.3, 0.72), (0.4, 0.4), (0.0, 0.25)]
    _quadruped(pen, body, ([-0.3, -0.22, 0.18, 0.26], 0.3, 0.09), hoof="dark")
    pen.oval(0.42, 0.55, 0.07, 0.09, "light", shade="round")
    pen.oval(0.44, 0.55, 0.015, 0.025, "dark", shade="flat")
    pen.oval(0.44, 0.6, 0.015, 0.025, "dark", shade="flat")
    pen.poly([(0.22, 0.72), (0.28, 0.86), (0.34, 0.72)], "main")
    eye(pen, 0.3, 0.64, 0.022)


@subject(
    "elephant",
    metres=3.2,
    nouns=("mammoth",),
    habitat="ground",
    aspect=1.3,
    scale=0.42,
    colours=("#8a9096", "#7a8088", "#9aa0a6"),
)  # fmt: skip
def elephant(pen: Pen) -> None:
    pen.stroke([(-0.5, 0.7), (-0.56, 0.45)], 0.025, "main")
    body = [(-0.52, 0.35), (-0.48, 0.8), (0.0, 0.88), (0.3, 0.8), (0.4, 0.4), (0.0, 0.3)]
    _quadruped(pen, body, ([-0.38, -0.26, 0.16, 0.28], 0.4, 0.14), hoof="light")
    pen.oval(0.42, 0.72, 0.2, 0.2, "main", shade="round")
    pen.stroke(smooth([(0.55, 0.66), (0.62, 0.45), (0.6, 0.22), (0.66, 0.14)]), 0.09, "main")
    pen.poly([(0.5, 0.56), (0.62, 0.5), (0.66, 0.56), (0.56, 0.6)], "white", shade="flat")
    pen.blob([(0.3, 0.88), (0.42, 0.82), (0.4, 0.52), (0.26, 0.48), (0.18, 0.66)], "dark")
    eye(pen, 0.52, 0.78, 0.022)


@subject(
    "bear",
    metres=1.4,
    nouns=("grizzly", "polar bear:polar", "teddy bear:teddy", "teddy", "panda:panda"),
    habitat="ground",
    aspect=1.25,
    scale=0.32,
    colours=("#6a4a30", "#4a3222", "#8a5a34"),
)  # fmt: skip
def bear(pen: Pen) -> None:
    fill = "white" if pen.traits & {"polar", "panda"} else "main"
    dark = "black" if "panda" in pen.traits else fill
    body = [(-0.46, 0.35), (-0.42, 0.78), (0.0, 0.82), (0.28, 0.76), (0.36, 0.4), (0.0, 0.32)]
    _quadruped(pen, body, ([-0.36, -0.24, 0.16, 0.28], 0.4, 0.13), fill=fill, leg_fill=dark)
    pen.oval(0.42, 0.7, 0.17, 0.16, fill, shade="round")
    for dx in (-0.1, 0.08):
        pen.oval(0.38 + dx, 0.85, 0.055, 0.055, dark, shade="round")
        pen.oval(0.38 + dx, 0.85, 0.028, 0.028, f"dark:{dark}", shade="flat")
    if "panda" in pen.traits:
        pen.oval(0.47, 0.74, 0.045, 0.035, "black", shade="flat", rot=-0.4)
    pen.oval(0.55, 0.65, 0.08, 0.06, f"light:{fill}", shade="round")
    pen.oval(0.61, 0.67, 0.03, 0.025, "black", shade="round")
    eye(pen, 0.46, 0.74, 0.022)
