"""People: standing figures and head-and-shoulders portraits, dressed by their role
(a fisherman's sou'wester, a chef's toque, a king's crown…), and snowmen.

A person's traits come from the words that asked for them ("old fisherman" → old,
fisher, male); skin and hair tones are chosen per person from the seed.
"""

from __future__ import annotations

from dataclasses import dataclass

from easel.providers._procedural.primitives import _hex, _mix
from easel.providers._procedural.subjects.pen import Pen, arc, smooth, star
from easel.providers._procedural.subjects.registry import subject

_SKINS = tuple(_hex(c) for c in ("#f3cdb0", "#e6b48f", "#c98d64", "#9c6846", "#6e4530"))
_HAIRS = tuple(_hex(c) for c in ("#2a1e18", "#4a3020", "#7a5230", "#c89a5a", "#a8482a"))
_GREY = _hex("#d9d6d0")
_IRISES = tuple(_hex(c) for c in ("#5a3a22", "#3a6ab0", "#4a7a3a", "#8a6a3a", "#2a2a30"))


@dataclass(frozen=True)
class Costume:
    """How a role dresses: hat shape, clothes colour, and whether a beard comes with it."""

    hat: str = ""
    clothes: str = ""
    hat_colour: str = ""
    beard: bool = False
    trim: str = ""


COSTUMES: dict[str, Costume] = {
    "fisher": Costume("souwester", "#f2c12e", "#f2c12e", beard=True),
    "sailor": Costume("cap", "#f4f2ec", "#f4f2ec", trim="#1f3f8a"),
    "king": Costume("crown", "#8a1f3a", "#e8b526", trim="#f4f2ec"),
    "queen": Costume("crown", "#6a2a8a", "#e8b526", trim="#f4f2ec"),
    "wizard": Costume("cone", "#2a3f8a", "#2a3f8a", beard=True),
    "witch": Costume("witch", "#2a2a30", "#2a2a30"),
    "pirate": Costume("tricorn", "#8a1f1f", "#1d1d22", beard=True),
    "chef": Costume("toque", "#f4f2ec", "#f4f2ec"),
    "farmer": Costume("straw", "#3f5f8f", "#e0c070"),
    "astronaut": Costume("helmet", "#e8e8e8", "#e8e8e8"),
    "knight": Costume("visor", "#a9b1ba", "#a9b1ba"),
    "doctor": Costume("", "#f4f2ec", trim="#6aa8c8"),
    "cowboy": Costume("cowboy", "#a8743f", "#7a5230"),
    "firefighter": Costume("fire", "#2a2a30", "#d7262b", trim="#f2c12e"),
    "artist": Costume("beret", "#3a3a44", "#c8402e"),
    "clown": Costume("", "#e8426a", trim="#f2d22e"),
}

_PEOPLE_NOUNS = (
    "man:male", "woman:female", "boy:male,child", "girl:female,child", "child:child",
    "kid:child", "baby:child", "lady:female", "gentleman:male", "guy:male",
    "fisherman:male,fisher", "fisher:fisher", "sailor:sailor", "captain:sailor,male",
    "king:male,king", "queen:female,queen", "prince:male,king,child",
    "princess:female,queen,child", "wizard:male,wizard,old", "witch:female,witch",
    "pirate:male,pirate", "chef:chef", "cook:chef", "baker:chef", "farmer:farmer",
    "astronaut:astronaut", "spaceman:astronaut", "knight:knight", "doctor:doctor",
    "nurse:doctor,female", "clown:clown", "cowboy:male,cowboy", "cowgirl:female,cowboy",
    "firefighter:firefighter", "fireman:male,firefighter", "painter:artist", "artist:artist",
    "grandma:female,old", "grandmother:female,old", "grandpa:male,old",
    "grandfather:male,old", "granny:female,old", "figure", "human", "hiker", "traveller",
    "traveler", "student", "teacher", "dancer:female", "ballerina:female", "musician",
    "friend", "stranger", "villager", "explorer:cowboy",
)  # fmt: skip


def _costume(pen: Pen) -> Costume:
    return next((COSTUMES[t] for t in sorted(pen.traits) if t in COSTUMES), Costume())


def _dress_up(pen: Pen) -> tuple[Costume, bool]:
    """Skin, hair, clothes and hat colours for this person (the prompt's where it named
    them; grey hair when old); returns the costume and whether she is a woman."""
    costume = _costume(pen)
    skin = _SKINS[int(pen.rng.integers(len(_SKINS)))]
    hair = _HAIRS[int(pen.rng.integers(len(_HAIRS)))]
    if pen.traits & {"old", "elderly", "wizard"}:
        hair = _GREY
    main = pen.look.colours["main"]
    clothes = _hex(costume.clothes) if costume.clothes and not pen.look.named else main
    iris = _IRISES[int(pen.rng.integers(len(_IRISES)))]
    pen.recolour(
        iris=iris,
        skin=skin,
        hair=hair,
        clothes=clothes,
        hat=_hex(costume.hat_colour) if costume.hat_colour else clothes,
        trim=_hex(costume.trim) if costume.trim else _mix(clothes, (1.0, 1.0, 1.0), 0.5),
    )
    female = "female" in pen.traits or ("male" not in pen.traits and pen.rng.random() < 0.5)
    return costume, female


# --------------------------------------------------------------------------- heads


def _hair_back(pen: Pen, cx: float, cy: float, r: float, long: bool, hair: str = "hair") -> None:
    if long:
        pen.blob(
            [
                (cx - r * 1.05, cy - r * 1.7),
                (cx - r * 1.18, cy + r * 0.2),
                (cx, cy + r * 1.18),
                (cx + r * 1.18, cy + r * 0.2),
                (cx + r * 1.05, cy - r * 1.7),
                (cx, cy - r * 1.3),
            ],
            hair,
        )


def _hair_top(pen: Pen, cx: float, cy: float, r: float, bald: bool, hair: str = "hair") -> None:
    if bald:
        for side in (-1, 1):
            pen.oval(cx + side * r * 0.88, cy + r * 0.15, r * 0.2, r * 0.35, hair, shade="flat")
        return
    top = arc(cx, cy + r * 0.05, r * 1.06, r * 1.12, 0, 180, 20)
    fringe = [
        (cx - r * 1.02, cy - r * 0.1),
        (cx - r * 0.6, cy + r * 0.55),
        (cx - r * 0.1, cy + r * 0.45),
        (cx + r * 0.3, cy + r * 0.62),
        (cx + r * 0.85, cy + r * 0.4),
        (cx + r * 1.02, cy - r * 0.1),
    ]
    pen.poly([*top, *smooth(fringe)], hair, shade="lit")


def _beard(pen: Pen, cx: float, cy: float, r: float, long: bool, hair: str = "hair") -> None:
    low = cy - r * (2.0 if long else 1.35)
    pen.blob(
        [
            (cx - r * 0.95, cy - r * 0.05),
            (cx - r * 0.8, cy - r * 0.9),
            (cx, low),
            (cx + r * 0.8, cy - r * 0.9),
            (cx + r * 0.95, cy - r * 0.05),
            (cx, cy - r * 0.55),
        ],
        hair,
    )
    pen.blob(
        [
            (cx - r * 0.45, cy - r * 0.42),
            (cx, cy - r * 0.3),
            (cx + r * 0.45, cy - r * 0.42),
            (cx, cy - r * 0.55),
        ],
        hair,
    )
    pen.oval(cx, cy - r * 0.62, r * 0.2, r * 0.07, "dark:skin", shade="flat")


def _face(pen: Pen, cx: float, cy: float, r: float, detail: bool, old: bool) -> None:
    """Eyes, brows, nose and mouth; more of them when the face is large."""
    ey = cy + r * 0.08
    for side in (-1, 1):
        ex = cx + side * r * 0.38
        if detail:
            pen.oval(ex, ey, r * 0.19, r * 0.11, "white", shade="flat")
            pen.oval(ex, ey, r * 0.1, r * 0.1, "iris", shade="round")
            pen.oval(ex, ey, r * 0.05, r * 0.05, "black", shade="flat")
            pen.oval(ex + r * 0.03, ey + r * 0.035, r * 0.025, r * 0.025, "white", shade="flat")
            pen.stroke(
                arc(ex, ey - r * 0.02, r * 0.2, r * 0.14, 20, 160, 8), r * 0.035, "dark:skin"
            )
            brow = "hair" if old else "dark:hair"
            pen.stroke(
                [(ex - r * 0.18, ey + r * 0.24), (ex + r * 0.18, ey + r * 0.28 - side * r * 0.02)],
                r * 0.06,
                brow,
            )
        else:
            pen.oval(ex, ey, r * 0.09, r * 0.11, "black", shade="flat")
    if detail:
        pen.poly(
            [
                (cx + r * 0.02, cy + r * 0.02),
                (cx + r * 0.12, cy - r * 0.3),
                (cx - r * 0.08, cy - r * 0.3),
            ],
            "dark:skin",
            shade="flat",
            opacity=0.35,
        )
        pen.oval(cx, cy - r * 0.31, r * 0.1, r * 0.05, "dark:skin", shade="flat", opacity=0.6)
        for side in (-1, 1):
            pen.oval(
                cx + side * r * 0.5,
                cy - r * 0.25,
                r * 0.16,
                r * 0.1,
                "pink",
                shade="flat",
                opacity=0.3,
            )
        if old:
            for k in range(3):
                y = cy + r * (0.5 + k * 0.1)
                pen.stroke(
                    [(cx - r * 0.35, y), (cx, y + r * 0.03), (cx + r * 0.35, y)],
                    r * 0.02,
                    "dark:skin",
                )
            for side in (-1, 1):
                pen.stroke(
                    [(cx + side * r * 0.22, cy - r * 0.2), (cx + side * r * 0.34, cy - r * 0.5)],
                    r * 0.03,
                    "dark:skin",
                )
    mouth = arc(cx, cy - r * 0.42, r * 0.26, r * 0.14, 200, 340, 10)
    pen.stroke(mouth, r * (0.05 if detail else 0.07), (0.6, 0.25, 0.25))


# Hats as shapes around a head of radius 1 centred at (0, 0): (shape, points, colour).
# "poly" and "blob" take outlines; "oval" takes (cx, cy, rx, ry).
HatPart = tuple[str, tuple[tuple[float, float], ...], str]
# fmt: off
HATS: dict[str, tuple[HatPart, ...]] = {
    "souwester": (
        ("blob", ((-1.4, 0.3), (-1.0, 0.62), (0.0, 0.68), (1.0, 0.62), (1.45, 0.2),
                  (1.1, 0.4), (0.0, 0.52), (-1.1, 0.42)), "hat"),
        ("blob", ((-0.92, 0.6), (-0.7, 1.2), (0.0, 1.42), (0.7, 1.2), (0.92, 0.6)), "hat"),
    ),
    "cap": (
        ("blob", ((-1.0, 0.5), (0.0, 1.35), (1.0, 0.5)), "hat"),
        ("poly", ((-1.0, 0.42), (1.3, 0.42), (1.3, 0.56), (-1.0, 0.56)), "black"),
    ),
    "crown": (
        ("poly", ((-0.8, 0.6), (-0.8, 1.55), (-0.4, 1.25), (0.0, 1.55), (0.4, 1.25),
                  (0.8, 1.55), (0.8, 0.6)), "hat"),
        ("oval", ((0.0, 0.8), (0.09, 0.09)), "red"),
    ),
    "cone": (
        ("poly", ((-0.8, 0.6), (0.8, 0.6), (0.3, 2.7)), "hat"),
        ("oval", ((0.0, 0.6), (1.1, 0.2)), "hat"),
        ("star", ((0.1, 1.3), (0.2, 0.2)), "gold"),
    ),
    "witch": (
        ("poly", ((-0.8, 0.6), (0.8, 0.6), (0.3, 2.7)), "hat"),
        ("oval", ((0.0, 0.6), (1.5, 0.2)), "hat"),
    ),
    "tricorn": (("poly", ((-1.4, 0.7), (0.0, 1.5), (1.4, 0.7), (0.0, 0.45)), "hat"),),
    "toque": (
        ("poly", ((-0.75, 0.6), (0.75, 0.6), (0.75, 1.3), (-0.75, 1.3)), "hat"),
        ("oval", ((-0.5, 1.6), (0.45, 0.45)), "hat"),
        ("oval", ((0.0, 1.6), (0.45, 0.45)), "hat"),
        ("oval", ((0.5, 1.6), (0.45, 0.45)), "hat"),
    ),
    "straw": (
        ("oval", ((0.0, 0.62), (1.6, 0.22)), "hat"),
        ("blob", ((-0.75, 0.65), (-0.6, 1.4), (0.0, 1.3), (0.6, 1.4), (0.75, 0.65)), "hat"),
        ("poly", ((-0.76, 0.66), (0.76, 0.66), (0.76, 0.8), (-0.76, 0.8)), "dark:hat"),
    ),
    "beret": (("oval", ((-0.15, 0.85), (1.05, 0.35)), "hat"),),
    "fedora": (
        ("oval", ((0.0, 0.62), (1.45, 0.2)), "hat"),
        ("blob", ((-0.8, 0.65), (-0.65, 1.45), (0.0, 1.3), (0.65, 1.45), (0.8, 0.65)), "hat"),
        ("poly", ((-0.81, 0.66), (0.81, 0.66), (0.81, 0.82), (-0.81, 0.82)), "dark:hat"),
    ),
    "fire": (
        ("oval", ((0.0, 0.6), (1.3, 0.25)), "hat"),
        ("blob", ((-0.85, 0.6), (0.0, 1.45), (0.85, 0.6)), "hat"),
    ),
}
# fmt: on
HATS["cowboy"] = HATS["straw"]


def _hat(pen: Pen, kind: str, cx: float, cy: float, r: float) -> None:
    """The costume's hat, sized to a head of radius r centred at (cx, cy)."""
    for shape, pts, fill in HATS.get(kind, ()):
        at = [(cx + x * r, cy + y * r) for x, y in pts]
        if shape == "oval":
            (x, y), (rx, ry) = at[0], pts[1]
            pen.oval(x, y, rx * r, ry * r, fill, shade="round")
        elif shape == "star":
            pen.poly(star(at[0][0], at[0][1], pts[1][0] * r), fill, shade="flat")
        elif shape == "blob":
            pen.blob(at, fill)
        else:
            pen.poly(at, fill, shade="lit")


def head(
    pen: Pen, cx: float, cy: float, r: float, costume: Costume, female: bool, detail: bool
) -> None:
    """A whole head: hair, ears, face, beard and the costume's hat."""
    old = bool(pen.traits & {"old", "elderly"})
    if costume.hat == "helmet":
        pen.oval(cx, cy, r * 1.5, r * 1.45, "white", shade="round")
    _hair_back(pen, cx, cy, r, long=female)
    for side in (-1, 1):
        pen.oval(cx + side * r * 0.98, cy, r * 0.17, r * 0.25, "skin", shade="round")
    pen.oval(cx, cy, r, r * 1.12, "skin", shade="round")
    _face(pen, cx, cy, r, detail, old)
    bearded = not female and (
        (costume.beard and (old or "fisher" not in pen.traits))
        or bool(pen.traits & {"bearded"})
        or (old and pen.rng.random() < 0.5)
    )
    if bearded:
        _beard(pen, cx, cy, r, long="wizard" in pen.traits)
    if not costume.hat or costume.hat in ("beret", "straw", "cowboy", "cap"):
        _hair_top(pen, cx, cy, r, bald=old and not female and pen.rng.random() < 0.4)
    if "pirate" in pen.traits:
        pen.oval(cx + r * 0.38, cy + r * 0.08, r * 0.2, r * 0.17, "black", shade="flat")
        pen.stroke([(cx - r, cy + r * 0.5), (cx + r, cy - r * 0.1)], r * 0.05, "black")
    if "clown" in pen.traits:
        pen.oval(cx, cy - r * 0.2, r * 0.16, r * 0.16, "red", shade="round")
    if costume.hat == "helmet":
        pen.oval(cx, cy, r * 1.35, r * 1.3, "glass", shade="round", opacity=0.35)
    elif costume.hat == "visor":
        pen.blob(
            [
                (cx - r * 1.1, cy - r),
                (cx - r * 1.15, cy + r * 0.6),
                (cx, cy + r * 1.3),
                (cx + r * 1.15, cy + r * 0.6),
                (cx + r * 1.1, cy - r),
            ],
            "metal",
        )
        pen.rect(cx - r * 0.8, cy, cx + r * 0.8, cy + r * 0.12, "black", shade="flat")
    elif costume.hat:
        _hat(pen, costume.hat, cx, cy, r)
    elif "hat" in pen.look.parts:  # "a man with a red hat"
        _hat(pen, "fedora", cx, cy, r)


# ------------------------------------------------------------------------- bodies


@subject(
    "person",
    metres=1.7,
    nouns=_PEOPLE_NOUNS,
    habitat="ground",
    aspect=0.5,
    scale=0.42,
    colours=("#3f5f8f", "#c8402e", "#3f8a5a", "#e8b526", "#6a3a8a", "#2a2a30"),
    box=(-0.3, 0.3, 0.0, 1.12),
)  # fmt: skip
def person(pen: Pen) -> None:
    costume, female = _dress_up(pen)
    clothes = "clothes"
    legs = "trousers"
    for side in (-1, 1):
        pen.rect(side * 0.075 - 0.035, 0.02, side * 0.075 + 0.035, 0.44, legs, shade="cyl")
        pen.oval(side * 0.08 + 0.02, 0.025, 0.055, 0.03, "shoe", shade="round")
    if female:
        pen.poly([(-0.12, 0.62), (0.12, 0.62), (0.2, 0.22), (-0.2, 0.22)], clothes, shade="lit")
    pen.rect(-0.13, 0.4, 0.13, 0.72, clothes, shade="lit", r=0.05)
    for side in (-1, 1):
        pen.stroke([(side * 0.14, 0.7), (side * 0.2, 0.55), (side * 0.19, 0.42)], 0.06, clothes)
        pen.oval(side * 0.19, 0.4, 0.035, 0.035, "skin", shade="round")
    pen.rect(-0.035, 0.7, 0.035, 0.78, "skin", shade="flat")
    head(pen, 0.0, 0.86, 0.09, costume, female, detail=pen.frame.unit > 250)


@subject(
    "portrait",
    metres=1.7,
    nouns=(),
    named=False,
    habitat="ground",
    aspect=1.0,
    scale=0.9,
    colours=("#3f5f8f", "#8a3a3a", "#3f6a4a", "#5a4a6a", "#2a2a30"),
    box=(-0.55, 0.55, 0.0, 1.05),
)  # fmt: skip
def portrait(pen: Pen) -> None:
    costume, female = _dress_up(pen)
    clothes = "clothes"
    shoulders = smooth(
        [
            (-0.5, -0.02),
            (-0.47, 0.15),
            (-0.34, 0.25),
            (-0.12, 0.3),
            (0.12, 0.3),
            (0.34, 0.25),
            (0.47, 0.15),
            (0.5, -0.02),
        ]
    )
    pen.poly(shoulders, clothes, shade="round")
    pen.rect(-0.085, 0.2, 0.085, 0.46, "dark:skin", shade="flat", to="skin")
    pen.poly([(-0.11, 0.3), (0.11, 0.3), (0.0, 0.14)], "skin", shade="flat")
    collar = "trim" if costume.trim else "dark:clothes"
    for side in (-1, 1):
        pen.poly(
            [(side * 0.1, 0.31), (side * 0.2, 0.29), (side * 0.05, 0.08), (0.0, 0.13)],
            collar,
            shade="lit",
        )
    head(pen, 0.0, 0.62, 0.2, costume, female, detail=True)


@subject(
    "snowman",
    metres=1.6,
    nouns=("snow man", "snowmen"),
    habitat="ground",
    aspect=0.7,
    scale=0.4,
    colours=("#f7f9fc",),
    mood="winter",
    box=(-0.42, 0.42, 0.0, 1.05),
)  # fmt: skip
def snowman(pen: Pen) -> None:
    pen.oval(0.0, 0.2, 0.24, 0.21, "main", shade="round")
    for side in (-1, 1):
        pen.stroke([(side * 0.15, 0.5), (side * 0.34, 0.62), (side * 0.4, 0.7)], 0.02, "darkwood")
    pen.oval(0.0, 0.5, 0.18, 0.16, "main", shade="round")
    pen.oval(0.0, 0.74, 0.13, 0.12, "main", shade="round")
    pen.rect(-0.13, 0.62, 0.13, 0.66, "scarf", shade="flat", r=0.02)
    pen.rect(0.05, 0.5, 0.1, 0.66, "scarf", shade="flat", r=0.02)
    for y in (0.55, 0.47, 0.39):
        pen.oval(0.0, y, 0.02, 0.02, "black", shade="flat")
    for side in (-1, 1):
        pen.oval(side * 0.05, 0.78, 0.018, 0.018, "black", shade="flat")
    pen.poly([(0.0, 0.75), (0.14, 0.73), (0.0, 0.71)], (0.95, 0.5, 0.1), shade="flat")
    pen.rect(-0.14, 0.84, 0.14, 0.86, "black", shade="flat")
    pen.rect(-0.09, 0.85, 0.09, 1.02, "black", shade="lit")
