"""Reading a caller's image bytes for pixel work, and writing results as PNG.

`open_image` turns bytes a person sent (an upload, a mask, a style image) into a loaded
Pillow image turned the way viewers show it, or a `UserInputError` saying what the bytes
were instead. The byte and type checks of stored uploads happen before, where uploads
are received; this is the last guard before pixels are touched.
"""

from __future__ import annotations

import io
import warnings

from PIL import Image, ImageOps, UnidentifiedImageError

from easel.errors import UserInputError
from easel.storage.images import sniff_mime

DEFAULT_MAX_PIXELS = 64 * 1024 * 1024
"""Easel's stored-image limit: below Pillow's own bomb limit (~89 Mpx)."""
FORMATS = ("PNG", "JPEG", "WEBP")


def open_image(
    data: bytes, *, field: str = "image", max_pixels: int = DEFAULT_MAX_PIXELS
) -> Image.Image:
    """Decode ``data`` (PNG, JPEG or WebP, at most ``max_pixels``), EXIF-oriented."""
    hint = "Send a PNG, JPEG or WebP image."
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=FORMATS)
        width, height = image.size
        if width * height > max_pixels:
            raise UserInputError(
                f"The {field} is {width}x{height} ({width * height / 1e6:.0f} Mpx), above "
                f"the limit of {max_pixels / 1e6:.0f} Mpx.",
                field=field,
                hint="Send a smaller image.",
            )
        image.load()
    except UserInputError:
        raise
    except UnidentifiedImageError:
        kind = sniff_mime(data) or "data of an unknown kind"
        raise UserInputError(
            f"The {field} is not an image Easel can read ({kind}, {len(data):,} bytes).",
            field=field,
            hint=hint,
        ) from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise UserInputError(
            f"The {field} is too large to open: {exc}", field=field, hint="Send a smaller image."
        ) from None
    except MemoryError:
        raise
    except Exception as exc:  # decoders raise OSError, SyntaxError, ValueError, EOFError…
        raise UserInputError(
            f"The {field} is a damaged image ({len(data):,} bytes): {exc}.",
            field=field,
            hint=hint,
        ) from None
    return ImageOps.exif_transpose(image) or image


def encode_png(image: Image.Image) -> bytes:
    """The pixels as a plain PNG: no text, time or colour-profile chunks."""
    buf = io.BytesIO()
    image.save(buf, format="PNG", compress_level=2)
    return buf.getvalue()
