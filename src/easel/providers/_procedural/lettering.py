"""Letters for text prompts, signs and logos, set in the Inter font Easel ships.

The font is the variable Inter 5.3 the dashboard uses (SIL Open Font License), loaded
from the installed package, so the painter needs no system fonts. Characters outside
its Latin subset are dropped rather than drawn as boxes.
"""

from __future__ import annotations

import contextlib
import io
import threading
from functools import lru_cache
from importlib import resources

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from easel.providers._procedural.primitives import Arr

_FONT_DIR = "static/vendor/inter-5.3.0"
_FILE = "inter-latin-wght-normal.woff2"
_EXTRA = frozenset("\u0152\u0153\u20ac\u2122")  # Œ œ € ™: in the Latin subset too
# FreeType faces are not safe to use from two threads at once; painting runs in threads.
_LOCK = threading.Lock()
_REFERENCE = 200  # px: measure at this size, then scale


@lru_cache(maxsize=1)
def _font_bytes() -> bytes:
    return (resources.files("easel.web") / _FONT_DIR / _FILE).read_bytes()


@lru_cache(maxsize=48)
def _font(size: int, weight: int) -> ImageFont.FreeTypeFont:
    font = ImageFont.truetype(io.BytesIO(_font_bytes()), size)
    # A FreeType built without variable fonts keeps the regular weight.
    with contextlib.suppress(OSError):
        font.set_variation_by_axes([max(100, min(900, weight))])
    return font


def _drawable(text: str) -> str:
    """The text without characters the font file lacks (they would be drawn as boxes)."""
    return "".join(
        ch for ch in text if 0x20 <= ord(ch) < 0x100 or 0x2000 <= ord(ch) < 0x2070 or ch in _EXTRA
    )


def _lines(text: str, count: int) -> list[str]:
    """Split words into ``count`` lines of similar length."""
    words = text.split()
    if count <= 1 or len(words) < 2:
        return [" ".join(words)]
    target = len(text) / count
    lines: list[str] = []
    current: list[str] = []
    for word in words:
        if current and len(" ".join([*current, word])) > target and len(lines) < count - 1:
            lines.append(" ".join(current))
            current = []
        current.append(word)
    lines.append(" ".join(current))
    return lines


def _measure(lines: list[str], weight: int) -> tuple[float, float]:
    """Width and height of the lines at the reference size, in px."""
    font = _font(_REFERENCE, weight)
    with _LOCK:
        width = max(font.getlength(line) for line in lines)
    return width, _REFERENCE * (1.2 * len(lines) - 0.2)


def fit(text: str, width: int, height: int, weight: int) -> tuple[list[str], int]:
    """The line breaks and font size (px) that set the text largest inside the box."""
    best: tuple[list[str], int] = ([text], 1)
    for count in range(1, min(4, len(text.split())) + 1):
        lines = _lines(text, count)
        tw, th = _measure(lines, weight)
        size = int(_REFERENCE * min(width / max(tw, 1.0), height / th))
        if size > best[1]:
            best = (lines, size)
    return best


def text_mask(text: str, width: int, height: int, weight: int = 700) -> Arr | None:
    """Coverage (0..1) of the text set as large as fits in width × height px, centred
    line by line; None when nothing drawable is left."""
    text = " ".join(_drawable(text).split())
    if not text:
        return None
    lines, size = fit(text, width, height, weight)
    if size < 3:
        return None
    font = _font(size, weight)
    step = size * 1.2
    img = Image.new("L", (width, max(1, round(step * (len(lines) - 1) + size * 1.25))))
    draw = ImageDraw.Draw(img)
    with _LOCK:
        for i, line in enumerate(lines):
            draw.text((width / 2, size * 0.5 + i * step), line, font=font, fill=255, anchor="mm")
    box = img.getbbox()
    if box is None:
        return None
    return np.asarray(img.crop(box), dtype=np.float32) / np.float32(255)
