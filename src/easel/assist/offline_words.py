"""The offline assistant's writing: a description from measured pixels, and prompt
suggestions from the offline painter's own reading of an idea.

Nothing here recognises objects: the description says what the pixels show (colours,
light, where the detail sits, texture, shape of the frame) and says plainly that it
cannot name the subject. Suggestions expand an idea with the painter's vocabulary: the
mood and palette it would pick (`plan_scene`), the colour words nearest that palette,
and lighting and composition terms for the mood.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from easel.assist.pixels import PixelFacts
from easel.assist.prompts import Targets
from easel.providers._procedural.plan import plan_scene
from easel.providers._procedural.vocabulary import COLOURS, MODIFIER_WORDS, SUBJECTS

LIGHTING = {
    "day": "clear midday light with soft shadows",
    "sunset": "low golden light from the horizon and long shadows",
    "dawn": "soft pink morning light and a hazy glow",
    "night": "cool moonlight with deep blue shadows",
    "neon": "glowing neon light against a dark sky",
    "space": "starlight and glowing nebula clouds",
    "storm": "flat grey storm light with a break of brightness",
    "fire": "flickering orange firelight",
    "winter": "bright diffuse winter light",
    "autumn": "warm afternoon light",
    "desert": "hard bright sunlight and crisp shadows",
    "mystic": "an eerie green glow through mist",
    "tropical": "bright tropical sun and clear water light",
    "spring": "fresh gentle daylight",
    "pastel": "soft even light with no hard shadows",
}
COMPOSITION = (
    "wide view with the horizon on the lower third",
    "centred subject with generous space around it",
    "subject on the left third, the view opening to the right",
    "low viewpoint looking up, layered depth",
    "high viewpoint over the scene, strong leading lines",
)
MEDIUM = ("digital painting", "soft watercolour", "detailed illustration", "matte painting")
VECTOR_MEDIUM = "flat vector illustration, clean outlines, limited palette"
NEGATIVE = "blurry, low detail, watermark, stray text, jpeg artefacts"
_COLOUR_NAMES = {n: h for n, h in COLOURS.items() if n not in ("gray", "golden")}


def _nearest_colour(rgb: tuple[float, float, float]) -> str:
    target = np.array(rgb) * 255

    def distance(name: str) -> float:
        hexa = _COLOUR_NAMES[name]
        value = np.array([int(hexa[i : i + 2], 16) for i in (1, 3, 5)])
        return float(np.sum((value - target) ** 2))

    return min(_COLOUR_NAMES, key=distance)


def _level(value: float, words: Sequence[str], edges: Sequence[float]) -> str:
    return next((w for w, edge in zip(words, edges, strict=False) if value < edge), words[-1])


def _placement(x: float, y: float) -> str:
    across = _level(x, ("left", "centre", "right"), (0.42, 0.58))
    down = _level(y, ("upper", "middle", "lower"), (0.42, 0.58))
    if across == "centre" and down == "middle":
        return "near the centre"
    return f"in the {down} {across}" if across != "centre" else f"in the {down} middle"


def _palette_line(facts: PixelFacts) -> str:
    main = [f"{s.name} ({round(s.share * 100)}%)" for s in facts.swatches[:5]]
    temperature = _level(facts.warmth, ("cool", "neutral", "warm"), (-0.06, 0.06))
    saturation = _level(facts.saturation, ("muted", "moderately saturated", "vivid"), (0.2, 0.45))
    return f"Palette: {', '.join(main)}; {saturation} and {temperature} overall."


def describe_one(facts: PixelFacts) -> list[str]:
    """The five sections for one picture."""
    light = _level(facts.brightness, ("dark", "dim", "balanced", "bright"), (0.28, 0.45, 0.65))
    contrast = _level(facts.contrast, ("low", "moderate", "high"), (0.12, 0.22))
    texture = _level(facts.texture, ("smooth", "soft", "detailed", "busy"), (0.08, 0.2, 0.4))
    symmetric = "nearly symmetrical" if facts.symmetry > 0.9 else "asymmetrical"
    horizon = (
        f"; a strong horizontal divide sits {round(facts.horizon * 100)}% of the way down"
        if facts.horizon is not None
        else ""
    )
    flat = len(facts.swatches) <= 3 and facts.texture < 0.15
    style = "flat, graphic colour areas" if flat else f"{texture} surfaces"
    return [
        "Subject: the offline assistant does not recognise objects; the most detailed "
        f"region sits {_placement(facts.focus_x, facts.focus_y)} of the frame.",
        f"Composition: a {facts.orientation} {facts.ratio_name} frame "
        f"({facts.width}x{facts.height}), {symmetric}{horizon}.",
        f"Style: {style} with {contrast} contrast.",
        _palette_line(facts),
        f"Lighting: {light} overall (mean brightness {round(facts.brightness * 100)}%).",
    ]


def _mood_words(facts: PixelFacts) -> str:
    if facts.brightness < 0.28:
        return "night" if facts.warmth <= 0 else "dusk"
    if facts.warmth > 0.12:
        return "sunset" if facts.brightness < 0.6 else "warm summer day"
    if facts.warmth < -0.08:
        return "cool misty morning" if facts.saturation < 0.25 else "clear blue day"
    return "calm daylight"


def prompt_from_pixels(facts: Sequence[PixelFacts]) -> str:
    first = facts[0]
    colours = []
    for picture in facts:
        colours += [s.name for s in picture.swatches[:3] if s.name not in colours]
    texture = "detailed" if first.texture >= 0.2 else "soft"
    return (
        f"a {texture} {first.orientation} scene, {_mood_words(first)} mood, "
        f"palette of {', '.join(colours[:5])}, main detail "
        f"{_placement(first.focus_x, first.focus_y)}, "
        f"{'high' if first.contrast >= 0.22 else 'gentle'} contrast, {first.ratio_name} framing"
    )


def describe_text(facts: Sequence[PixelFacts], question: str = "") -> str:
    lines: list[str] = []
    if question:
        lines.append(
            f"Question: {question.strip()} The offline assistant can only answer from colour, "
            "light and layout, which follow."
        )
    for number, picture in enumerate(facts, 1):
        if len(facts) > 1:
            lines.append(f"Image {number}:")
        lines += describe_one(picture)
    lines.append(f"Prompt: {prompt_from_pixels(facts)}")
    return "\n".join(lines) + "\n"


def _idea_terms(idea: str) -> tuple[list[str], list[str]]:
    """The idea's subject words the painter draws, and its modifier words."""
    words = re.findall(r"[a-z]+", idea.lower())
    return [w for w in words if w in SUBJECTS], [w for w in words if w in MODIFIER_WORDS]


def _one_suggestion(idea: str, number: int, style: str, targets: Targets) -> list[str]:
    scene = plan_scene(idea, seed=number * 7919 + 1, width=1024, height=1024)
    colours: list[str] = []
    for slot in ("sky_low", "land", "accent", "water", "glow"):
        name = _nearest_colour(scene.palette[slot])
        if name not in colours:
            colours.append(name)
    medium = VECTOR_MEDIUM if targets.vector else MEDIUM[number % len(MEDIUM)]
    parts = [
        idea.strip().rstrip("."),
        f"{scene.mood} mood",
        LIGHTING.get(scene.mood, "soft natural light"),
        COMPOSITION[number % len(COMPOSITION)],
        f"palette of {', '.join(colours[:4])}",
        style.strip() or medium,
    ]
    quoted = re.findall(r'"([^"]+)"', idea)
    if targets.text_rendering and quoted:
        parts.append(f'the words "{quoted[0]}" in clean bold lettering')
    prompt = ", ".join(p for p in parts if p)[: targets.max_prompt_length]
    lines = [f"{number}. {prompt}"]
    if targets.wants_negative:
        lines.append(f"Negative prompt: {NEGATIVE}")
    return lines


def suggest_text(idea: str, count: int, style: str, targets: Targets) -> str:
    lines: list[str] = []
    for number in range(1, count + 1):
        lines += _one_suggestion(idea, number, style, targets)
    return "\n".join(lines) + "\n"
