"""Reading the prompt into a `Scene`: palette, elements, layout and the subjects to
draw with their places, before any pixel."""

from __future__ import annotations

import colorsys
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from easel.providers._procedural.phrases import Reading, read_prompt
from easel.providers._procedural.primitives import (
    RGB,
    Arr,
    _hex,
    _hsv_adjust,
    _hue_distance,
    _mix,
    _scale,
    _v,
)
from easel.providers._procedural.staging import (
    Lettering,
    Placed,
    Staging,
    choose_backdrop,
    complete_elements,
    stage,
)
from easel.providers._procedural.subjects import LIBRARY
from easel.providers._procedural.vocabulary import (
    _FREE_SLOTS,
    _KNOWN,
    _LANDSCAPE_SUBJECTS,
    _LAYOUT_WORDS,
    _MOOD_ORDER,
    _NEGATORS,
    _NIGHT_MOODS,
    _PALETTES,
    _PRESETS,
    _SHAPE_SUBJECTS,
    _SUBJECT_SLOTS,
    _TREATMENT_WORDS,
    COLOURS,
    MODIFIER_WORDS,
    MOOD_WORDS,
    SUBJECTS,
    Layout,
    Treatment,
)


@dataclass(frozen=True)
class Scene:
    """Everything the painter decided from the text, before any pixel exists."""

    width: int
    height: int
    seed: int
    key: bytes
    layout: Layout
    treatment: Treatment
    mood: str
    palette: dict[str, RGB]
    tones: tuple[RGB, ...]
    """Extra colours for shapes, flowers and windows: named colours first."""
    named: tuple[RGB, ...]
    """The colours the prompt names, in order (minus suppressed ones)."""
    elements: frozenset[str]
    modifiers: frozenset[str]
    suppressed: tuple[tuple[float, float], ...] = ()
    """(hue, saturation) of colours the negative prompt names; pixels near them fade."""
    subjects: tuple[Placed, ...] = ()
    """The things the prompt names, each with its kind, colour, size and place, in the
    order they are painted (back to front)."""
    lettering: Lettering | None = None
    """Words to letter (a text prompt or a logo); a sign's words travel with the sign."""
    horizon: float | None = None
    """Where the ground, water or table line is, as a fraction of the height, when the
    subjects were placed against it."""
    shore: tuple[float, float] | None = None
    """A foreground bank (x0, x1 as fractions) for things on land in a water scene."""

    def rng(self, name: str) -> np.random.Generator:
        return _rng(self.key, name)

    def col(self, slot: str) -> Arr:
        return _v(self.palette[slot])

    @property
    def night(self) -> bool:
        return self.mood in _NIGHT_MOODS

    @property
    def unit(self) -> float:
        return float(min(self.width, self.height))


def _rng(key: bytes, name: str) -> np.random.Generator:
    """A generator per element: removing one element does not shift the others."""
    digest = hashlib.sha256(key + b"\x00" + name.encode()).digest()
    return np.random.default_rng(int.from_bytes(digest[:16], "little"))


def seed_from_prompt(prompt: str) -> int:
    """The seed used when the request gives none: stable across runs and machines."""
    digest = hashlib.sha256(" ".join(prompt.lower().split()).encode()).digest()
    return int.from_bytes(digest[:4], "little") & 0x7FFFFFFF


def _normalise(word: str) -> str:
    if word in _KNOWN:
        return word
    for suffix, repl in (("ies", "y"), ("es", ""), ("s", ""), ("ing", ""), ("ed", "")):
        if word.endswith(suffix) and word[: -len(suffix)] + repl in _KNOWN:
            return word[: -len(suffix)] + repl
    return word


def read_words(text: str) -> tuple[list[str], set[str]]:
    """Known words in order, and the known words the text itself negates ("no moon")."""
    words: list[str] = []
    negated: set[str] = set()
    pending = 0
    for raw in re.findall(r"[a-z]+", text.lower()):
        word = _normalise(raw)
        if word in _NEGATORS:
            pending = 3
            continue
        if word in _KNOWN:
            if pending:
                negated.add(word)
                pending = 0
                continue
            words.append(word)
        pending = max(0, pending - 1)
    return words, negated


def _elements_of(words: Iterable[str]) -> set[str]:
    return {e for w in words for e in SUBJECTS.get(w, ())}


def plan_scene(
    prompt: str,
    *,
    seed: int,
    width: int,
    height: int,
    style: str | None = None,
    negative: str | None = None,
) -> Scene:
    """Read the prompt and decide palette, elements, layout and subjects; no pixels yet."""
    banned_kinds = frozenset(w.kind for w in read_prompt(negative or "").wanted)
    reading = read_prompt(prompt, banned_kinds)
    drawn = bool(reading.wanted or reading.words)
    # Words the subjects took ("red" in "a red kite") do not colour the whole scene.
    words, negated = read_words(reading.rest if drawn else prompt)
    neg_words, neg_negated = read_words(negative or "")
    # "no red" inside a negative prompt is a double negative; keep it simple: still negative.
    negative_set = set(neg_words) | neg_negated | negated
    words = [w for w in words if w not in negative_set]
    text = " ".join(prompt.lower().split())
    key = hashlib.sha256(f"{seed}\x00{text}\x00{style or 'auto'}".encode()).digest()
    rng = _rng(key, "plan")

    modifiers = frozenset(MODIFIER_WORDS[w] for w in words if w in MODIFIER_WORDS)
    elements = _elements_of(words)
    banned = _elements_of(negative_set)
    layout, treatment = _choose_layout(words, elements, style, rng)
    if drawn:
        layout = choose_backdrop(reading, reading.rest.split(), elements, style)
        elements = complete_elements(reading, layout, elements)

    mood = _choose_mood(words, negative_set, layout, elements, reading, rng)

    if layout == "landscape":
        elements = _complete_landscape(elements - banned, mood, modifiers, rng)
    elements -= banned

    palette = {slot: _hex(h) for slot, h in _PALETTES[mood].items()}
    named = _apply_colour_words(palette, words)
    _apply_modifiers(palette, modifiers, mood)
    jitter = float(rng.uniform(-0.015, 0.015))
    palette = {k: _hsv_adjust(c, hue=jitter) for k, c in palette.items()}
    tones = _tones(palette, named, modifiers)
    suppressed = _suppress(palette, negative_set)
    tones = tuple(t for t in tones if not _near_suppressed(t, suppressed)) or tones[-2:]
    staging = _stage(reading, layout, elements, width, height, key, palette) if drawn else None
    return Scene(
        width=width,
        height=height,
        seed=seed,
        key=key,
        layout=layout,
        treatment=treatment,
        mood=mood,
        palette=palette,
        tones=tones,
        named=tuple(c for c in named if not _near_suppressed(c, suppressed)),
        elements=frozenset(elements),
        modifiers=modifiers,
        suppressed=tuple(suppressed),
        subjects=staging.subjects if staging else (),
        lettering=staging.lettering if staging else None,
        horizon=staging.horizon if staging else None,
        shore=staging.shore if staging else None,
    )


def _choose_mood(
    words: list[str],
    negative: set[str],
    layout: Layout,
    elements: set[str],
    reading: Reading,
    rng: np.random.Generator,
) -> str:
    """The palette's mood: the prompt's, a subject's (a snowman's winter), or a stable
    choice from the text and seed."""
    moods = {MOOD_WORDS[w] for w in words if w in MOOD_WORDS}
    moods -= {MOOD_WORDS[w] for w in negative if w in MOOD_WORDS}
    mood = next((m for m in _MOOD_ORDER if m in moods), None)
    drawn = bool(reading.wanted or reading.words)
    if mood is None and drawn:
        mood = next((LIBRARY[w.kind].mood for w in reading.wanted if LIBRARY[w.kind].mood), None)
    if mood is not None:
        return mood
    if layout == "nebula":
        return "space"
    if elements & {"moon", "stars", "aurora"}:
        return "night"
    pool = ["day", "sunset", "dawn", "night", "autumn", "mystic", "spring", "pastel"]
    if drawn:  # subjects read best in daylight
        pool = ["day", "day", "spring", "autumn", "dawn", "sunset"]
    pool = [m for m in pool if not any(MOOD_WORDS.get(w) == m for w in negative)]
    return str(rng.choice(pool or ["day"]))


def _stage(
    reading: Reading,
    layout: Layout,
    elements: set[str],
    width: int,
    height: int,
    key: bytes,
    palette: dict[str, RGB],
) -> Staging:
    return stage(
        reading, layout, frozenset(elements), (width, height), _rng(key, "staging"), palette
    )


def _choose_layout(
    words: list[str], elements: set[str], style: str | None, rng: np.random.Generator
) -> tuple[Layout, Treatment]:
    style = (style or "auto").lower()
    treatment: Treatment = "none"
    if style in ("watercolor", "mosaic"):
        treatment = "watercolor" if style == "watercolor" else "mosaic"
    elif style == "auto":
        treatment = next((_TREATMENT_WORDS[w] for w in words if w in _TREATMENT_WORDS), "none")
    if style in ("landscape", "geometric", "nebula"):
        return style, treatment  # type: ignore[return-value]
    votes = [_LAYOUT_WORDS[w] for w in words if w in _LAYOUT_WORDS]
    if "nebula" in votes:
        return "nebula", treatment
    if "geometric" in votes:
        return "geometric", treatment
    if elements & _SHAPE_SUBJECTS and not elements & _LANDSCAPE_SUBJECTS:
        return "geometric", treatment
    if votes or elements & (_LANDSCAPE_SUBJECTS | {"sun", "moon", "clouds", "sky"}):
        return "landscape", treatment
    if elements & {"planet", "stars"}:
        return "nebula", treatment
    # Nothing recognisable: mostly landscapes, sometimes an abstract, by text and seed.
    choice = str(rng.choice(["landscape", "landscape", "landscape", "geometric", "nebula"]))
    return choice, treatment  # type: ignore[return-value]


def _complete_landscape(
    elements: set[str], mood: str, modifiers: frozenset[str], rng: np.random.Generator
) -> set[str]:
    out = set(elements)
    if not out & _LANDSCAPE_SUBJECTS:
        preset = _PRESETS[int(rng.integers(len(_PRESETS)))]
        out |= set(preset)
    if mood == "desert":
        out.add("dunes")
    if "waves" in out:
        out.add("water")
    if "city" in out and not out & {"hills", "dunes", "mountains", "trees", "flowers"}:
        out.add("water")  # a skyline reads best over a reflecting bay
    if "mountains" in out and not out & {"hills", "dunes", "water", "city", "flowers"}:
        out.add("water" if rng.random() < 0.5 else "hills")  # a lake or a valley
    if not out & {"sun", "moon"} and mood != "storm" and rng.random() < 0.75:
        out.add("moon" if mood in _NIGHT_MOODS else "sun")
    if mood in ("sunset", "dawn") and "moon" not in out:
        out.add("sun")
    if mood in _NIGHT_MOODS and "minimal" not in modifiers and rng.random() < 0.85:
        out.add("stars")
    if mood in ("storm",):
        out.add("clouds")
    if "calm" not in modifiers and "minimal" not in modifiers and rng.random() < 0.5:
        out.add("clouds")
    if mood == "winter":
        out.add("snow")
    return out


def _apply_colour_words(palette: dict[str, RGB], words: list[str]) -> list[RGB]:
    """Tint palette slots from colour words; returns the named colours in order."""
    named: list[RGB] = []
    free = 0
    for i, word in enumerate(words):
        if word not in COLOURS:
            continue
        colour = _hex(COLOURS[word])
        named.append(colour)
        # A colour right before a subject ("golden forest") paints that subject.
        subject = next(
            (e for w in words[i + 1 : i + 3] for e in SUBJECTS.get(w, ()) if e in _SUBJECT_SLOTS),
            None,
        )
        if subject is not None and not any(w in COLOURS for w in words[i + 1 : i + 2]):
            for j, slot in enumerate(_SUBJECT_SLOTS[subject]):
                # A light source stays the brightest thing: tint it, do not darken it.
                target = _mix(colour, (1.0, 1.0, 1.0), 0.45) if slot == "sun" else colour
                palette[slot] = _mix(palette[slot], target, 0.85 - 0.2 * j)
            if subject in ("sky", "sun"):
                palette["sky_top"] = _mix(palette["sky_top"], _scale(colour, 0.45), 0.5)
            continue
        for slot, strength in _FREE_SLOTS[min(free, len(_FREE_SLOTS) - 1)]:
            target = _scale(colour, 0.5) if slot in ("sky_top", "land") else colour
            palette[slot] = _mix(palette[slot], target, strength)
        free += 1
    return named


def _apply_modifiers(palette: dict[str, RGB], modifiers: frozenset[str], mood: str) -> None:
    for slot, c in palette.items():
        if "pastel" in modifiers and mood != "pastel":
            c = _hsv_adjust(_mix(c, (1.0, 1.0, 1.0), 0.4), sat=0.8)
        if "vivid" in modifiers:
            c = _hsv_adjust(c, sat=1.3, val=1.05)
        if "muted" in modifiers:
            c = _mix(_hsv_adjust(c, sat=0.55), (0.5, 0.48, 0.45), 0.12)
        if "dark" in modifiers and slot not in ("sun", "accent", "glow"):
            c = _scale(c, 0.55)
        if "warm" in modifiers:
            c = _mix(c, (1.0, 0.6, 0.3), 0.12)
        if "cold" in modifiers:
            c = _mix(c, (0.35, 0.55, 1.0), 0.12)
        palette[slot] = c


def _tones(palette: dict[str, RGB], named: list[RGB], modifiers: frozenset[str]) -> tuple[RGB, ...]:
    base = [
        palette[s] for s in ("accent", "glow", "water", "land", "sky_top", "far", "cloud_shade")
    ]
    out: list[RGB] = []
    for c in [*named, *base]:
        if all(sum(abs(a - b) for a, b in zip(c, o, strict=True)) > 0.12 for o in out):
            out.append(c)
    return tuple(out)


def _suppress(palette: dict[str, RGB], negative: set[str]) -> list[tuple[float, float]]:
    """Drain colours the negative prompt names out of the palette."""
    hues: list[tuple[float, float]] = []
    for word in sorted(negative):  # sorted: set order varies between runs
        if word not in COLOURS:
            continue
        h, s, v = colorsys.rgb_to_hsv(*_hex(COLOURS[word]))
        for slot, c in palette.items():
            ch, cs, cv = colorsys.rgb_to_hsv(*c)
            if s < 0.2:  # black, white, grey: pull values away instead of hues
                if v < 0.3 and cv < 0.3:
                    palette[slot] = colorsys.hsv_to_rgb(ch, cs, 0.25 + cv)
                elif v > 0.8 and cv > 0.8 and cs < 0.25:
                    palette[slot] = colorsys.hsv_to_rgb(ch, max(cs, 0.35), cv * 0.8)
            elif cs > 0.12 and _hue_distance(ch, h) < 0.1:
                palette[slot] = colorsys.hsv_to_rgb(ch, cs * 0.12, cv * 0.9)
        if s >= 0.2:
            hues.append((h, s))
    return hues


def _near_suppressed(c: RGB, suppressed: list[tuple[float, float]]) -> bool:
    h, s, _ = colorsys.rgb_to_hsv(*c)
    return s > 0.15 and any(_hue_distance(h, sh) < 0.1 for sh, _ in suppressed)
