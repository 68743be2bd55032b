"""What the Stability emulator's image tools check and draw.

Each tool takes the multipart form Stability documents for it
(https://platform.stability.ai/docs/api-reference#tag/Edit, ``#tag/Upscale``,
``#tag/Control``) and returns either a picture (PNG bytes) or the text of Stability's
400 (``{"name": "bad_request", "errors": [text]}``). The pictures are simple but of the
size and kind the real service returns, so a test can tell the tools apart.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from fastapi import Request
from PIL import Image, ImageStat, UnidentifiedImageError
from starlette.datastructures import UploadFile

MAGENTA = (255, 0, 255)
FORMATS = ("jpeg", "png", "webp")
MAX_PIXELS = 9_437_184  # the edit tools' input limit
MAX_EXTEND = 2000  # outpaint: per direction


@dataclass
class Form:
    """One request as received: endpoint, text fields and files (name → bytes)."""

    endpoint: str
    fields: dict[str, str] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)


async def read_form(endpoint: str, request: Request) -> Form:
    form, received = await request.form(), Form(endpoint)
    for key, value in form.multi_items():
        if isinstance(value, UploadFile):
            received.files[key] = await value.read()
        else:
            received.fields[key] = value
    return received


Made = bytes | str
"""A PNG, or the reason for a 400."""


def _png(image: Image.Image) -> bytes:
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    return buf.getvalue()


def _open(form: Form, name: str) -> Image.Image | str:
    data = form.files.get(name)
    if data is None:
        return f"{name}: is required"
    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except (UnidentifiedImageError, OSError):
        return f"{name}: could not be decoded; send a jpeg, png or webp"
    return image


def _source(form: Form, name: str = "image", *, min_side: int = 64) -> Image.Image | str:
    image = _open(form, name)
    if isinstance(image, str):
        return image
    if min(image.size) < min_side or image.width * image.height > MAX_PIXELS:
        return f"{name}: each side must be at least {min_side} px, at most {MAX_PIXELS} pixels"
    return image


def _format(form: Form, allowed: tuple[str, ...] = FORMATS) -> str | None:
    value = form.fields.get("output_format", "png")
    return None if value in allowed else f"output_format: must be one of {list(allowed)}"


def _mask_of(form: Form, image: Image.Image) -> Image.Image | str:
    """The ``mask`` file (greyscale, white = change, resized to the image), else the
    image's own alpha channel (transparent = change)."""
    if "mask" in form.files:
        mask = _open(form, "mask")
        if isinstance(mask, str):
            return mask
        return mask.convert("L").resize(image.size)
    if image.mode in ("RGBA", "LA"):
        return image.getchannel("A").point(lambda a: 255 - a)
    return "mask: is required when image has no alpha channel"


def _painted(form: Form, *, needs_prompt: bool) -> Made:
    image = _source(form)
    if isinstance(image, str):
        return image
    if needs_prompt and not form.fields.get("prompt"):
        return "prompt: is required"
    mask = _mask_of(form, image)
    if isinstance(mask, str):
        return mask
    problem = _format(form)
    if problem:
        return problem
    paint = Image.new("RGB", image.size, MAGENTA)
    return _png(Image.composite(paint, image.convert("RGB"), mask.point(lambda v: 255 * (v > 127))))


def inpaint(form: Form) -> Made:
    return _painted(form, needs_prompt=True)


def erase(form: Form) -> Made:
    return _painted(form, needs_prompt=False)


def outpaint(form: Form) -> Made:
    image = _source(form)
    if isinstance(image, str):
        return image
    sides: dict[str, int] = {}
    for key in ("left", "right", "up", "down"):
        text = form.fields.get(key, "0")
        if not text.isdigit() or int(text) > MAX_EXTEND:
            return f"{key}: must be an integer from 0 to {MAX_EXTEND}"
        sides[key] = int(text)
    if not any(sides.values()):
        return "left, right, up, down: at least one must be greater than 0"
    problem = _format(form)
    if problem:
        return problem
    size = (
        image.width + sides["left"] + sides["right"],
        image.height + sides["up"] + sides["down"],
    )
    mean = tuple(int(c) for c in ImageStat.Stat(image.convert("RGB")).mean)
    canvas = Image.new("RGB", size, mean)
    canvas.paste(image.convert("RGB"), (sides["left"], sides["up"]))
    return _png(canvas)


def remove_background(form: Form) -> Made:
    image = _source(form)
    if isinstance(image, str):
        return image
    problem = _format(form, ("png", "webp"))
    if problem:
        return problem
    rgb = np.asarray(image.convert("RGB")).astype(int)
    distance = np.abs(rgb - rgb[0, 0]).sum(axis=-1)  # the backdrop: like the corner
    alpha = np.where(distance < 40, 0, 255).astype(np.uint8)
    out = image.convert("RGBA")
    out.putalpha(Image.fromarray(alpha))
    return _png(out)


def upscale_fast(form: Form) -> Made:
    image = _open(form, "image")
    if isinstance(image, str):
        return image
    width, height = image.size
    sides_fit = min(width, height) >= 32 and max(width, height) <= 1536
    if not sides_fit or not 1024 <= width * height <= 1_048_576:
        return "image: sides must be 32 to 1536 px and 1,024 to 1,048,576 pixels in all"
    problem = _format(form)
    if problem:
        return problem
    return _png(image.convert("RGB").resize((width * 4, height * 4), Image.Resampling.LANCZOS))


def style_transfer(form: Form) -> Made:
    init = _source(form, "init_image")
    if isinstance(init, str):
        return init
    style = _source(form, "style_image")
    if isinstance(style, str):
        return style
    problem = _format(form)
    if problem:
        return problem
    colour = tuple(int(c) for c in ImageStat.Stat(style.convert("RGB")).mean)
    tint = Image.new("RGB", init.size, colour)
    return _png(Image.blend(init.convert("RGB"), tint, 0.5))


TOOLS: dict[str, Callable[[Form], Made]] = {
    "edit/inpaint": inpaint,
    "edit/erase": erase,
    "edit/outpaint": outpaint,
    "edit/remove-background": remove_background,
    "upscale/fast": upscale_fast,
    "control/style-transfer": style_transfer,
}
