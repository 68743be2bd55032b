"""Pixel tools for image operations, shared by the engine and the offline engine.

Pure, deterministic functions over Pillow images (numpy inside), one module per job:

* `masks`: one canonical mask form ("L", the image's size, 255 = change) from any user
  mask; invert, binarize, feather, grow, bounding box, coverage.
* `vendor_masks`: each vendor's mask convention and conversion to and from it.
* `composite`: the original put back outside a mask, with a soft edge.
* `outpaint`: canvas extension by sides or to an aspect ratio, with the new area's mask.
* `upscale`: Lanczos and a gentle unsharp mask, by 2 or 4, within a pixel limit.
* `background`: classical background removal for a subject on a plain backdrop.
* `palette`: dominant colours; moving one image's colours toward another's.
* `load`: caller bytes to a checked image; results to PNG.

Bad input raises `easel.errors.UserInputError` naming the field and how to fix it.
"""

from __future__ import annotations

from easel.imaging.background import remove_background
from easel.imaging.composite import composite_outside, default_feather
from easel.imaging.load import encode_png, open_image
from easel.imaging.masks import (
    Box,
    binarize_mask,
    feather_mask,
    grow_mask,
    invert_mask,
    mask_bbox,
    mask_coverage,
    normalize_mask,
)
from easel.imaging.outpaint import (
    ExtendedCanvas,
    Extension,
    check_extension,
    extend_canvas,
    extension_to_aspect,
    parse_aspect,
)
from easel.imaging.palette import Swatch, extract_palette, match_colours, sample_pixels
from easel.imaging.upscale import FACTORS, check_upscale, upscale
from easel.imaging.vendor_masks import (
    BFL_FILL,
    CONVENTIONS,
    IDEOGRAM_EDIT,
    IDEOGRAM_REMOVE_OBJECT,
    OPENAI_EDITS,
    RECRAFT_INPAINT,
    STABILITY_INPAINT,
    MaskConvention,
    encode_vendor_mask,
    from_vendor_mask,
    to_vendor_mask,
    vendor_mask_png,
)

__all__ = [
    "BFL_FILL",
    "CONVENTIONS",
    "FACTORS",
    "IDEOGRAM_EDIT",
    "IDEOGRAM_REMOVE_OBJECT",
    "OPENAI_EDITS",
    "RECRAFT_INPAINT",
    "STABILITY_INPAINT",
    "Box",
    "ExtendedCanvas",
    "Extension",
    "MaskConvention",
    "Swatch",
    "binarize_mask",
    "check_extension",
    "check_upscale",
    "composite_outside",
    "default_feather",
    "encode_png",
    "encode_vendor_mask",
    "extend_canvas",
    "extension_to_aspect",
    "extract_palette",
    "feather_mask",
    "from_vendor_mask",
    "grow_mask",
    "invert_mask",
    "mask_bbox",
    "mask_coverage",
    "match_colours",
    "normalize_mask",
    "open_image",
    "parse_aspect",
    "remove_background",
    "sample_pixels",
    "to_vendor_mask",
    "upscale",
    "vendor_mask_png",
]
