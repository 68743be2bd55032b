"""WebP thumbnails, made from as few pixels as the source format allows.

PNGs arrive here already box-reduced band by band (`easel.storage.png`), JPEGs decoded at
a reduced scale (libjpeg's DCT scaling through Pillow's ``draft``); other images are
decoded whole. Either way the final step is the same Lanczos resize to fit
``THUMBNAIL_SIZE`` and a WebP encode, with the source's colour profile kept.
"""

from __future__ import annotations

import io

from PIL import Image

THUMBNAIL_SIZE = 384
THUMBNAIL_QUALITY = 80
THUMBNAIL_METHOD = 1
"""libwebp's effort (0-6). Every stored image waits for its thumbnail, and at 384 px
method 1 encodes three to four times faster than 4 for files about a fifth larger (a few
KB), which no one sees in a grid of thumbnails."""
_ORIENTATION = 0x0112
# EXIF orientation → the transposition that shows the image upright.
_TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


def fit(width: int, height: int, box: int = THUMBNAIL_SIZE) -> tuple[int, int]:
    """The size of ``width``×``height`` scaled down (never up) to fit a ``box`` square."""
    scale = min(1.0, box / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))


def reduction_factor(width: int, height: int) -> int:
    """The box-reduction factor Pillow's ``thumbnail`` would use (reducing gap 2)."""
    target = fit(width, height)
    return max(1, min(width // (target[0] * 2), height // (target[1] * 2)))


def orientation(exif: Image.Exif) -> int:
    value = exif.get(_ORIENTATION, 1)
    return value if isinstance(value, int) and value in _TRANSPOSE else 1


def upright_size(size: tuple[int, int], turn: int) -> tuple[int, int]:
    """The size a viewer shows after applying EXIF orientation ``turn``."""
    return (size[1], size[0]) if turn in (5, 6, 7, 8) else size


def displayable(image: Image.Image) -> Image.Image:
    """An RGB, RGBA or L image with the same look (16-bit grey scaled, palettes expanded)."""
    if image.mode.startswith("I"):  # 16-bit grey: scale down, a plain convert clips to white
        return image.convert("I").point(lambda v: v / 256).convert("L")
    has_alpha = image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info
    )
    if has_alpha:
        return image if image.mode == "RGBA" else image.convert("RGBA")
    return image if image.mode in ("RGB", "L") else image.convert("RGB")


def webp(reduced: Image.Image, full_size: tuple[int, int], turn: int, icc: bytes | None) -> bytes:
    """The thumbnail of an image of ``full_size`` from ``reduced`` (any smaller copy)."""
    target = fit(*full_size)
    image = displayable(reduced)
    if image.size != target:
        image = image.resize(target, Image.Resampling.LANCZOS)
    if turn in _TRANSPOSE:
        image = image.transpose(_TRANSPOSE[turn])
    if image.mode not in ("RGB", "RGBA"):
        image = image.convert("RGB")
    # A profile only describes the pixels while they stay in the model it was made for.
    profile = icc if reduced.mode in ("RGB", "RGBA", "P") else None
    out = io.BytesIO()
    image.save(out, "WEBP", quality=THUMBNAIL_QUALITY, method=THUMBNAIL_METHOD, icc_profile=profile)
    return out.getvalue()


def from_whole(image: Image.Image) -> Image.Image:
    """A box-reduced copy of a fully decoded image, for `webp`."""
    factor = reduction_factor(*image.size)
    shown = displayable(image)
    return shown.reduce(factor) if factor > 1 else shown
