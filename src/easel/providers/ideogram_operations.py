"""Ideogram's endpoints for Easel's operations on images: the path and multipart body of
each. All of them answer like generation (``data[].url``, links that expire, which the
engine downloads and stores), so `easel.providers.ideogram` reads the answers.

* ``edit`` and ``variations``: Remix, ``POST /v1/ideogram-v4/remix`` (``text_prompt``,
  ``image_weight`` 1-100, a 2K ``resolution``, ``rendering_speed``;
  https://developer.ideogram.ai/api-reference/api-reference/remix-v4) or
  ``POST /v1/ideogram-v3/remix`` (``prompt``, ``image_weight``, ``aspect_ratio``, which
  crops the image to it first, ``negative_prompt``, ``style_type``; https://developer.ideogram.ai/api-reference/api-reference/remix-v3).
  Remix needs a prompt; a variation without one is sent `VARIATION_PROMPT` and weighted
  towards the source (`VARIATION_WEIGHT`); an edit leaves the weight to Ideogram.
* ``inpaint``: ``POST /v1/ideogram-v3/inpaint`` with ``image``, ``mask`` (black = change,
  white = keep, the image's size: `easel.imaging.vendor_masks.IDEOGRAM_EDIT`) and a
  required ``prompt`` (`INPAINT_PROMPT` when the job has none;
  https://developer.ideogram.ai/v1/api-reference/edit-images/inpaint-v3).
* ``outpaint``: Reframe, ``POST /v1/ideogram-v3/reframe`` with ``image`` and a required
  Ideogram 3.0 ``resolution`` (https://developer.ideogram.ai/api-reference/api-reference/reframe-v3).
  Reframe takes no prompt and no placement: Easel sends the resolution nearest in shape to
  the extended canvas, and Ideogram keeps the source centred and fills around it
  (https://developer.ideogram.ai/api-reference/images/reframe/ideogram-3), so uneven
  sides only choose the shape and the result has Ideogram's resolution.
* ``remove_background``: ``POST /v1/remove-background`` with only ``image``; the
  foreground on a transparent background
  (https://developer.ideogram.ai/v1/api-reference/tools/remove-background).
"""

from __future__ import annotations

import math
from typing import Any

from easel.imaging import IDEOGRAM_EDIT, encode_vendor_mask, open_image
from easel.providers.base import GenerationRequest, ReferenceImage

VARIATION_PROMPT = "A variation of this image: the same subject and composition."
VARIATION_WEIGHT = 70
"""How strongly a variation resembles its source (Ideogram's ``image_weight``, 1-100)."""
INPAINT_PROMPT = "Fill the marked area so that it blends with the rest of the image."
REFRAME_RESOLUTIONS = (
    *("1024x1024", "1152x896", "896x1152", "1216x832", "832x1216", "1344x768"),
    *("768x1344", "1536x640", "640x1536", "1280x800", "800x1280"),
)
"""The Ideogram 3.0 resolutions Easel reframes to: a subset of the enum that the reference
does not spell out on the page; each is in Ideogram's examples or its integrations' lists."""


def _file(name: str, image: ReferenceImage | None) -> tuple[str, tuple[str, bytes, str]]:
    assert image is not None, f"the operation needs its {name}"  # checked when the job is made
    suffix = image.mime_type.rsplit("/", 1)[-1]
    return name, (f"{name}.{suffix}", image.data, image.mime_type)


def _text(fields: dict[str, str]) -> list[tuple[str, tuple[None, str]]]:
    return [(key, (None, value)) for key, value in fields.items()]


def _common(request: GenerationRequest, fields: dict[str, str]) -> dict[str, str]:
    """The speed (Easel's quality) and the seed, which every endpoint but background
    removal takes (a seed only reaches models that declare one)."""
    fields["rendering_speed"] = (request.quality or "default").upper()
    if request.seed is not None:
        fields["seed"] = str(request.seed % 2**31)  # Ideogram takes 0..2147483647
    return fields


def _remix_fields(request: GenerationRequest, *, v4: bool) -> dict[str, str]:
    prompt = request.prompt.strip()
    fields = {"text_prompt" if v4 else "prompt": prompt or VARIATION_PROMPT}
    if request.operation == "variations":
        fields["image_weight"] = str(VARIATION_WEIGHT)
    if v4:
        fields["resolution"] = request.size
    else:
        fields["aspect_ratio"] = (request.aspect_ratio or "1:1").replace(":", "x")
        fields["num_images"] = "1"
        if request.negative_prompt:
            fields["negative_prompt"] = request.negative_prompt
        if request.style:
            fields["style_type"] = request.style.upper()
    return fields


def ideogram_mask(mask: ReferenceImage) -> bytes:
    """The canonical mask in Ideogram's edit convention: black where to change."""
    return encode_vendor_mask(open_image(mask.data, field="mask").convert("L"), IDEOGRAM_EDIT)


def reframe_resolution(width: int, height: int) -> str:
    """The reframe resolution nearest in shape to ``width`` x ``height`` (the larger when
    two are as near)."""
    shape = math.log(width / height)

    def distance(resolution: str) -> tuple[float, int]:
        w, h = (int(side) for side in resolution.split("x"))
        return round(abs(math.log(w / h) - shape), 6), -w * h

    return min(REFRAME_RESOLUTIONS, key=distance)


def operation_endpoint(request: GenerationRequest, *, v4: bool) -> tuple[str, dict[str, Any]]:
    """The path and multipart body of an operation on an image (everything but generate)."""
    inputs = request.inputs
    image = _file("image", inputs.image)
    if request.operation in ("edit", "variations"):
        path = "/v1/ideogram-v4/remix" if v4 else "/v1/ideogram-v3/remix"
        fields = _common(request, _remix_fields(request, v4=v4))
        return path, {"files": [image, *_text(fields)]}
    if request.operation == "inpaint":
        assert inputs.mask is not None  # checked when the job is made
        mask = ("mask", ("mask.png", ideogram_mask(inputs.mask), "image/png"))
        fields = {"prompt": request.prompt.strip() or INPAINT_PROMPT}
        return "/v1/ideogram-v3/inpaint", {"files": [image, mask, *_text(_common(request, fields))]}
    if request.operation == "outpaint":
        fields = {"resolution": reframe_resolution(request.width, request.height)}
        return "/v1/ideogram-v3/reframe", {"files": [image, *_text(_common(request, fields))]}
    if request.operation == "remove_background":
        return "/v1/remove-background", {"files": [image]}
    raise ValueError(f"Ideogram has no endpoint for {request.operation}")
