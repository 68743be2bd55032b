"""Placing what the prompt asks for: which backdrop, where the horizon or table is, and
where each subject stands and how big it is, all decided before any pixel is drawn.

Positions are fractions of the picture: ``x`` is the subject's centre line and ``y``
its foot (the ground line, waterline or table top it rests on; the bottom of things
that fly), ``height`` is a share of the picture's height.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np

from easel.providers._procedural.phrases import Reading, Size, Wanted
from easel.providers._procedural.primitives import RGB, _hex, _mix, _scale
from easel.providers._procedural.subjects import LIBRARY, Spec
from easel.providers._procedural.vocabulary import COLOURS, Layout
from easel.providers._procedural.wording import TextKind, Words

Place = Literal["ground", "water", "sky", "table", "portrait", "centre", "swim", "floor", "emblem"]

_SIZE_SCALE: dict[Size, float] = {
    "tiny": 0.45, "small": 0.65, "medium": 1.0, "large": 1.3, "huge": 1.6,
}  # fmt: skip
# Words that set the scene indoors, under water or in space.
_SETTINGS: dict[str, str] = {
    **{w: "interior" for w in ("room", "kitchen", "table", "desk", "windowsill", "sill",
                               "shelf", "indoors", "inside", "interior", "cafe", "counter",
                               "bedroom", "studio", "tablecloth", "mantel", "window")},
    **{w: "underwater" for w in ("underwater", "undersea", "reef", "coral", "aquarium",
                                 "seabed", "seafloor")},
    **{w: "space" for w in ("space", "orbit", "galaxy", "cosmos", "nebula", "universe",
                            "outer", "planet")},
}  # fmt: skip
_OUTDOOR = frozenset(
    {"mountains", "hills", "water", "city", "trees", "flowers", "dunes", "island", "snow",
     "clouds", "sun", "moon", "sky", "ground", "rain", "waves", "aurora"}
)  # fmt: skip
_LAND = frozenset({"mountains", "hills", "water", "city", "trees", "flowers", "dunes", "island"})
_HABITAT_BACKDROP: dict[str, Layout] = {
    "table": "interior", "underwater": "underwater", "space": "nebula",
}  # fmt: skip
# What a business's words show in its logo's emblem.
_EMBLEMS: dict[str, str] = {
    "bakery": "cake", "bread": "cake", "cake": "cake", "patisserie": "cake", "cafe": "cup",
    "coffee": "cup", "tea": "teapot", "fish": "fish", "seafood": "fish", "flower": "flower",
    "florist": "flower", "garden": "tree", "pet": "cat", "cat": "cat", "dog": "dog",
    "book": "book", "library": "book", "bookshop": "book", "bike": "bicycle",
    "bicycle": "bicycle", "car": "car", "taxi": "car", "sailing": "sailboat",
    "boat": "sailboat", "marina": "sailboat", "rocket": "rocket", "space": "rocket",
    "tech": "robot", "robot": "robot", "software": "robot", "fruit": "fruit bowl",
    "grocer": "fruit bowl", "farm": "barn", "home": "house", "house": "house",
    "realty": "house", "estate": "house", "travel": "hot air balloon", "bird": "bird",
    "owl": "owl", "mountain": "mountain", "outdoor": "mountain", "camping": "tent",
    "clock": "clock", "watch": "clock", "music": "guitar", "guitar": "guitar",
    "apple": "apple", "castle": "castle", "ice": "snowman", "winter": "snowman",
}  # fmt: skip
EMBLEM_CENTRE = (0.5, 0.4)


@dataclass(frozen=True)
class Placed:
    """One subject the painter decided to draw: what, in which colour, where, how big."""

    kind: str
    noun: str
    family: str
    colour: RGB
    colour_word: str | None
    size: Size
    place: Place
    x: float
    y: float
    height: float
    width: float
    """As a share of the picture's width."""
    facing: int
    traits: frozenset[str]
    parts: tuple[tuple[str, RGB], ...] = ()
    """Colours of named parts ("door", "sail", "hat"…), from the prompt."""
    text: str | None = None
    """Words it carries (a sign)."""


@dataclass(frozen=True)
class Lettering:
    """Words drawn as text: their box (fractions: x0, y0, x1, y1), colour and weight."""

    text: str
    kind: TextKind
    colour: RGB
    colour_word: str | None
    weight: int
    box: tuple[float, float, float, float]
    emblem: str | None = None
    """For a logo: the badge shape behind it ("circle", "shield", "hexagon", "square")."""


@dataclass(frozen=True)
class Staging:
    layout: Layout
    elements: frozenset[str]
    horizon: float | None
    subjects: tuple[Placed, ...]
    lettering: Lettering | None
    shore: tuple[float, float] | None = None
    """Land in the foreground of a water scene, from x0 to x1 (fractions)."""


def colour_of(word: str) -> RGB:
    """A colour word, with an optional "light"/"dark" before it, as RGB."""
    shade, _, name = word.rpartition(" ")
    colour = _hex(COLOURS[name])
    if shade == "light":
        return _mix(colour, (1.0, 1.0, 1.0), 0.45)
    if shade == "dark":
        return _scale(colour, 0.55)
    return colour


def emblem_radius(aspect: float) -> float:
    """A logo badge's radius as a share of the picture's height."""
    return 0.27 * min(aspect, 1.0)


def choose_backdrop(
    reading: Reading, words: list[str], elements: set[str], style: str | None
) -> Layout:
    """The backdrop the subjects stand in: the style's, the setting's, or their habitat's."""
    if style in ("landscape", "geometric", "nebula"):
        return style  # type: ignore[return-value]
    drawn = [w for w in reading.wanted if w.kind != "sign"]
    if reading.words is not None and reading.words.kind != "sign" and not drawn:
        return "studio"
    if not reading.wanted or "portrait" in reading.wanted[0].traits:
        return "studio"
    settings = {_SETTINGS[w] for w in words if w in _SETTINGS}
    habitat = LIBRARY[reading.wanted[0].kind].habitat
    if "space" in settings or (habitat == "space" and not elements & _OUTDOOR):
        return "nebula"
    if "underwater" in settings or (habitat == "underwater" and elements <= {"water", "waves"}):
        return "underwater"
    if "interior" in settings:
        return "interior"
    if elements & _OUTDOOR:
        return "landscape"
    return _HABITAT_BACKDROP.get(habitat, "landscape")


def complete_elements(reading: Reading, layout: Layout, elements: set[str]) -> set[str]:
    """Landscape elements the subjects need: water for boats, ground for the rest."""
    out = set(elements)
    if layout != "landscape":
        return out
    habitats = {LIBRARY[w.kind].habitat for w in reading.wanted}
    if not out & _LAND:
        out.update(e for w in reading.wanted for e in LIBRARY[w.kind].setting)
    if "water" in habitats or ("underwater" in habitats and not out & _OUTDOOR):
        out.add("water")
    if not out & _LAND:
        out.add("hills")
    out.discard("tower")
    return out


def stage(
    reading: Reading,
    layout: Layout,
    elements: frozenset[str],
    size: tuple[int, int],
    rng: np.random.Generator,
    palette: dict[str, RGB],
) -> Staging:
    """Decide the horizon and place every subject and the lettering."""
    width, height = size
    aspect = width / height
    horizon = _horizon(reading, layout, elements, aspect, rng)
    words = reading.words
    if words is not None and words.kind == "logo":
        placed = _emblem_icon(words.business, aspect)
    else:
        placed = _place_all(reading.wanted, layout, elements, horizon, aspect, rng)
    shore = _shore(placed, elements, rng)
    if shore is not None:
        landed = sum(p.width for p in placed if p.place == "ground")
        shrink = min(1.0, (shore[1] - shore[0]) * 0.85 / max(landed, 1e-6))
        placed = [
            _on_shore(p, shore, horizon, shrink) if p.place == "ground" else p for p in placed
        ]
    lettering = None
    if words is not None:
        lettering = _letter(words, bool(placed), palette, rng)
        if words.kind == "sign":
            placed = _attach_text(placed, words.text)
    return Staging(layout, elements, horizon, tuple(placed), lettering, shore)


def _horizon(
    reading: Reading,
    layout: Layout,
    elements: frozenset[str],
    aspect: float,
    rng: np.random.Generator,
) -> float | None:
    tall = 0.05 if aspect < 1 / 1.2 else 0.0
    habitats = {LIBRARY[w.kind].habitat for w in reading.wanted}
    if layout == "landscape":
        if habitats <= {"sky", "space"}:
            return float(rng.uniform(0.7, 0.78)) + tall * 0.5
        if "water" in elements:
            return float(rng.uniform(0.45, 0.52)) + tall
        return float(rng.uniform(0.5, 0.58)) + tall
    if layout == "interior":
        return float(rng.uniform(0.56, 0.64)) + tall
    if layout == "underwater":
        return 0.84
    return None


def _row_place(spec: Spec, w: Wanted, layout: Layout, elements: frozenset[str]) -> Place:
    if w.kind == "portrait":
        return "portrait"
    if "portrait" in w.traits:
        return "centre"
    flying = "flying" in w.traits and spec.habitat in ("ground", "table")
    habitat = "sky" if flying else spec.habitat
    if layout == "landscape":
        if habitat in ("sky", "space"):
            return "sky"
        if habitat in ("water", "underwater") and "water" in elements:
            return "water"
        return "ground"
    if layout == "interior":
        return "sky" if habitat in ("sky", "space") else "table"
    if layout == "underwater":
        return "floor" if habitat in ("ground", "table") else "swim"
    return "centre"


def _place_all(
    wanted: list[Wanted],
    layout: Layout,
    elements: frozenset[str],
    horizon: float | None,
    aspect: float,
    rng: np.random.Generator,
) -> list[Placed]:
    """Rows of subjects (one per ground line, plus the sky), then riders on their hosts."""
    rows: dict[Place, list[tuple[int, Wanted]]] = {}
    wanted = _capped(wanted)
    for index, w in enumerate(wanted):
        if w.on is None or wanted[w.on].on is not None:
            place = _row_place(LIBRARY[w.kind], w, layout, elements)
            rows.setdefault(place, []).extend([(index, w)] * w.count)
    placed: list[tuple[int, Placed]] = []
    alone = sum(len(row) for row in rows.values()) == 1
    for place, row in rows.items():
        placed += zip(
            (index for index, _ in row),
            _place_row(place, [w for _, w in row], horizon, aspect, rng, alone),
            strict=True,
        )
    placed.sort(key=lambda item: _depth(item[1]))
    ordered = [p for _, p in placed]
    for w in wanted:
        host = next((p for source, p in placed if source == w.on), None)
        if host is not None and wanted[w.on or 0].on is None:
            _ride(ordered, host, w, aspect, rng)
    return ordered


MAX_SUBJECTS = 24
"""More would be specks, and a long prompt must not buy an unbounded amount of work."""


def _capped(wanted: list[Wanted]) -> list[Wanted]:
    """The subjects in prompt order, counts trimmed so at most MAX_SUBJECTS are drawn."""
    out: list[Wanted] = []
    left = MAX_SUBJECTS
    for w in wanted:
        count = min(w.count, left)
        if count == 0:
            out.append(replace(w, count=0))
            continue
        out.append(replace(w, count=count))
        left -= count
    return out


def _ride(
    ordered: list[Placed], host: Placed, w: Wanted, aspect: float, rng: np.random.Generator
) -> None:
    """Put a subject (or several) on its host's perch, painted just before or after it."""
    spec, host_spec = LIBRARY[w.kind], LIBRARY[host.kind]
    px, py, share = host_spec.perch or (0.0, 1.0, 0.35)
    height = min(spec.scale * _SIZE_SCALE[w.size], host.height * share)
    slot = ordered.index(host)
    for k in range(w.count):
        spread = (k - (w.count - 1) / 2) * height * spec.aspect * 0.9
        x = host.x + (host.facing * px * host.height + spread) / aspect
        at = (x, host.y - py * host.height, height, height * spec.aspect / aspect)
        rider = _make(w, spec, host.place, at, host.facing, rng)
        ordered.insert(slot if host_spec.holds else slot + 1 + k, rider)


def _to_scale(heights: list[float], specs: list[Spec]) -> list[float]:
    """Shrink things that are small in the world beside big ones (a dog by a house),
    by the square root of their sizes so that neither gets lost."""
    big = max(range(len(specs)), key=lambda k: specs[k].metres)
    ref, ref_h = specs[big].metres, heights[big]
    return [
        min(h, max(0.35 * h, ref_h * math.sqrt(spec.metres / ref)))
        for h, spec in zip(heights, specs, strict=True)
    ]


def _foot_line(place: Place, horizon: float | None, rng: np.random.Generator) -> float:
    hz = 0.6 if horizon is None else horizon
    return {
        "ground": hz + (1 - hz) * float(rng.uniform(0.62, 0.75)),
        "water": hz + (1 - hz) * float(rng.uniform(0.42, 0.55)),
        "table": hz + (1 - hz) * float(rng.uniform(0.25, 0.35)),
        "floor": 0.93,
        "portrait": 1.0,
        "centre": 0.84,
        "swim": 0.6,
        "sky": 0.45 * hz,
        "emblem": 0.52,
    }[place]


def _place_row(
    place: Place,
    row: list[Wanted],
    horizon: float | None,
    aspect: float,
    rng: np.random.Generator,
    alone: bool = False,
) -> list[Placed]:
    """Sizes and positions of the subjects that share a ground line (or the sky)."""
    n = len(row)
    specs = [LIBRARY[w.kind] for w in row]
    foot = _foot_line(place, horizon, rng)
    # Far ones (odd slots) stand higher and smaller when there are several.
    depth = [0.0 if n == 1 or k % 2 == 0 else 1.0 for k in range(n)]
    heights = [
        _height(place, spec, w, horizon, alone) / (1 + 0.22 * (n - 1)) * (1 - 0.18 * d)
        for w, spec, d in zip(row, specs, depth, strict=True)
    ]
    if place != "sky" and len({spec.kind for spec in specs}) > 1:
        heights = _to_scale(heights, specs)
        # The biggest thing keeps the size it would have alone; the rest follow it.
        big = max(range(n), key=lambda k: specs[k].metres)
        lift = _height(place, specs[big], row[big], horizon, False) / max(heights[big], 1e-6)
        heights = [h * max(1.0, lift) for h in heights]
    widths = [
        0.0 if spec.span else h * spec.aspect / aspect
        for h, spec in zip(heights, specs, strict=True)
    ]
    room = 1.4 if place == "portrait" else 0.92  # a portrait's shoulders may leave the frame
    fit = min(1.0, room / max(1e-6, sum(widths) * 1.05))
    xs = _spread([w * fit for w in widths], rng)
    if n == 1 and place in ("portrait", "centre"):
        xs = [0.5]
    out: list[Placed] = []
    for k, (w, spec, h, x) in enumerate(zip(row, specs, heights, xs, strict=True)):
        y = _foot(place, foot, h * fit, depth[k], horizon, rng)
        h = h * fit if place == "portrait" else min(h * fit, y - 0.03)
        facing = 1 if rng.random() < 0.5 else -1
        if n > 1 and place in ("ground", "water", "table", "floor", "swim"):
            facing = 1 if x < 0.5 else -1  # a group faces inwards
        width = h * spec.aspect / aspect
        if spec.span:  # reaches from edge to edge (a bridge over the river)
            x, width = 0.5, 1.08
        out.append(_make(w, spec, place, (x, y, h, width), facing, rng))
    return out


def _make(
    w: Wanted,
    spec: Spec,
    place: Place,
    at: tuple[float, float, float, float],
    facing: int,
    rng: np.random.Generator,
) -> Placed:
    """A placed subject at (x, y, height, width) with its colours chosen."""
    x, y, height, width = at
    pick = spec.colours[int(rng.integers(len(spec.colours)))]
    colour = colour_of(w.colour) if w.colour else pick
    parts = tuple((role, colour_of(word)) for role, word in w.parts)
    return Placed(
        w.kind, w.noun, spec.family, colour, w.colour, w.size, place, x, y,
        max(0.02, height), width, facing, w.traits, parts,
    )  # fmt: skip


def _height(place: Place, spec: Spec, w: Wanted, horizon: float | None, alone: bool) -> float:
    """A subject's height before the row is fitted to the frame."""
    base = spec.scale * _SIZE_SCALE[w.size] * (0.7 if "child" in w.traits else 1.0)
    if alone:
        base *= 1.25  # the only subject of a picture is its centre of interest
    if place == "portrait":
        return 0.95
    if place == "centre" and alone:  # fills a studio, a poster or the sky of space
        return float(min(0.72, max(0.5, base * 1.5)) * _SIZE_SCALE[w.size] ** 0.3)
    if place == "centre":
        return min(0.6, base * 1.8)
    if place == "sky":
        return min(base, 0.4 * (horizon or 0.6))
    return base


def _foot(
    place: Place,
    line: float,
    height: float,
    depth: float,
    horizon: float | None,
    rng: np.random.Generator,
) -> float:
    hz = 0.6 if horizon is None else horizon
    if place == "sky":
        y = line + height * 0.5 + float(rng.uniform(-0.08, 0.08))
        return float(np.clip(y, height + 0.05, max(height + 0.05, hz - 0.04)))
    if place == "swim":
        return float(np.clip(rng.uniform(0.35, 0.7) + height * 0.5, height + 0.05, 0.82))
    if place in ("centre", "portrait", "emblem", "floor"):
        return line
    jitter = float(rng.uniform(-0.02, 0.02))
    return line - depth * (line - hz) * 0.45 + jitter * (1 - hz)


def _spread(widths: list[float], rng: np.random.Generator) -> list[float]:
    """Centres along the row: the gaps between subjects vary, nothing leaves the frame."""
    n = len(widths)
    if n == 1:
        offset = float(rng.uniform(0.06, 0.16)) * (1 if rng.random() < 0.5 else -1)
        half = widths[0] / 2
        return [float(np.clip(0.5 + offset, half + 0.02, max(half + 0.02, 0.98 - half)))]
    free = max(0.0, 0.96 - sum(widths))
    gaps = rng.dirichlet(np.full(n + 1, 3.0)) * free
    xs, x = [], 0.02 + float(gaps[0])
    for k, w in enumerate(widths):
        xs.append(x + w / 2)
        x += w + float(gaps[k + 1])
    return xs


def _depth(p: Placed) -> tuple[int, float]:
    """Paint order: the sky first, then from the back to the front."""
    return (0 if p.place == "sky" else 1), p.y


def _shore(
    placed: list[Placed], elements: frozenset[str], rng: np.random.Generator
) -> tuple[float, float] | None:
    """Water scenes give things that stand on land a bank on one side."""
    landed = [p for p in placed if p.place == "ground"]
    if "water" not in elements or not landed:
        return None
    reach = min(0.75, max(0.4, sum(p.height for p in landed) * 0.9 + 0.15))
    return (0.0, reach) if rng.random() < 0.5 else (1.0 - reach, 1.0)


def _on_shore(
    p: Placed, shore: tuple[float, float], horizon: float | None, shrink: float
) -> Placed:
    """Move a thing on land onto the bank, keeping the order of several along it; all
    of them shrink together if the bank is too narrow for them."""
    hz = 0.5 if horizon is None else horizon
    x0, x1 = shore
    foot = hz + (1 - hz) * 0.72
    height = min(p.height * shrink, foot - 0.04)
    width = p.width * height / p.height
    x = x0 + (x1 - x0) * (0.1 + 0.8 * p.x)
    x = min(max(x, x0 + width / 2 + 0.02), x1 - width / 2 - 0.02)
    return replace(p, x=x, y=foot, height=height, width=width)


def _emblem_icon(business: str, aspect: float) -> list[Placed]:
    """The picture inside a logo's badge, chosen from the business's words."""
    word = next((w for w in reversed(business.split()) if w in _EMBLEMS), None)
    if word is None:
        return []
    spec = LIBRARY[_EMBLEMS[word]]
    r = emblem_radius(aspect)
    height = min(1.0 * r, 1.25 * r / spec.aspect)
    x, y = EMBLEM_CENTRE
    colour = spec.colours[0]
    return [
        Placed(
            spec.kind,
            word,
            spec.family,
            colour,
            None,
            "medium",
            "emblem",
            x,
            y + height * 0.5,
            height,
            height * spec.aspect / aspect,
            1,
            frozenset(),
        )
    ]


def _letter(
    words: Words, with_subjects: bool, palette: dict[str, RGB], rng: np.random.Generator
) -> Lettering | None:
    text, kind = words.text, words.kind
    if kind == "sign":
        return None
    colour = colour_of(words.colour) if words.colour else palette["ink"]
    if kind == "logo":
        if words.colour is None:
            colour = _mix(palette["accent"], palette["ink"], 0.45)
        shape = ("circle", "shield", "hexagon", "square")[int(rng.integers(4))]
        box = (0.06, 0.72, 0.94, 0.9)
        return Lettering(text, "logo", colour, words.colour, max(words.weight, 700), box, shape)
    box = (0.08, 0.06, 0.92, 0.3) if with_subjects else (0.08, 0.22, 0.92, 0.78)
    return Lettering(text, "word", colour, words.colour, words.weight, box)


def _attach_text(placed: list[Placed], text: str) -> list[Placed]:
    """The first sign carries the words."""
    for k, p in enumerate(placed):
        if p.kind == "sign":
            placed[k] = replace(p, text=text)
            break
    return placed


def subject_seed(index: int, p: Placed) -> str:
    """The name of a subject's random stream."""
    return f"subject:{index}:{p.kind}"
