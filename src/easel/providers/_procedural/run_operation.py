"""The offline engine's answer to a request for an operation on images.

One function per request: the inputs decoded, the operation of `operations` that does
it, the result as a plain PNG. A variation of a picture this painter made (its Easel
record names the offline model) is the same plan painted again with a new seed; any
other picture is redrawn through `operations.vary_image`.
"""

from __future__ import annotations

from typing import Any

from PIL import Image

from easel.imaging import encode_png, open_image
from easel.providers._procedural import operations as ops
from easel.providers.base import GenerationRequest, ReferenceImage
from easel.storage.records import read_png_record

PAINTER_MODEL = "offline/procedural"


def _open(ref: ReferenceImage | None, field: str) -> Image.Image:
    if ref is None:
        raise ValueError(f"the request carries no {field}: the engine checks this first")
    return open_image(ref.data, field=field)


def _own_plan(data: bytes) -> dict[str, Any] | None:
    """The record of a picture the offline painter made, or None."""
    _, record = read_png_record(data)
    return record if record and record.get("model_id") == PAINTER_MODEL else None


def _variation(request: GenerationRequest, seed: int) -> Image.Image:
    source = request.inputs.image
    plan = _own_plan(source.data) if source else None
    if plan is not None:
        params = plan.get("params") or {}
        image = _open(source, "image")
        return ops.repaint(
            str(plan.get("prompt") or ""),
            seed=seed,
            width=image.width,
            height=image.height,
            style=params.get("style") if isinstance(params, dict) else None,
            negative=plan.get("negative_prompt"),
        )
    return ops.vary_image(_open(source, "image"), seed=seed)


def run_operation(request: GenerationRequest, seed: int) -> bytes:
    """The PNG the operation makes; pure CPU work, run in a worker thread."""
    inputs, operation = request.inputs, request.operation
    image = _open(inputs.image, "image")
    if operation == "inpaint":
        mask = _open(inputs.mask, "mask").convert("L")
        out = ops.inpaint(image, mask, seed=seed)
    elif operation == "outpaint":
        if inputs.extension is None:
            raise ValueError("outpaint without an extension: the engine checks this first")
        out = ops.outpaint(image, inputs.extension, seed=seed)
    elif operation == "upscale":
        ops.check_input(image)
        out = ops.upscale(image, inputs.factor or 2)
    elif operation == "remove_background":
        ops.check_input(image)
        out = ops.remove_background(image)
    elif operation == "style_transfer":
        style = _open(inputs.style_image, "style_image")
        out = ops.transfer_style(image, style, seed=seed, prompt=request.prompt)
    elif operation == "variations":
        out = _variation(request, seed)
    else:  # edit
        out = ops.edit(
            image,
            request.prompt,
            seed=seed,
            style=request.style,
            negative=request.negative_prompt,
        )
    return encode_png(out)
