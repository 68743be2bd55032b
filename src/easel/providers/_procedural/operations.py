"""What the offline engine does for each image operation, with the painter's own means.

Every function is pure and deterministic in its inputs and ``seed``:

* `inpaint` fills the masked area with colour carried in from around it and texture as
  rough as its surroundings, in the image's own palette; every pixel farther than the
  soft edge outside the mask is returned byte for byte.
* `outpaint` extends the canvas, continuing each row's colours sideways (so a horizon
  carries on) and each column's up and down, with the same texture; the original's
  pixels stay at their place, unchanged.
* `vary_image` redraws a picture through a gentle warp and a hue turn; `repaint` is
  the variation of a picture the painter made itself: the same plan, a new seed.
* `edit` applies the prompt's treatments, moods and colours to a picture (a watercolor
  when the prompt names none); `transfer_style` brings a style image's colours onto a
  content image, then any treatment the prompt names.
* `upscale` and `remove_background` are the classical ones of `easel.imaging`.

Inputs are Pillow images; masks are canonical (`easel.imaging.normalize_mask`).
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

from easel.errors import UserInputError
from easel.imaging import (
    Extension,
    composite_outside,
    default_feather,
    extend_canvas,
    extract_palette,
    feather_mask,
    mask_bbox,
    match_colours,
    remove_background,
    sample_pixels,
    upscale,
)
from easel.imaging._pixels import plain, rgb_floats
from easel.providers._procedural.fill import (
    continued_columns,
    continued_rows,
    pull_to_palette,
    push_pull,
    roughness,
    row_bridge,
    textured,
)
from easel.providers._procedural.plan import plan_scene
from easel.providers._procedural.retouch import (
    Work,
    finish,
    operation_rng,
    recolour,
    redraw,
    scene_for,
)
from easel.providers._procedural.stages import render

__all__ = [
    "MAX_CANVAS_PIXELS",
    "MAX_INPUT_PIXELS",
    "check_input",
    "edit",
    "inpaint",
    "outpaint",
    "remove_background",
    "repaint",
    "transfer_style",
    "upscale",
    "vary_image",
]

MAX_INPUT_PIXELS = 4096 * 4096
"""The largest picture the offline engine takes in (16.8 Mpx)."""
MAX_CANVAS_PIXELS = 3072 * 3072
"""The largest canvas offline outpainting makes (9.4 Mpx), to bound its memory."""


def check_input(image: Image.Image, *, field: str = "image") -> None:
    """Refuse an empty picture or one above `MAX_INPUT_PIXELS`."""
    w, h = image.size
    if w <= 0 or h <= 0:
        raise UserInputError("The image has no pixels.", field=field)
    if w * h > MAX_INPUT_PIXELS:
        raise UserInputError(
            f"The offline engine works on images up to {MAX_INPUT_PIXELS / 1e6:.1f} Mpx; "
            f"this one is {w}x{h} ({w * h / 1e6:.1f} Mpx).",
            field=field,
            hint="Scale the image down first, or choose a hosted model.",
        )


def inpaint(
    image: Image.Image, mask: Image.Image, *, seed: int, feather: int | None = None
) -> Image.Image:
    """The masked area repainted (see the module); ``feather`` is the soft edge's radius."""
    check_input(image)
    if mask.size != image.size:
        raise ValueError(f"mask is {mask.size}, image is {image.size}: normalise it first")
    box = mask_bbox(mask)
    if box is None:
        raise UserInputError("The mask marks no pixel to change.", field="mask")
    radius = default_feather(image.size) if feather is None else feather
    # Work on the mask's neighbourhood only: the cost follows the mask, not the picture.
    area = box.grown(radius + max(16, max(box.width, box.height) // 4), image.size)
    source = plain(image)
    crop, crop_mask = source.crop(area.as_tuple()), mask.crop(area.as_tuple())
    rgb = rgb_floats(crop)
    known = np.asarray(feather_mask(crop_mask, radius)) == 0
    palette = extract_palette(source, 8, exclude=mask)
    if known.any():  # mostly across (horizons carry on), partly from all around
        base = row_bridge(rgb, known) * np.float32(0.6) + push_pull(rgb, known) * np.float32(0.4)
    else:  # the whole picture is masked: start from its commonest colour
        base = np.full(rgb.shape, np.asarray(palette[0].rgb) / 255, dtype=np.float32)
    rng = operation_rng("inpaint", seed, "texture")
    fill = textured(base, rng, amount=roughness(rgb, known), palette=palette)
    patch = composite_outside(crop, fill, crop_mask, feather=radius)
    out = source.copy()
    out.paste(patch, (area.left, area.top))
    return out


def outpaint(
    image: Image.Image,
    extension: Extension,
    *,
    seed: int,
    max_pixels: int = MAX_CANVAS_PIXELS,
) -> Image.Image:
    """The picture on a larger canvas with the new area painted (see the module)."""
    check_input(image)
    canvas = extend_canvas(image, extension, fill="edge", max_pixels=max_pixels)
    source = plain(image)
    rgb = rgb_floats(source)
    wide = continued_rows(rgb, extension.left, extension.right)
    base = continued_columns(wide, extension.top, extension.bottom)
    rng = operation_rng("outpaint", seed, "texture")
    palette = extract_palette(source, 8)
    amount = roughness(rgb, np.ones(rgb.shape[:2], dtype=bool))
    fill = textured(base, rng, amount=amount, palette=palette)
    # The seam: 0 on the original and beside it, rising to 1 over a soft edge's width,
    # so the new area starts from the original's edge pixels and turns into the fill.
    blend = max(default_feather(image.size), min(32, min(image.size) // 16))
    ramp = _distance_ramp(canvas.mask.size, canvas.box.as_tuple(), blend)
    return composite_outside(canvas.image, fill, ramp, feather=0)


def _distance_ramp(
    size: tuple[int, int], box: tuple[int, int, int, int], radius: int
) -> Image.Image:
    """ "L": 0 inside ``box``, then rising with the distance from it to 255 at 2·radius."""
    width, height = size
    left, top, right, bottom = box
    xs = np.arange(width, dtype=np.float32)
    ys = np.arange(height, dtype=np.float32)
    dx = np.maximum(np.maximum(left - xs, xs - (right - 1)), 0)[None, :]
    dy = np.maximum(np.maximum(top - ys, ys - (bottom - 1)), 0)[:, None]
    t = np.clip(np.sqrt(dx * dx + dy * dy) / np.float32(2 * max(1, radius)), 0.0, 1.0)
    ramp = t * t * (3 - 2 * t)
    return Image.fromarray(np.ceil(ramp * 255).astype(np.uint8), "L")


def vary_image(image: Image.Image, *, seed: int) -> Image.Image:
    """A variation of any picture: redrawn through a warp and a hue turn by ``seed``."""
    check_input(image)
    work = Work.of(image)
    redraw(work, operation_rng("variations", seed, "redraw"))
    return work.image()


def repaint(
    prompt: str,
    *,
    seed: int,
    width: int,
    height: int,
    style: str | None = None,
    negative: str | None = None,
) -> Image.Image:
    """A variation of a picture the painter made: its plan (prompt, size, style,
    negative prompt) painted again with another seed."""
    scene = plan_scene(
        prompt, seed=seed, width=width, height=height, style=style, negative=negative
    )
    with Image.open(io.BytesIO(render(scene))) as png:
        return png.convert("RGB")


def edit(
    image: Image.Image,
    prompt: str,
    *,
    seed: int,
    style: str | None = None,
    negative: str | None = None,
) -> Image.Image:
    """The prompt's treatment (watercolor, mosaic), moods (vivid, muted, pastel, warm,
    cold, dark, dramatic, misty, glow), named colours and negative colours applied to
    the picture; a prompt that names none of them gets a watercolor."""
    check_input(image)
    work = Work.of(image)
    palette = extract_palette(work.image(), 8)
    scene = scene_for(work, prompt, seed=seed, style=style, negative=negative, palette=palette)
    changed = recolour(work, scene, palette)
    asked = changed or scene.treatment != "none" or bool(scene.suppressed)
    asked = asked or bool({"misty", "glow"} & scene.modifiers)
    finish(work, scene, default_treatment=not asked)
    return work.image()


def transfer_style(
    content: Image.Image,
    style_image: Image.Image,
    *,
    seed: int,
    prompt: str = "",
    strength: float = 0.85,
) -> Image.Image:
    """``content`` in ``style_image``'s colours (statistics moved by ``strength``, then
    a pull toward its palette), with any treatment or mood ``prompt`` names."""
    check_input(content)
    check_input(style_image, field="style_image")
    work = Work.of(content)
    style_pixels = sample_pixels(style_image).astype(np.float32) / np.float32(255)
    style_palette = extract_palette(style_image, 6)
    work.rgb = match_colours(work.rgb, style_pixels, strength=strength)
    pulled = pull_to_palette(work.image().convert("RGB"), style_palette, strength=0.25 * strength)
    work.rgb = rgb_floats(pulled)
    scene = scene_for(work, prompt, seed=seed, palette=style_palette)
    recolour(work, scene, style_palette)
    finish(work, scene, default_treatment=False)
    return work.image()
