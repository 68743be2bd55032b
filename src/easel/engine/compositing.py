"""Putting the original back outside an inpainting mask, once, for every provider.

A model that reads the mask only as a hint (`Capabilities.mask_is_hint`) may repaint
pixels it was told to keep; when the job's inputs say ``composite``, the worker passes
the result through here before it is stored: the original outside the mask, the result
inside, a soft edge between (`easel.imaging.composite`). The result is resized to the
original's size first, as hosted models may answer in one of their own sizes.
"""

from __future__ import annotations

import asyncio

from easel.errors import InvalidOutput, UserInputError
from easel.imaging import composite_outside, encode_png, open_image
from easel.providers.base import OperationInputs
from easel.storage.staging import StagedFile, Staging


def wants_composite(operation: str, inputs: OperationInputs) -> bool:
    return (
        operation == "inpaint"
        and inputs.composite
        and inputs.image is not None
        and inputs.mask is not None
    )


def _composite(result: bytes, inputs: OperationInputs) -> bytes:
    assert inputs.image is not None and inputs.mask is not None
    original = open_image(inputs.image.data)
    mask = open_image(inputs.mask.data, field="mask").convert("L")
    try:
        painted = open_image(result, field="result")
    except UserInputError as exc:
        raise InvalidOutput(exc.message) from None
    return encode_png(composite_outside(original, painted, mask))


async def composite_back(
    staged: StagedFile, inputs: OperationInputs, staging: Staging
) -> StagedFile:
    """The staged result with the original put back outside the mask (consumes ``staged``)."""
    try:
        data = await asyncio.to_thread(staged.read_bytes)
        out = await asyncio.to_thread(_composite, data, inputs)
    finally:
        await asyncio.to_thread(staged.discard)
    return await staging.write(out, "image/png")
