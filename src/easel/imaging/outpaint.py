"""Outpaint geometry: how far to extend each side, and the enlarged canvas with its mask.

Vendors that outpaint by numbers (Stability ``left/right/up/down``, Recraft
``expand_*``, BFL Expand ``top/bottom/left/right``) take an `Extension` as it is;
models that take an image and a mask get `extend_canvas`'s canvas and mask.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
from PIL import Image

from easel.errors import UserInputError
from easel.imaging._pixels import has_alpha
from easel.imaging.masks import Box

DEFAULT_MAX_PIXELS = 4096 * 4096
"""The largest canvas `extend_canvas` makes unless told otherwise (16.8 Mpx)."""

Anchor = Literal["center", "left", "right", "top", "bottom"]
Fill = Literal["edge", "transparent"]
_EXTEND_HINT = "Give how many pixels to add on each side (left, top, right, bottom), each >= 0."


@dataclass(frozen=True)
class Extension:
    """Pixels to add on each side of an image."""

    left: int = 0
    top: int = 0
    right: int = 0
    bottom: int = 0

    def new_size(self, size: tuple[int, int]) -> tuple[int, int]:
        return (size[0] + self.left + self.right, size[1] + self.top + self.bottom)


@dataclass(frozen=True)
class ExtendedCanvas:
    image: Image.Image
    """The enlarged picture, the original pasted unchanged at ``box``."""
    mask: Image.Image
    """Canonical mask ("L", 255 = new area to paint, 0 = the original's pixels)."""
    box: Box
    """Where the original sits on the canvas."""


def parse_aspect(aspect: str | float, *, field: str = "aspect_ratio") -> float:
    """``"16:9"``, ``"1.5"`` or 1.5 as width / height."""
    try:
        if isinstance(aspect, str) and ":" in aspect:
            w, h = aspect.split(":", 1)
            ratio = float(w) / float(h)
        else:
            ratio = float(aspect)
    except (ValueError, ZeroDivisionError):
        ratio = math.nan
    if not math.isfinite(ratio) or not 1 / 16 <= ratio <= 16:
        raise UserInputError(
            f"{aspect!r} is not an aspect ratio between 1:16 and 16:1.",
            field=field,
            hint='Write it as width:height, for example "16:9".',
        )
    return ratio


def extension_to_aspect(
    size: tuple[int, int], aspect: str | float, *, anchor: Anchor = "center"
) -> Extension:
    """The smallest extension that brings ``size`` to ``aspect`` without cropping.

    ``anchor`` says where the original stays: centred, or against one side.
    """
    width, height = size
    ratio = parse_aspect(aspect)
    if width / height < ratio:  # too narrow: add columns
        extra = max(0, round(height * ratio) - width)
        first = {"left": 0, "right": extra}.get(anchor, extra // 2)
        return Extension(left=first, right=extra - first)
    extra = max(0, round(width / ratio) - height)
    first = {"top": 0, "bottom": extra}.get(anchor, extra // 2)
    return Extension(top=first, bottom=extra - first)


def check_extension(
    size: tuple[int, int],
    extension: Extension,
    *,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    field: str = "extend",
) -> None:
    """Refuse negative sides, an extension of nothing, or a canvas over ``max_pixels``."""
    sides = (extension.left, extension.top, extension.right, extension.bottom)
    if any(v < 0 for v in sides):
        raise UserInputError(
            f"Outpainting cannot crop: got {sides} (left, top, right, bottom).",
            field=field,
            hint=_EXTEND_HINT,
        )
    if not any(sides):
        raise UserInputError(
            "Outpainting needs at least one side to extend.", field=field, hint=_EXTEND_HINT
        )
    new_w, new_h = extension.new_size(size)
    if new_w * new_h > max_pixels:
        raise UserInputError(
            f"Extending {size[0]}x{size[1]} by {sides} makes {new_w}x{new_h} "
            f"({new_w * new_h / 1e6:.1f} Mpx), above the limit of {max_pixels / 1e6:.1f} Mpx.",
            field=field,
            hint="Extend by fewer pixels, or start from a smaller image.",
        )


def extend_canvas(
    image: Image.Image,
    extension: Extension,
    *,
    fill: Fill = "edge",
    max_pixels: int = DEFAULT_MAX_PIXELS,
) -> ExtendedCanvas:
    """The image on a larger canvas, and the mask of the new area.

    ``fill="edge"`` stretches the outermost pixels into the new area (a neutral start for
    models that repaint it); ``"transparent"`` leaves it transparent (RGBA, alpha 0).
    """
    check_extension(image.size, extension, max_pixels=max_pixels)
    mode = "RGBA" if fill == "transparent" or has_alpha(image) else "RGB"
    source = np.asarray(image.convert(mode))
    pad = ((extension.top, extension.bottom), (extension.left, extension.right), (0, 0))
    if fill == "edge":
        canvas = np.pad(source, pad, mode="edge")
    else:
        canvas = np.pad(source, pad, mode="constant", constant_values=0)
    box = Box(
        extension.left,
        extension.top,
        extension.left + image.width,
        extension.top + image.height,
    )
    new_size = extension.new_size(image.size)
    mask = Image.new("L", new_size, 255)
    mask.paste(0, box.as_tuple())
    return ExtendedCanvas(Image.fromarray(canvas, mode), mask, box)
