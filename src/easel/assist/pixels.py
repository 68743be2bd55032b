"""What can be read from an image's pixels alone: dominant colours (`easel.imaging.palette`,
named with the offline painter's colour words), brightness, contrast, saturation, warmth,
where the detail sits, symmetry, the horizon, the aspect ratio and the texture.

The image is read at most 160 px on its long side: these are whole-picture measures, and
they cost a few milliseconds at that size. Run `read_pixels` in a worker thread.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
from PIL import Image

from easel.imaging.palette import extract_palette
from easel.providers._procedural.vocabulary import COLOURS

ANALYSIS_SIDE = 160
COMMON_RATIOS = {
    "1:1": 1.0,
    "5:4": 1.25,
    "4:3": 4 / 3,
    "3:2": 1.5,
    "16:10": 1.6,
    "16:9": 16 / 9,
    "2:1": 2.0,
    "21:9": 21 / 9,
    "3:1": 3.0,
}
# One word per colour (the vocabulary keeps spelling variants: grey and gray, gold and golden).
_NAMED = {
    name: tuple(int(hexa[i : i + 2], 16) for i in (1, 3, 5))
    for name, hexa in COLOURS.items()
    if name not in ("gray", "golden")
}


@dataclass(frozen=True)
class Swatch:
    name: str
    hex: str
    share: float
    """The fraction of the picture in this colour, 0..1."""


@dataclass(frozen=True)
class PixelFacts:
    width: int
    height: int
    swatches: tuple[Swatch, ...]
    brightness: float
    """Mean luminance, 0..1."""
    contrast: float
    """Standard deviation of luminance, 0..0.5."""
    saturation: float
    warmth: float
    """Mean red minus mean blue, -1..1: positive is warm."""
    focus_x: float
    """Where the detail is centred, 0 (left) .. 1 (right)."""
    focus_y: float
    symmetry: float
    """1 when the left half mirrors the right."""
    horizon: float | None
    """Height of a strong horizontal divide from the top, 0..1, if there is one."""
    texture: float
    """Mean gradient strength, 0..1: how busy the surface is."""

    @property
    def ratio_name(self) -> str:
        wide, narrow = max(self.width, self.height), min(self.width, self.height)
        ratio = wide / max(1, narrow)
        name = min(COMMON_RATIOS, key=lambda key: abs(COMMON_RATIOS[key] - ratio))
        if self.height > self.width and name != "1:1":
            left, right = name.split(":")
            name = f"{right}:{left}"
        return name

    @property
    def orientation(self) -> str:
        if abs(self.width - self.height) <= 0.03 * max(self.width, self.height):
            return "square"
        return "landscape" if self.width > self.height else "portrait"


def _nearest_name(rgb: np.ndarray) -> str:
    return min(_NAMED, key=lambda name: float(np.sum((np.array(_NAMED[name]) - rgb) ** 2)))


def _swatches(image: Image.Image, count: int = 6) -> tuple[Swatch, ...]:
    """The dominant colours (`easel.imaging.palette`), named; colours that take the same
    name are counted together."""
    merged: dict[str, tuple[float, str]] = {}
    for found in extract_palette(image, count):
        name = _nearest_name(np.array(found.rgb, dtype=float))
        share, kept = merged.get(name, (0.0, found.hex))
        merged[name] = (share + found.share, kept)
    ordered = sorted(merged.items(), key=lambda item: -item[1][0])
    return tuple(Swatch(name, hexa, round(share, 3)) for name, (share, hexa) in ordered)


def _focus(weights: np.ndarray) -> tuple[float, float]:
    total = float(weights.sum())
    if total <= 1e-9:
        return 0.5, 0.5
    rows, cols = weights.shape
    y = float((weights.sum(axis=1) * np.arange(rows)).sum() / total) / max(1, rows - 1)
    x = float((weights.sum(axis=0) * np.arange(cols)).sum() / total) / max(1, cols - 1)
    return x, y


def _horizon(luma: np.ndarray) -> float | None:
    """The row where mean brightness changes most, if the change is marked."""
    rows = luma.mean(axis=1)
    if len(rows) < 8:
        return None
    steps = np.abs(np.diff(rows))
    edge = int(np.argmax(steps[2:-2])) + 2
    return (edge + 0.5) / len(rows) if steps[edge] > 0.08 else None


def read_pixels(data: bytes) -> PixelFacts:
    """Measure the picture in ``data`` (any format Pillow reads)."""
    with Image.open(io.BytesIO(data)) as opened:
        width, height = opened.size
        image = opened.convert("RGB")
    image.thumbnail((ANALYSIS_SIDE, ANALYSIS_SIDE))
    rgb = np.asarray(image, dtype=float) / 255.0
    luma = rgb @ np.array([0.2126, 0.7152, 0.0722])
    highest, lowest = rgb.max(axis=2), rgb.min(axis=2)
    saturation = np.where(highest > 0, (highest - lowest) / np.maximum(highest, 1e-9), 0.0)
    grad_y, grad_x = np.gradient(luma)
    gradient = np.hypot(grad_x, grad_y)
    mirrored = luma[:, ::-1]
    return PixelFacts(
        width=width,
        height=height,
        swatches=_swatches(image),
        brightness=float(luma.mean()),
        contrast=float(luma.std()),
        saturation=float(saturation.mean()),
        warmth=float(rgb[..., 0].mean() - rgb[..., 2].mean()),
        focus_x=_focus(gradient)[0],
        focus_y=_focus(gradient)[1],
        symmetry=float(1.0 - np.abs(luma - mirrored).mean() * 2),
        horizon=_horizon(luma),
        texture=float(min(1.0, gradient.mean() * 8)),
    )
