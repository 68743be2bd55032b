"""The library of things the painter can draw, filled by the family modules.

Each entry is a small drawing function plus data: the words that ask for it, where it
lives (its habitat decides the setting and where the layout puts it), its proportions,
its size in a picture, and the colours it comes in. The ``@subject`` decorator registers
a drawing under its kind; families are plain modules (buildings, animals, vehicles…).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from easel.providers._procedural.primitives import RGB, _hex
from easel.providers._procedural.subjects.pen import Pen

Habitat = Literal["ground", "water", "sky", "table", "underwater", "space"]
DrawFn = Callable[[Pen], None]


@dataclass(frozen=True)
class Spec:
    kind: str
    family: str
    draw: DrawFn
    habitat: Habitat
    aspect: float
    """Width over height of the drawing."""
    scale: float
    """Height as a share of the picture's height, for one medium-sized instance."""
    metres: float
    """Its height in the world, so a dog beside a house is drawn smaller than the house."""
    colours: tuple[RGB, ...]
    """Main colours to choose from when the prompt names none."""
    roles: Mapping[str, RGB] = field(default_factory=dict)
    """Fixed colours of other parts ("roof", "sail"…), overriding the common ones."""
    box: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 1.0)
    """How far the drawing reaches, in its own units: xmin, xmax, ymin, ymax."""
    collective: bool = False
    """A bare plural ("trees", "flowers") means scenery, not a row of drawings."""
    perch: tuple[float, float, float] | None = None
    """Where something can sit in or on it ("an owl in a tree"): x, y in its units and
    the largest height of a rider, as a share of its own."""
    holds: bool = False
    """Riders sit inside it (a boat) and are painted before it, not in front."""
    setting: tuple[str, ...] = ()
    """Landscape elements it brings when the prompt names none (a lighthouse: the sea)."""
    mood: str | None = None
    """The mood it brings when the prompt names none (a snowman: winter)."""
    span: bool = False
    """It reaches across the whole picture (a bridge over a river)."""


LIBRARY: dict[str, Spec] = {}
NOUNS: dict[tuple[str, ...], tuple[str, frozenset[str]]] = {}
"""Word sequences that ask for a subject → (kind, traits the word implies)."""


def subject(
    kind: str,
    *,
    metres: float,
    nouns: tuple[str, ...],
    habitat: Habitat,
    aspect: float,
    scale: float,
    colours: tuple[str, ...],
    box: tuple[float, float, float, float] | None = None,
    collective: bool = False,
    perch: tuple[float, float, float] | None = None,
    holds: bool = False,
    named: bool = True,
    setting: tuple[str, ...] = (),
    mood: str | None = None,
    span: bool = False,
    **roles: str,
) -> Callable[[DrawFn], DrawFn]:
    """Register a drawing. ``nouns`` are singular words or phrases ("hot air balloon");
    "fisherman:fisher,male" also gives the subject those traits. ``named=False`` keeps
    the kind itself from being a noun (a portrait is asked for by framing words)."""

    def register(draw: DrawFn) -> DrawFn:
        half = aspect / 2
        LIBRARY[kind] = Spec(
            kind=kind,
            family=draw.__module__.rsplit(".", 1)[-1],
            draw=draw,
            habitat=habitat,
            aspect=aspect,
            scale=scale,
            metres=metres,
            colours=tuple(_hex(c) for c in colours),
            roles={name: _hex(value) for name, value in roles.items()},
            box=box or (-half, half, 0.0, 1.0),
            collective=collective,
            perch=perch,
            holds=holds,
            setting=setting,
            mood=mood,
            span=span,
        )
        for noun in (kind, *nouns) if named else nouns:
            words, _, traits = noun.partition(":")
            key = tuple(words.replace("-", " ").split())
            NOUNS[key] = (kind, frozenset(t for t in traits.split(",") if t))
        return draw

    return register


# Colours every subject can use by role; a subject's own roles override them.
COMMON_ROLES: dict[str, RGB] = {
    name: _hex(value)
    for name, value in {
        "white": "#f4f2ec", "black": "#1d1d22", "wood": "#9a6a3f", "darkwood": "#5e3d22",
        "metal": "#a9b1ba", "steel": "#6d7780", "glass": "#a8d4ec", "skin": "#e9b996",
        "hair": "#5a3a22", "leaf": "#4f9a3c", "darkleaf": "#2f6a2a", "stem": "#4a7a32",
        "lamp": "#ffd98a", "flame": "#ffb13b", "gold": "#e8b526", "red": "#d7262b",
        "roof": "#a8452a", "stone": "#b7ada0", "darkstone": "#857b70", "eye": "#1b1b20",
        "pink": "#ef8fa8", "beam": "#d8f6ff", "screen": "#7fe8ff", "cream": "#f3e8cf",
        "brick": "#b5553a", "sand": "#e0c48c", "snow": "#f7f9fc", "water": "#4a8ac0",
        "door": "#7a3b2a", "flag": "#d7262b", "sail": "#f7f3e8", "shutter": "#3f6a8a",
        "hat": "#3a3a44", "clothes": "#3f5f8f", "scarf": "#c8402e", "collar": "#d7262b",
        "iris": "#5a7a3a", "ribbon": "#d7262b", "string": "#f4f2ec", "wheel": "#26262b",
        "frame": "#3a3a40", "saddle": "#5e3d22", "funnel": "#d7402b", "shade": "#f3e2b8",
        "basket": "#a8743f", "candle": "#f4e8d0", "icing": "#f7d7e4", "cover": "#8a2a3a",
        "trousers": "#2f3d5a", "shoe": "#3a2a22", "beak": "#f0a020", "horn": "#e8dcc4",
    }.items()
}  # fmt: skip
