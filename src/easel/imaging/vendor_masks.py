"""Each vendor's mask convention, in one place, and conversion to and from it.

Easel keeps masks canonical (`easel.imaging.masks`: "L", 255 = change). A provider
adapter converts at the edge with `to_vendor_mask` / `encode_vendor_mask`; a route that
receives a vendor-style mask (the OpenAI-compatible ``/v1/images/edits``) reads it back
with `from_vendor_mask`. The conventions, as each vendor documents them:

* **OpenAI** ``POST /v1/images/edits`` ``mask``: a PNG "whose fully transparent areas
  (e.g. where alpha is zero) indicate where `image` should be edited", applied to the
  first image, less than 4 MB, with the same dimensions as the image
  (openai-python ``src/openai/types/image_edit_params.py``, field ``mask``). Only alpha 0
  is specified, so the area to edit is fully transparent and the rest fully opaque.
* **Stability AI** ``POST /v2beta/stable-image/edit/inpaint`` (and ``edit/erase``)
  ``mask``: greyscale strength per pixel; black = no inpainting, white = full strength;
  alternatively the alpha channel of ``image``
  (https://platform.stability.ai/docs/api-reference#tag/Edit; read through a published
  copy of that reference's text). Grey is meaningful, so soft masks are sent as they are.
* **Recraft** ``POST /v1/images/inpaint`` and ``/v1/images/eraseRegion``: a greyscale
  PNG/JPG/WEBP of exactly the image's size; white (255) is regenerated, black (0) stays,
  and every pixel must be one of the two
  (https://www.recraft.ai/docs/api-reference/tools/inpainting,
  https://www.recraft.ai/docs/api-reference/tools/erase-region).
* **Ideogram** differs between endpoints
  (https://developer.ideogram.ai/ideogram-api/masked-edits):
  ``/v1/ideogram-v3/edit``, ``/v1/ideogram-v3/inpaint`` and Precise Edit
  (``/v2/image/precise-edit/…``) take black = change, white = keep, same size as the
  image (https://developer.ideogram.ai/v1/api-reference/edit-images/inpaint-v3);
  Precise Edit rounds grey to the nearer of the two and needs both colours present.
  Remove Object (``/v1/remove-object``, ``/v2/image/remove-object/ideogram-1``) takes the
  opposite: white (>= 128) = remove
  (https://developer.ideogram.ai/api-reference/tools/remove-object).
* **Black Forest Labs** FLUX.1 Fill (``/v1/flux-pro-1.0-fill``): a separate black and
  white mask of the image's dimensions, black = keep, white = inpaint; or an image with
  alpha whose transparent areas are inpainted (https://docs.bfl.ai/flux_tools/flux_1_fill).
  The docs speak only of black and white, so grey is not relied on: the mask is sent
  binary.
* **Google Gemini** image models (``generateContent``) have no mask field; a mask can
  only be described in the prompt, so the result is composited back outside the mask
  (`easel.imaging.composite`).

Outpainting at Stability (``edit/outpaint``: ``left/right/up/down``), Recraft
(``/v1/images/outpaint``: ``expand_*``) and BFL (``/v1/flux-pro-1.0-expand``:
``top/bottom/left/right``) takes pixel counts, not a mask: see `easel.imaging.outpaint`.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Literal

from PIL import Image, ImageChops

from easel.errors import UserInputError
from easel.imaging.load import open_image
from easel.imaging.masks import MASK_HINT, binarize_mask

Marking = Literal["white", "black", "transparent"]


@dataclass(frozen=True)
class MaskConvention:
    """How one vendor endpoint marks the pixels to change."""

    name: str
    change: Marking
    """White pixels, black pixels, or fully transparent pixels mark the area to change."""
    binary: bool
    """Every pixel must be fully one or the other (grey is rounded at 128)."""
    source: str
    """Where the vendor documents it."""


OPENAI_EDITS = MaskConvention(
    "openai-edits",
    change="transparent",
    binary=True,
    source="openai-python src/openai/types/image_edit_params.py (mask)",
)
STABILITY_INPAINT = MaskConvention(
    "stability-inpaint",
    change="white",
    binary=False,
    source="https://platform.stability.ai/docs/api-reference#tag/Edit",
)
RECRAFT_INPAINT = MaskConvention(
    "recraft-inpaint",
    change="white",
    binary=True,
    source="https://www.recraft.ai/docs/api-reference/tools/inpainting",
)
IDEOGRAM_EDIT = MaskConvention(
    "ideogram-edit",
    change="black",
    binary=True,
    source="https://developer.ideogram.ai/ideogram-api/masked-edits",
)
IDEOGRAM_REMOVE_OBJECT = MaskConvention(
    "ideogram-remove-object",
    change="white",
    binary=True,
    source="https://developer.ideogram.ai/api-reference/tools/remove-object",
)
BFL_FILL = MaskConvention(
    "bfl-fill",
    change="white",
    binary=True,
    source="https://docs.bfl.ai/flux_tools/flux_1_fill",
)

CONVENTIONS: dict[str, MaskConvention] = {
    c.name: c
    for c in (
        OPENAI_EDITS,
        STABILITY_INPAINT,
        RECRAFT_INPAINT,
        IDEOGRAM_EDIT,
        IDEOGRAM_REMOVE_OBJECT,
        BFL_FILL,
    )
}


def to_vendor_mask(mask: Image.Image, convention: MaskConvention) -> Image.Image:
    """A canonical mask ("L", 255 = change) in ``convention``: "L" for black/white
    conventions, "RGBA" (black, alpha 0 where to change) for transparency ones."""
    marks = binarize_mask(mask) if convention.binary else mask.copy()
    if convention.change == "white":
        return marks
    if convention.change == "black":
        return ImageChops.invert(marks)
    out = Image.new("RGBA", mask.size, (0, 0, 0, 255))
    out.putalpha(ImageChops.invert(marks))
    return out


def encode_vendor_mask(mask: Image.Image, convention: MaskConvention) -> bytes:
    """`to_vendor_mask` as PNG bytes, without metadata chunks."""
    buf = io.BytesIO()
    to_vendor_mask(mask, convention).save(buf, format="PNG", optimize=False, compress_level=6)
    return buf.getvalue()


def from_vendor_mask(
    image: Image.Image, convention: MaskConvention, *, field: str = "mask"
) -> Image.Image:
    """The canonical mask of a mask drawn in ``convention`` (the inverse of
    `to_vendor_mask`); a transparency convention needs an image with transparency."""
    if convention.change == "transparent":
        if image.mode not in ("RGBA", "LA", "PA") and "transparency" not in image.info:
            raise UserInputError(
                "The mask has no transparency: transparent pixels mark the area to edit.",
                field=field,
                hint=MASK_HINT,
            )
        marks = ImageChops.invert(image.convert("RGBA").getchannel("A"))
    else:
        marks = image.convert("L")
        if convention.change == "black":
            marks = ImageChops.invert(marks)
    return binarize_mask(marks) if convention.binary else marks


def vendor_mask_png(canonical_png: bytes, convention: MaskConvention) -> bytes:
    """A job's canonical mask (PNG bytes, as `OperationInputs.mask` holds it) encoded in
    ``convention``: what an adapter sends as the vendor's mask file or field."""
    return encode_vendor_mask(open_image(canonical_png, field="mask").convert("L"), convention)
