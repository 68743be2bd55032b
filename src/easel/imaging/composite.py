"""Put the original back outside the mask, with a soft edge.

Some hosted models treat a mask as a hint and repaint pixels they were told to keep
(OpenAI's edits, Gemini, which has no mask at all). Pasting the original back outside
the mask restores those pixels exactly; a soft edge (`easel.imaging.masks.feather_mask`)
hides the seam. Pixels farther than the soft edge's radius outside the mask come out
byte for byte as in the original; pixels that far inside come from the result.
"""

from __future__ import annotations

from PIL import Image

from easel.imaging._pixels import has_alpha, plain
from easel.imaging.masks import feather_mask


def default_feather(size: tuple[int, int]) -> int:
    """A soft edge that reads the same at every size: 1/128 of the short side, >= 2 px."""
    return max(2, round(min(size) / 128))


def composite_outside(
    original: Image.Image,
    result: Image.Image,
    mask: Image.Image,
    *,
    feather: int | None = None,
) -> Image.Image:
    """``result`` inside ``mask`` (canonical, the original's size), ``original`` outside.

    A result of another size is first resized (Lanczos) to the original's size, as the
    models that return other sizes resize their input. If either image has transparency
    the output is RGBA and alpha is blended like colour; otherwise it is RGB.
    ``feather`` is the soft edge's radius in pixels (default: `default_feather`).
    """
    if mask.size != original.size:
        raise ValueError(f"mask is {mask.size}, original is {original.size}")
    radius = default_feather(original.size) if feather is None else feather
    mode = "RGBA" if has_alpha(original) or has_alpha(result) else "RGB"
    base = plain(original).convert(mode)
    top = plain(result).convert(mode)
    if top.size != base.size:
        top = top.resize(base.size, Image.Resampling.LANCZOS)
    # Pillow's masked paste: weight 0 gives exactly the original, 255 exactly the result.
    return Image.composite(top, base, feather_mask(mask, radius))
