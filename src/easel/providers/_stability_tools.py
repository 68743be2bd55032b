"""Stability AI's image tools as Easel operations: one catalog entry per endpoint, since
each endpoint is its own model with its own price. All are ``POST /v2beta/stable-image/…``
with a multipart body and, with ``Accept: image/*``, the image itself as the answer
(``finish-reason`` and ``seed`` in headers; ``application/json`` would give base64
``image``, ``finish_reason`` and ``seed``). Reference:
https://platform.stability.ai/docs/api-reference#tag/Edit, ``#tag/Upscale`` and
``#tag/Control``; endpoint paths and fields as Stability's own client sends them
(github.com/Stability-AI/ComfyUI-SAI_API, ``stability_api.py``).

* ``inpaint`` → ``edit/inpaint``: ``image``, ``mask`` (greyscale, white = repaint,
  `easel.imaging.vendor_masks.STABILITY_INPAINT`), ``prompt`` (required there). A job
  without a prompt goes to ``edit/erase`` instead (``image`` and ``mask``, no prompt):
  the masked area filled with what surrounds it.
* ``outpaint`` → ``edit/outpaint``: ``left``, ``right``, ``up``, ``down`` (0–2000 px
  each, at least one; the limit as copied from the reference by third parties).
* ``remove_background`` → ``edit/remove-background``: ``image``; a PNG with alpha.
* ``upscale`` → ``upscale/fast``: ``image`` only, always four times each side (inputs of
  32–1536 px a side, at most 1 Mpx: UNVERIFIED, third-party copies).
* ``style_transfer`` → ``control/style-transfer``: ``init_image`` (the picture) and
  ``style_image``, an optional ``prompt`` (fields UNVERIFIED: from a reseller's copy of
  the reference; Stability's own client above predates the endpoint).

Stability checks image sizes itself; its 400 names the field and the limit, and the
variant fails with that message.

Left out: ``upscale/conservative`` and ``upscale/creative`` make "up to 4 megapixels"
rather than a factor Easel can promise, and creative answers asynchronously (an id to
poll at ``/v2beta/results/{id}``); ``edit`` has no match: ``search-and-replace`` needs a
separate description of what to replace, and ``control/structure`` or
``control/sketch`` draw a new picture from the image's outlines rather than change the
image as the prompt says.

Prices are Stability's credits at $0.01 each (https://platform.stability.ai/pricing),
UNVERIFIED: read from a reseller's per-call list, which adds 15% to Stability's own.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from easel.errors import UserInputError
from easel.imaging import STABILITY_INPAINT, encode_vendor_mask, open_image
from easel.providers.base import (
    Capabilities,
    GenerationRequest,
    Lifecycle,
    ModelInfo,
    Operation,
    Pricing,
    ReferenceImage,
)

SEED_MAX = 4_294_967_294  # Stability's upper bound; 0 means "random"
REFERENCE = "https://platform.stability.ai/docs/api-reference"
PRICES = (
    "UNVERIFIED: {credits} credits x $0.01 (https://platform.stability.ai/pricing), read "
    "from beta.paywithlocus.com/mpp/stability-ai.md, whose per-call prices are Stability's "
    "plus 15% (its Ultra, 8 credits, is $0.092)"
)
Part = tuple[str, Any]


def _tool(
    name_in_easel: str,
    endpoint: str,
    name: str,
    credits: int,
    description: str,
    operation: Operation,
    **caps: Any,
) -> ModelInfo:
    return ModelInfo(
        id=f"stability/{name_in_easel}",
        name=name,
        provider="stability",
        remote_name=endpoint,
        description=description,
        capabilities=Capabilities(
            operations=(operation,),
            keeps_source_size=True,
            max_prompt_length=10000,
            **caps,
        ),
        pricing=Pricing(
            per_image=Decimal(credits) / 100,
            source=PRICES.format(credits=credits),
            as_of=date(2026, 11, 28),
        ),
        lifecycle=Lifecycle(source=REFERENCE),
    )


INPAINT = _tool(
    "inpaint",
    "edit/inpaint",
    "Stable Image Inpaint",
    5,
    "Repaints the masked area of an image as the prompt says; without a prompt, erases "
    "it (Stability's Erase).",
    "inpaint",
    seed=True,
    negative_prompt=True,
)
OUTPAINT = _tool(
    "outpaint",
    "edit/outpaint",
    "Stable Image Outpaint",
    4,
    "Extends an image up to 2000 px on each side, the new area drawn to match.",
    "outpaint",
    seed=True,
)
REMOVE_BACKGROUND = _tool(
    "remove-background",
    "edit/remove-background",
    "Stable Image Remove Background",
    5,
    "Cuts the subject out onto a transparent background (PNG with alpha).",
    "remove_background",
)
UPSCALE_FAST = _tool(
    "upscale-fast",
    "upscale/fast",
    "Stable Image Fast Upscaler",
    2,
    "Four times each side, quickly and cheaply; for images of 32 to 1536 px a side.",
    "upscale",
    upscale_factors=(4,),
)
STYLE_TRANSFER = _tool(
    "style-transfer",
    "control/style-transfer",
    "Stable Image Style Transfer",
    8,
    "Redraws an image in the style of another one, optionally steered by a prompt.",
    "style_transfer",
    seed=True,
    negative_prompt=True,
)
TOOLS = (INPAINT, OUTPAINT, REMOVE_BACKGROUND, UPSCALE_FAST, STYLE_TRANSFER)


def _file(name: str, image: ReferenceImage) -> Part:
    suffix = image.mime_type.split("/")[-1]
    return (name, (f"{name}.{suffix}", image.data, image.mime_type))


def _given(image: ReferenceImage | None, field: str) -> ReferenceImage:
    if image is None:  # the engine checks the operation's inputs before it runs
        raise UserInputError(f"The operation needs {field}.", field=field)
    return image


def tool_parts(request: GenerationRequest) -> tuple[str, list[Part]]:
    """The endpoint (under ``/v2beta/stable-image/``) and multipart parts of an operation."""
    endpoint, inputs = request.model.remote_name, request.inputs
    fields: dict[str, str] = {"output_format": "png"}
    files: list[Part] = []
    if request.operation == "style_transfer":
        files += [
            _file("init_image", _given(inputs.image, "image")),
            _file("style_image", _given(inputs.style_image, "style_image")),
        ]
    else:
        files.append(_file("image", _given(inputs.image, "image")))
    if request.operation == "inpaint":
        mask = open_image(_given(inputs.mask, "mask").data, field="mask").convert("L")
        vendor_mask = encode_vendor_mask(mask, STABILITY_INPAINT)
        files.append(("mask", ("mask.png", vendor_mask, "image/png")))
        if not request.prompt:
            endpoint = "edit/erase"
    if request.operation == "outpaint" and inputs.extension is not None:
        ext = inputs.extension  # Stability's "up" and "down" are Easel's top and bottom
        sides = {"left": ext.left, "right": ext.right, "up": ext.top, "down": ext.bottom}
        fields |= {key: str(value) for key, value in sides.items() if value}
    if request.prompt and request.operation != "upscale":  # the fast upscaler takes none
        fields["prompt"] = request.prompt
    if request.negative_prompt and endpoint != "edit/erase":  # erase takes no text
        fields["negative_prompt"] = request.negative_prompt
    if request.seed is not None:
        fields["seed"] = str(min(request.seed, SEED_MAX))
    return endpoint, [*files, *((key, (None, value)) for key, value in fields.items())]
