"""The words the painter knows: colours, subjects, moods, modifiers and palettes."""

from __future__ import annotations

from typing import Literal

Layout = Literal["landscape", "geometric", "nebula", "interior", "studio", "underwater"]
"""The backdrop; the last three are only chosen for prompts that name subjects or text."""
Treatment = Literal["none", "watercolor", "mosaic"]

STYLES = ("auto", "landscape", "geometric", "nebula", "watercolor", "mosaic")


COLOURS: dict[str, str] = {
    "red": "#d7262b", "crimson": "#b3122e", "scarlet": "#e0301e", "ruby": "#9b111e",
    "maroon": "#6d1a1f", "burgundy": "#7a1f35", "cherry": "#c2183a", "orange": "#f07c1e",
    "amber": "#f2a516", "tangerine": "#f28500", "peach": "#f6b48f", "coral": "#f26b5b",
    "salmon": "#f08a74", "apricot": "#f7b27a", "gold": "#e8b526", "golden": "#e8b526",
    "yellow": "#f5d22e", "lemon": "#f4e04d", "mustard": "#d4a418", "ochre": "#c9882b",
    "honey": "#e0a43a", "lime": "#9bd334", "green": "#3f9b4a", "emerald": "#149b6c",
    "jade": "#2e9e7a", "olive": "#7c8a2e", "mint": "#9fe0c0", "sage": "#9cae88",
    "teal": "#138a8a", "turquoise": "#2ec4b6", "cyan": "#22c7e0", "aqua": "#3fd6d6",
    "aquamarine": "#6fe3c8", "blue": "#2a5bd7", "azure": "#3a8ee6", "cerulean": "#2a7ab0",
    "cobalt": "#1f45b8", "sapphire": "#1c3f94", "navy": "#14224f", "indigo": "#3b2a8f",
    "ultramarine": "#2434c4", "violet": "#7b3fc4", "purple": "#7a2fa8", "lavender": "#b49be0",
    "lilac": "#c4a3d9", "plum": "#6e2a5e", "magenta": "#d42a9a", "fuchsia": "#e03aa8",
    "pink": "#ef7fb0", "rose": "#e8607f", "brown": "#7a4e2d", "chocolate": "#5a3520",
    "copper": "#b8693a", "bronze": "#a87a3c", "rust": "#a8452a", "sienna": "#a0522d",
    "tan": "#c8a27a", "beige": "#dccbab", "sandy": "#d8bf8a", "cream": "#f3e8cf",
    "ivory": "#f4efe0", "white": "#f4f4f0", "silver": "#b9c0c8", "grey": "#808890",
    "gray": "#808890", "charcoal": "#33363b", "black": "#111214", "obsidian": "#15141c",
}  # fmt: skip

# word → elements it asks for; styles ignore the elements they cannot draw.
_SUBJECT_GROUPS: dict[tuple[str, ...], tuple[str, ...]] = {
    ("sun", "sunny", "sunlight", "sunshine", "sunset", "sunrise", "dawn", "dusk"): ("sun",),
    ("moon", "moonlight", "moonlit", "lunar", "crescent"): ("moon",),
    ("star", "starry", "starlight", "constellation", "starfield"): ("stars",),
    ("mountain", "peak", "alps", "alpine", "summit", "cliff", "ridge", "volcano",
     "range", "himalaya", "canyon"): ("mountains",),
    ("hill", "valley", "meadow", "field", "countryside", "prairie", "plain", "rolling",
     "pasture", "farmland"): ("hills",),
    ("beach", "seashore"): ("water", "beach"),
    ("sea", "ocean", "lake", "water", "river", "coast", "shore", "bay", "harbor",
     "harbour", "pond", "lagoon", "seaside", "reflection", "fjord"): ("water",),
    ("wave",): ("waves",),
    ("city", "skyline", "town", "building", "urban", "metropolis", "downtown", "street",
     "skyscraper", "cyberpunk"): ("city",),
    ("tower", "lighthouse", "castle", "spire", "temple", "church", "pagoda"): ("tower",),
    ("forest", "tree", "trees", "wood", "woods", "woodland", "jungle", "pine", "grove",
     "oak", "birch", "taiga", "cedar"): ("trees",),
    ("blossom", "orchard"): ("flowers", "trees"),
    ("flower", "garden", "bloom", "tulip", "poppy", "wildflower", "petal",
     "roses", "daisy"): ("flowers",),
    ("cloud", "cloudy", "overcast"): ("clouds",),
    ("storm", "stormy", "thunder", "thunderstorm"): ("clouds", "rain"),
    ("bird", "flock", "seagull", "gull", "crow"): ("birds",),
    ("rain", "rainy", "raining", "drizzle", "downpour"): ("rain", "clouds"),
    ("aurora", "borealis"): ("aurora", "stars"),
    ("island", "isle", "islet"): ("island", "water"),
    ("desert", "dune", "dunes", "sahara"): ("dunes",),
    ("snow", "snowy", "winter", "frozen", "ice", "icy", "glacier"): ("snow",),
    ("circle", "sphere", "orb", "ring", "dot", "bubble", "round"): ("circles",),
    ("square", "rectangle", "block", "grid", "cube", "box"): ("squares",),
    ("triangle", "pyramid", "angular", "shard", "prism"): ("triangles",),
    ("line", "stripe", "striped", "bar"): ("lines",),
    ("wavy", "curve", "ripple", "swirl"): ("waves",),
    ("planet", "saturn", "jupiter"): ("planet",),
    ("sky", "skies", "horizon"): ("sky",),
    ("land", "ground", "grass", "earth"): ("ground",),
    ("window", "windowsill", "sill"): ("window",),
}  # fmt: skip
SUBJECTS: dict[str, tuple[str, ...]] = {w: e for ws, e in _SUBJECT_GROUPS.items() for w in ws}

# Palette templates; the first one the prompt names wins, in this order of precedence.
_MOOD_GROUPS: dict[str, tuple[str, ...]] = {
    "neon": ("neon", "cyberpunk", "synthwave", "vaporwave", "retrowave"),
    "space": ("space", "nebula", "galaxy", "cosmos", "cosmic", "universe", "interstellar"),
    "storm": ("storm", "stormy", "thunder", "overcast", "gloomy", "rainy", "rain"),
    "sunset": ("sunset", "dusk", "evening", "twilight"),
    "dawn": ("sunrise", "dawn", "morning", "daybreak"),
    "night": (
        "night",
        "midnight",
        "nocturnal",
        "moonlit",
        "starry",
        "nighttime",
        "aurora",
        "borealis",
    ),
    "fire": ("fire", "lava", "inferno", "volcano", "flames", "ember"),
    "winter": ("winter", "snow", "snowy", "frozen", "arctic", "icy", "glacier"),
    "autumn": ("autumn", "fall", "autumnal", "october", "harvest"),
    "desert": ("desert", "dunes", "dune", "sahara", "arid"),
    "mystic": ("mystic", "mystical", "enchanted", "fairy", "magic", "magical"),
    "tropical": ("tropical", "paradise", "caribbean", "lagoon"),
    "spring": ("spring", "blossom", "bloom"),
    "pastel": ("pastel",),
    "day": ("day", "noon", "daylight", "sunny", "summer", "afternoon"),
}
MOOD_WORDS: dict[str, str] = {w: m for m, ws in _MOOD_GROUPS.items() for w in ws}
_MOOD_ORDER = tuple(_MOOD_GROUPS)
_NIGHT_MOODS = frozenset({"night", "neon", "space"})

_MODIFIER_GROUPS: dict[str, tuple[str, ...]] = {
    "calm": ("calm", "serene", "peaceful", "tranquil", "quiet", "still", "gentle"),
    "dark": ("dark", "gloomy", "moody", "shadowy", "grim", "deep", "noir"),
    "vivid": ("vivid", "vibrant", "bright", "saturated", "colorful", "colourful", "bold"),
    "muted": ("muted", "faded", "vintage", "retro", "dusty", "washed", "old"),
    "misty": ("misty", "foggy", "fog", "mist", "hazy", "haze", "smoky"),
    "pastel": ("pastel", "soft", "candy", "light"),
    "warm": ("warm", "cozy", "cosy", "hot"),
    "cold": ("cold", "cool", "icy", "chilly", "frosty"),
    "glow": ("dreamy", "glowing", "ethereal", "luminous", "radiant", "magical"),
    "minimal": ("minimal", "minimalist", "simple", "clean", "sparse"),
    "dramatic": ("dramatic", "epic", "majestic", "towering", "giant", "huge"),
    "busy": ("busy", "chaotic", "crowded", "dense", "complex", "intricate"),
}
MODIFIER_WORDS: dict[str, str] = {w: m for m, ws in _MODIFIER_GROUPS.items() for w in ws}

_LAYOUT_WORDS: dict[str, Layout] = {
    **{w: "nebula" for w in ("space", "nebula", "galaxy", "cosmos", "cosmic", "universe")},
    **{w: "geometric" for w in ("abstract", "geometric", "geometry", "shapes", "shape",
                                "pattern", "bauhaus", "composition", "poster")},
    **{w: "landscape" for w in ("landscape", "scenery", "scene", "view", "vista")},
}  # fmt: skip
_TREATMENT_WORDS: dict[str, Treatment] = {
    "watercolor": "watercolor", "watercolour": "watercolor", "aquarelle": "watercolor",
    "painted": "watercolor", "painting": "watercolor", "mosaic": "mosaic",
    "tiles": "mosaic", "tiled": "mosaic", "stained": "mosaic",
}  # fmt: skip

_KNOWN = frozenset(
    [*COLOURS, *SUBJECTS, *MOOD_WORDS, *MODIFIER_WORDS, *_LAYOUT_WORDS, *_TREATMENT_WORDS]
)
_NEGATORS = frozenset({"no", "without", "not", "never", "except"})
_LANDSCAPE_SUBJECTS = frozenset(
    {"mountains", "hills", "water", "city", "tower", "trees", "flowers", "dunes", "island"}
)
_SHAPE_SUBJECTS = frozenset({"circles", "squares", "triangles", "lines", "waves"})

_PALETTES: dict[str, dict[str, str]] = {
    # slots: sky_top sky_low glow sun cloud cloud_shade far land water accent ink
    "day": dict(zip(
        ("sky_top", "sky_low", "glow", "sun", "cloud", "cloud_shade",
         "far", "land", "water", "accent", "ink"),
        ("#2f6fc6", "#bcdcf0", "#fff4d6", "#fffbea", "#ffffff", "#a9b8cf",
         "#7f9bbd", "#3d7a45", "#2f6f9a", "#f2c14e", "#1b2d22"), strict=True)),
}  # fmt: skip
_SLOTS = tuple(_PALETTES["day"])


def _palette(*hexes: str) -> dict[str, str]:
    return dict(zip(_SLOTS, hexes, strict=True))


_PALETTES.update(
    sunset=_palette("#2a2150", "#f7894a", "#ffc46b", "#fff0c0", "#ff9a6a", "#6a3a63",
                    "#8a4a6a", "#3a1f3a", "#5a3456", "#ffb347", "#1a0f1e"),
    dawn=_palette("#5b6fb0", "#f8c7a8", "#ffe3b0", "#fff6dc", "#ffd7c2", "#8f86a8",
                  "#9a9ac0", "#4a5670", "#7a88b0", "#ffd27a", "#262a3c"),
    night=_palette("#060a1e", "#1c2f5a", "#5b76b0", "#f2efe0", "#4a5a80", "#141c34",
                   "#1e2b4c", "#0c1426", "#0e1a36", "#ffd28a", "#05080f"),
    neon=_palette("#0b0320", "#8a1f7a", "#ff3fa8", "#ffd1f0", "#6a2a8a", "#1e0b3a",
                  "#3a1a5e", "#140826", "#1a0b35", "#28f0ff", "#07030f"),
    storm=_palette("#2c333d", "#7d8792", "#b9c2c8", "#e6ecef", "#9aa3ad", "#3a414b",
                   "#59626c", "#2b3530", "#3c4850", "#d8d2a0", "#14181a"),
    autumn=_palette("#5d8fc4", "#f1d9b0", "#ffdf9e", "#fff1cc", "#fff2e2", "#b39b8f",
                    "#a8866a", "#b8561e", "#4f6f80", "#e8a21c", "#3a1d0e"),
    winter=_palette("#8fb3d9", "#e8f1f8", "#ffffff", "#fffdf5", "#ffffff", "#b8c7d9",
                    "#b4c6dc", "#eef3f8", "#7f9fbf", "#c94a4a", "#3b4a5e"),
    desert=_palette("#4f8ccf", "#f3dcb0", "#fff0cc", "#fffbe6", "#fff8ee", "#c9a88a",
                    "#d9a574", "#d48a4a", "#4a8aa8", "#c0502a", "#5a2e18"),
    fire=_palette("#1e0a0a", "#d2461c", "#ff9a2a", "#fff0b0", "#e86a2a", "#3a1410",
                  "#5a1e14", "#200a08", "#4a140c", "#ffcc33", "#0e0404"),
    mystic=_palette("#1a2440", "#4a8f8a", "#b6f0d8", "#f0fff8", "#9ac8c0", "#2e4658",
                    "#3a6a70", "#16302e", "#1f4a52", "#c89aff", "#081412"),
    tropical=_palette("#1f9ad6", "#bff0ea", "#fff8d8", "#fffdf0", "#ffffff", "#9fc4d0",
                      "#4aa898", "#1f8a4a", "#18b4b4", "#ff6f61", "#0f3a2a"),
    spring=_palette("#6fb2e8", "#e6f4f0", "#fffbe0", "#fffdf2", "#ffffff", "#b8c8d8",
                    "#9cc4a8", "#6aa84f", "#5a9ac0", "#f5a3c7", "#2a4a2a"),
    space=_palette("#05030f", "#140a2a", "#c23fa0", "#ffe6c8", "#3fb0c8", "#0a0618",
                   "#f08a3a", "#1a0f30", "#2a60c8", "#ffd27a", "#020108"),
    pastel=_palette("#a9c6ef", "#fbe0e6", "#fff3d9", "#fffaf0", "#ffffff", "#d6cbe8",
                    "#c9c3e8", "#a8d8c0", "#a9dbe6", "#f7a8b8", "#7d7aa8"),
)  # fmt: skip

# Which palette slots a colour word paints when it sits right before a subject word.
_SUBJECT_SLOTS: dict[str, tuple[str, ...]] = {
    "sky": ("sky_low", "glow", "sky_top"),
    "sun": ("sun", "glow", "sky_low"),
    "moon": ("sun", "glow"),
    "stars": ("sun",),
    "water": ("water",),
    "mountains": ("far", "land"),
    "hills": ("land", "far"),
    "ground": ("land",),
    "dunes": ("land", "far"),
    "island": ("land",),
    "trees": ("land",),
    "city": ("accent", "ink"),
    "tower": ("accent",),
    "flowers": ("accent",),
    "clouds": ("cloud",),
    "planet": ("far",),
}
# Free colour words (not attached to a subject) in prompt order: (slot, strength) pairs.
_FREE_SLOTS: tuple[tuple[tuple[str, float], ...], ...] = (
    (("sky_low", 0.75), ("glow", 0.6), ("sky_top", 0.45), ("water", 0.55),
     ("cloud", 0.35), ("far", 0.4), ("accent", 0.5)),
    (("land", 0.65), ("far", 0.35), ("accent", 0.7), ("cloud_shade", 0.3)),
    (("accent", 0.9), ("water", 0.3)),
)  # fmt: skip

# Prompts without any landscape subject get one of these, chosen by the text and seed.
_PRESETS: tuple[tuple[str, ...], ...] = (
    ("mountains", "water"),
    ("hills", "trees", "clouds"),
    ("water", "island"),
    ("mountains", "trees", "clouds"),
    ("hills", "flowers"),
    ("city", "water"),
    ("dunes",),
    ("mountains", "hills"),
)
