"""Classical upscaling: a gentle unsharp mask, then Lanczos resampling.

No detail is invented: edges are resampled smoothly and slightly sharpened, which is
what an offline engine can honestly do. Transparency is resampled but not sharpened
(sharpening alpha would ring around cut-outs).
"""

from __future__ import annotations

from typing import Literal, get_args

from PIL import Image, ImageFilter

from easel.errors import UserInputError
from easel.imaging._pixels import plain

Factor = Literal[2, 4]
FACTORS: tuple[int, ...] = get_args(Factor)
DEFAULT_MAX_PIXELS = 8192 * 8192
"""The largest output unless told otherwise: Easel's stored-image limit (64 Mpx)."""


def check_upscale(
    size: tuple[int, int],
    factor: int,
    *,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    field: str = "factor",
) -> tuple[int, int]:
    """The output size, or a `UserInputError` for another factor or too large a result."""
    if factor not in FACTORS:
        raise UserInputError(
            f"Upscaling by {factor} is not offered.",
            field=field,
            allowed=[str(f) for f in FACTORS],
            hint="Choose 2 or 4.",
        )
    width, height = size[0] * factor, size[1] * factor
    if width * height > max_pixels:
        smaller = [f for f in FACTORS if size[0] * f * size[1] * f <= max_pixels]
        hint = (
            f"Use factor {smaller[-1]}, or start from a smaller image."
            if smaller
            else "Start from a smaller image."
        )
        raise UserInputError(
            f"Upscaling {size[0]}x{size[1]} by {factor} makes {width}x{height} "
            f"({width * height / 1e6:.1f} Mpx), above the limit of {max_pixels / 1e6:.1f} Mpx.",
            field=field,
            hint=hint,
        )
    return width, height


def upscale(
    image: Image.Image, factor: int, *, max_pixels: int = DEFAULT_MAX_PIXELS
) -> Image.Image:
    """``image`` with each side multiplied by ``factor`` (2 or 4); RGB or RGBA out."""
    size = check_upscale(image.size, factor, max_pixels=max_pixels)
    source = plain(image)
    # Sharpen before enlarging: the same edge contrast as sharpening the result (the
    # overshoot is carried up by Lanczos) for a quarter or a sixteenth of the work. A
    # modest amount and a small threshold keep noise and halos down.
    sharpen = ImageFilter.UnsharpMask(radius=0.8, percent=70, threshold=2)
    sharp = source.convert("RGB").filter(sharpen)
    if source.mode == "RGBA":
        sharp.putalpha(source.getchannel("A"))
    return sharp.resize(size, Image.Resampling.LANCZOS)
