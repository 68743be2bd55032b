"""Masks in one canonical form: mode "L", the image's size, 255 = change this pixel.

`normalize_mask` turns whatever a person or a tool sends into that form, by these rules:

* **Transparency decides when there is any.** A mask with an alpha band (or a
  transparent palette entry) in which some pixel is not fully opaque is read the way
  every vendor that takes alpha reads it: transparent = change, opaque = keep, and a
  half-transparent pixel is a half-strength change (255 - alpha).
* **Otherwise brightness decides:** white = change, black = keep, grey in between.
  Brightness is the largest of R, G and B, so a stroke of any saturated colour on black
  counts as marked (a red brush would be dark by luminance).
* **Size:** a mask of another size is scaled (bilinear) to the image's size when the
  two aspect ratios agree within 2% (a mask drawn over a scaled-down preview); a mask of
  another shape is refused, because stretching it would move the marked area.
* A mask that marks no pixel is refused: there would be nothing to change.

Every refusal is a `UserInputError` on the field ``mask`` with a hint saying how to fix it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageChops, ImageFilter

from easel.errors import UserInputError
from easel.imaging._pixels import has_alpha

ASPECT_TOLERANCE = 0.02
"""How far a mask's aspect ratio may differ from the image's and still be scaled to it."""

MASK_HINT = (
    "Send a PNG of the image's size: white (or transparent) where the image should "
    "change, black (or opaque) where it should stay."
)


@dataclass(frozen=True)
class Box:
    """A pixel rectangle: columns [left, right), rows [top, bottom)."""

    left: int
    top: int
    right: int
    bottom: int

    @property
    def width(self) -> int:
        return self.right - self.left

    @property
    def height(self) -> int:
        return self.bottom - self.top

    def as_tuple(self) -> tuple[int, int, int, int]:
        return (self.left, self.top, self.right, self.bottom)

    def grown(self, margin: int, size: tuple[int, int]) -> Box:
        """This box with ``margin`` pixels more on every side, clipped to ``size``."""
        width, height = size
        return Box(
            max(0, self.left - margin),
            max(0, self.top - margin),
            min(width, self.right + margin),
            min(height, self.bottom + margin),
        )


def normalize_mask(
    mask: Image.Image, size: tuple[int, int], *, invert: bool = False, field: str = "mask"
) -> Image.Image:
    """Any user mask as the canonical "L" mask of ``size`` (255 = change); see the module.

    ``invert`` flips the meaning first (for callers whose masks mark what to keep).
    """
    if mask.width <= 0 or mask.height <= 0:
        raise UserInputError("The mask has no pixels.", field=field, hint=MASK_HINT)
    canonical = _read_marks(mask)
    if invert:
        canonical = invert_mask(canonical)
    if canonical.size != size:
        canonical = _scaled(canonical, size, field)
    if canonical.getextrema()[1] == 0:
        raise UserInputError(
            "The mask marks no pixel to change: it is black (or fully opaque) everywhere.",
            field=field,
            hint=MASK_HINT,
        )
    return canonical


def _read_marks(mask: Image.Image) -> Image.Image:
    if has_alpha(mask):
        alpha = mask.convert("RGBA").getchannel("A")
        low, _ = alpha.getextrema()
        if isinstance(low, int) and low < 255:  # some transparency: alpha decides
            return ImageChops.invert(alpha)
    if mask.mode == "L":
        return mask.copy()
    if mask.mode == "1":
        return mask.convert("L")
    if mask.mode.startswith("I"):  # 16-bit grey (as PNG decodes it): scale to 8 bits
        return mask.convert("I").point(lambda v: v / 256).convert("L")
    rgb = np.asarray(mask.convert("RGB"))
    return Image.fromarray(np.ascontiguousarray(rgb.max(axis=2)), "L")


def _scaled(mask: Image.Image, size: tuple[int, int], field: str) -> Image.Image:
    width, height = size
    image_ratio, mask_ratio = width / height, mask.width / mask.height
    if abs(math.log(mask_ratio / image_ratio)) > math.log1p(ASPECT_TOLERANCE):
        raise UserInputError(
            f"The mask is {mask.width}x{mask.height} but the image is {width}x{height}: "
            "their shapes differ, so the marked area cannot be placed on the image.",
            field=field,
            hint=f"Draw the mask on the image itself, at {width}x{height} or the same shape.",
        )
    return mask.resize(size, Image.Resampling.BILINEAR)


def invert_mask(mask: Image.Image) -> Image.Image:
    """Change ↔ keep."""
    return ImageChops.invert(mask)


def binarize_mask(mask: Image.Image, threshold: int = 128) -> Image.Image:
    """255 where the mask is at least ``threshold``, 0 elsewhere."""
    return mask.point(lambda v: 255 if v >= threshold else 0)


def feather_mask(mask: Image.Image, radius: int) -> Image.Image:
    """A soft edge ``radius`` px wide on each side of the mask's edge.

    Two box blurs whose radii add up to ``radius``: a pixel farther than ``radius`` px
    (in both directions: a square neighbourhood) from every marked pixel stays exactly
    0, and one that far inside the marked area stays exactly 255.
    """
    if radius < 0:
        raise ValueError("feather radius must be >= 0")
    first = radius // 2
    second = radius - first
    out = mask
    for r in (first, second):
        if r:
            out = out.filter(ImageFilter.BoxBlur(r))
    return out if out is not mask else mask.copy()


def grow_mask(mask: Image.Image, pixels: int) -> Image.Image:
    """The mask dilated by ``pixels`` in a square neighbourhood (negative erodes)."""
    if pixels == 0:
        return mask.copy()
    rank = ImageFilter.MaxFilter if pixels > 0 else ImageFilter.MinFilter
    out = mask
    remaining = abs(pixels)
    while remaining:  # large kernels are slow in Pillow: repeat small ones instead
        step = min(remaining, 3)
        out = out.filter(rank(2 * step + 1))
        remaining -= step
    return out


def mask_bbox(mask: Image.Image) -> Box | None:
    """The smallest box holding every marked pixel, or None when nothing is marked."""
    box = mask.getbbox()
    return Box(*box) if box else None


def mask_coverage(mask: Image.Image) -> float:
    """The share of the picture the mask changes, 0..1 (soft pixels count partly)."""
    values = np.asarray(mask, dtype=np.float64)
    return float(values.mean() / 255.0)
