"""An image's dominant colours, and moving one image's colours toward another's.

`extract_palette` runs Pillow's median cut on a
scaled-down copy, so it costs about the same at any size and gives the same colours
every time. `match_colours` is a colour-statistics transfer (Reinhard et al. 2001) in a
simple opponent space: each channel's mean and spread are moved to the reference's.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image

from easel.errors import UserInputError
from easel.imaging._pixels import Bytes, Floats, has_alpha, map_colours

SAMPLE_SIDE = 256
"""Palettes are read from a copy at most this many pixels on its long side."""


@dataclass(frozen=True)
class Swatch:
    """One dominant colour and the share of the sampled pixels closest to it."""

    rgb: tuple[int, int, int]
    share: float

    @property
    def hex(self) -> str:
        return "#{:02x}{:02x}{:02x}".format(*self.rgb)


def extract_palette(
    image: Image.Image, colours: int = 6, *, exclude: Image.Image | None = None
) -> list[Swatch]:
    """Up to ``colours`` dominant colours, most common first.

    ``exclude`` is a canonical mask of pixels to leave out (the area an inpaint will
    replace); transparent pixels are always left out.
    """
    if not 1 <= colours <= 256:
        raise ValueError("colours must be 1..256")
    pixels = sample_pixels(image, exclude=exclude)
    strip = Image.fromarray(pixels.reshape(1, -1, 3), "RGB")
    quantized = strip.quantize(colours, method=Image.Quantize.MEDIANCUT)
    index = np.asarray(quantized).ravel()
    counts = np.bincount(index, minlength=colours)
    table = np.asarray(quantized.getpalette() or [], dtype=np.int64)[: 3 * len(counts)]
    table = table.reshape(-1, 3)
    total = float(counts.sum())
    order = sorted((i for i in range(len(table)) if counts[i] > 0), key=lambda i: (-counts[i], i))
    return [
        Swatch((int(table[i][0]), int(table[i][1]), int(table[i][2])), counts[i] / total)
        for i in order
    ]


def sample_pixels(image: Image.Image, *, exclude: Image.Image | None = None) -> Bytes:
    """The visible pixels (alpha >= 128) of a copy at most `SAMPLE_SIDE` long, as (n, 3)
    uint8, leaving out those ``exclude`` marks unless that would leave none."""
    scale = min(1.0, SAMPLE_SIDE / max(image.size))
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    rgba = image.convert("RGBA") if has_alpha(image) else image.convert("RGB")
    small = np.asarray(rgba.resize(size, Image.Resampling.BOX))
    keep = np.ones(small.shape[:2], dtype=bool)
    if small.shape[2] == 4:
        keep &= small[..., 3] >= 128
    visible = keep.copy()
    if exclude is not None:
        gone = np.asarray(exclude.resize(size, Image.Resampling.BOX)) >= 128
        keep &= ~gone
    if not keep.any():
        keep = visible  # the mask covers everything: read the whole picture
    if not keep.any():
        raise UserInputError(
            "The image has no visible pixels to take colours from: it is fully transparent.",
            field="image",
            hint="Use an image with some opaque pixels.",
        )
    return np.ascontiguousarray(small[..., :3][keep])


_TO_OPP = np.array([[1 / 3, 1 / 3, 1 / 3], [1.0, -1.0, 0.0], [0.5, 0.5, -1.0]], dtype=np.float32)
_FROM_OPP = np.linalg.inv(_TO_OPP).astype(np.float32)


def match_colours(content: Floats, reference: Floats, *, strength: float = 1.0) -> Floats:
    """``content`` (h, w, 3, 0..1) with its colour statistics moved toward those of
    ``reference`` (any shape ending in 3, 0..1) by ``strength`` (0..1). Spreads change
    by at most 2x either way, so a flat reference cannot crush the content's shading."""
    step = max(1, int(np.sqrt(content.shape[0] * content.shape[1] / 65536)))
    src_mean, src_std = _statistics(content[::step, ::step].reshape(-1, 3))
    ref_mean, ref_std = _statistics(reference.reshape(-1, 3))
    gain = np.clip(ref_std / src_std, 0.5, 2.0).astype(np.float32)
    k = np.float32(strength)

    def moved(colours: Floats) -> Floats:
        opp = colours @ _TO_OPP.T
        out = opp + ((opp - src_mean) * gain + ref_mean - opp) * k
        result: Floats = out @ _FROM_OPP.T
        return result

    return map_colours(content, moved)


def _statistics(colours: Floats) -> tuple[Floats, Floats]:
    opp = colours.astype(np.float32) @ _TO_OPP.T
    return opp.mean(axis=0), opp.std(axis=0) + np.float32(1e-4)
