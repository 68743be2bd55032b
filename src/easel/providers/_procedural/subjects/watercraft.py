"""Things that float: rowing boats, sailing boats and ships. Drawn facing right,
the waterline at y = 0."""

from __future__ import annotations

from easel.providers._procedural.subjects.pen import Pen, Pt, smooth
from easel.providers._procedural.subjects.registry import subject


def _hull(pen: Pen, length: float, rim: float, bow: float, fill: str = "main") -> list[Pt]:
    """A hull from stern (-length/2) to a raised bow; returns its rim line."""
    half = length / 2
    top = smooth([(-half, rim), (-half * 0.25, rim * 0.9), (half * 0.45, rim * 0.97), (half, bow)])
    bottom = smooth(
        [
            (half, bow),
            (half * 0.86, bow * 0.45),
            (half * 0.45, rim * 0.1),
            (-half * 0.25, 0.0),
            (-half * 0.8, rim * 0.06),
            (-half * 0.97, rim * 0.4),
            (-half, rim),
        ]
    )
    pen.poly([*top, *bottom[1:]], fill, shade="lit")
    return top


def _band(pen: Pen, rim: list[Pt], below: float, fill: str) -> None:
    """A painted stripe just under the rim."""
    pen.poly([*rim, *((x, y - below) for x, y in reversed(rim))], fill, shade="flat")


@subject(
    "boat",
    metres=1.2,
    nouns=("rowboat", "rowing boat", "row boat", "dinghy", "canoe", "skiff", "fishing boat",
           "rowing"),
    habitat="water",
    aspect=2.7,
    scale=0.11,
    colours=("#c8402e", "#2a5bd7", "#f0ede4", "#e8b526", "#3f8a5a", "#9a6a3f"),
    box=(-1.45, 1.45, 0.0, 1.35),
    perch=(-0.2, 0.55, 1.3),
    holds=True,
    trim="#f4f2ec",
)  # fmt: skip
def boat(pen: Pen) -> None:
    # The inside of the boat, seen from a little above, then the hull in front of it.
    inner = smooth([(-1.22, 0.8), (-0.3, 0.9), (0.6, 0.93), (1.27, 1.0)])
    pen.poly([*inner, (1.27, 0.95), (0.6, 0.7), (-0.3, 0.66), (-1.22, 0.76)], "darkwood", "flat")
    pen.stroke([(0.2, 1.3), (-0.15, 0.9), (-0.9, 0.02)], 0.05, "wood")  # an oar
    pen.rect(-0.35, 0.75, 0.05, 0.92, "wood", shade="flat")  # a thwart
    rim = _hull(pen, 2.6, 0.8, 1.0)
    _band(pen, rim, 0.13, "trim")
    for k in (0.42, 0.25):
        line = [(x * 0.97, y * k / 0.8 + 0.02) for x, y in rim]
        pen.stroke(line, 0.018, "dark")


@subject(
    "sailboat",
    metres=8,
    nouns=("sailing boat", "sail boat", "yacht", "sloop", "sail"),
    habitat="water",
    aspect=0.95,
    scale=0.3,
    colours=("#1f3f8a", "#c8402e", "#f0ede4", "#2e8a7a", "#e8b526"),
    box=(-0.5, 0.5, 0.0, 1.02),
    sail="#f7f3e8",
)  # fmt: skip
def sailboat(pen: Pen) -> None:
    mast = -0.03
    main = [
        (mast - 0.015, 0.97),
        *smooth([(mast - 0.08, 0.7), (mast - 0.24, 0.45)])[1:],
        (mast - 0.38, 0.26),
        (mast - 0.015, 0.26),
    ]
    jib = [(mast + 0.015, 0.92), (mast + 0.43, 0.26), (mast + 0.015, 0.27)]
    pen.poly(main, "sail", shade="lit")
    pen.poly(jib, "sail", shade="lit")
    stripe = [(mast + 0.015, 0.27), (mast + 0.43, 0.26), (mast + 0.365, 0.36), (mast + 0.015, 0.36)]
    pen.poly(stripe, "main", shade="flat")
    pen.stroke([(mast, 0.2), (mast, 1.0)], 0.018, "wood")
    pen.stroke([(mast - 0.4, 0.25), (mast, 0.25)], 0.014, "wood")
    pen.poly([(mast, 1.0), (mast + 0.09, 0.975), (mast, 0.95)], "red", shade="flat")
    rim = _hull(pen, 0.9, 0.16, 0.22)
    _band(pen, rim, 0.035, "white")


@subject(
    "ship",
    metres=30,
    nouns=("steamship", "steamer", "liner", "ocean liner", "ferry", "cruise ship", "freighter",
           "tugboat", "tug"),
    habitat="water",
    aspect=2.5,
    scale=0.2,
    colours=("#1d2a44", "#2a2a30", "#8a1f1f", "#f0ede4"),
    box=(-1.3, 1.3, 0.0, 1.5),
    funnel="#d7402b",
    deck="#f4f2ec",
)  # fmt: skip
def ship(pen: Pen) -> None:
    for k, (x, r) in enumerate(((-0.35, 0.13), (-0.6, 0.17), (-0.9, 0.2))):  # smoke
        pen.oval(x, 1.1 + k * 0.13, r * 1.4, r, (0.72, 0.72, 0.74), shade="round")
    for x in (-0.35, 0.05):
        pen.rect(x - 0.1, 0.7, x + 0.1, 1.05, "funnel", shade="cyl")
        pen.rect(x - 0.1, 0.95, x + 0.1, 1.05, "black", shade="cyl")
    pen.rect(-0.75, 0.36, 0.55, 0.58, "deck", shade="lit")
    pen.rect(-0.5, 0.58, 0.35, 0.74, "deck", shade="lit")
    for row, y in enumerate((0.47, 0.66)):
        x = -0.68 if row == 0 else -0.42
        while x < (0.5 if row == 0 else 0.3):
            pen.rect(x, y - 0.035, x + 0.06, y + 0.035, "window", shade="flat")
            x += 0.11
    hull = [(-1.2, 0.0), (0.95, 0.0), (1.25, 0.44), (-1.22, 0.38)]
    pen.poly(hull, "main", shade="lit")
    pen.poly([(-1.2, 0.0), (0.95, 0.0), (1.0, 0.08), (-1.2, 0.08)], "red", shade="flat")
    pen.poly([(-1.22, 0.38), (1.25, 0.44), (1.23, 0.41), (-1.22, 0.35)], "white", shade="flat")
    for x in (-0.9, -0.55, -0.2, 0.15, 0.5):
        pen.oval(x, 0.22, 0.025, 0.025, "window", shade="flat")
