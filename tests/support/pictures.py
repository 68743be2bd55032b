"""Pictures for pixel tests: painted by the offline painter or drawn with known shapes."""

from __future__ import annotations

import io

import numpy as np
import numpy.typing as npt
from PIL import Image, ImageDraw, ImageFilter

from easel.providers import _procedural as painter

U8 = npt.NDArray[np.uint8]


def painted(
    prompt: str = "mountains at sunset over a lake",
    *,
    size: tuple[int, int] = (256, 192),
    seed: int = 3,
) -> Image.Image:
    """A landscape from the offline painter: real texture, a horizon, many colours."""
    scene = painter.plan_scene(prompt, seed=seed, width=size[0], height=size[1])
    with Image.open(io.BytesIO(painter.render(scene))) as png:
        return png.convert("RGB")


def subject_on_backdrop(
    size: int = 256, *, graded: bool = False, touching_edge: bool = False
) -> Image.Image:
    """A red disc (with a backdrop-coloured spot inside it) on a pale backdrop, plain or
    with a gentle gradient, with anti-aliased edges; optionally with a green stem
    running off the bottom edge."""
    ys, xs = np.mgrid[0:size, 0:size] / size
    if graded:
        backdrop = np.stack([0.86 - 0.2 * ys, 0.88 - 0.15 * ys + 0.05 * xs, 0.95 - 0.1 * xs], -1)
    else:
        backdrop = np.broadcast_to(np.array([0.9, 0.91, 0.94]), (size, size, 3))
    out = backdrop * 255
    shapes = [((0.3, 0.25, 0.7, 0.65), (200, 60, 40), "ellipse")]
    shapes.append(((0.45, 0.4, 0.52, 0.47), (229, 232, 240), "ellipse"))
    if touching_edge:
        shapes.append(((0.46, 0.6, 0.54, 1.0), (60, 90, 30), "rectangle"))
    for box, colour, kind in shapes:
        cover = _coverage(size, box, kind)[..., None]
        out = out * (1 - cover) + np.asarray(colour, dtype=float) * cover
    return Image.fromarray(np.clip(out + 0.5, 0, 255).astype(np.uint8))


def _coverage(size: int, box: tuple[float, float, float, float], kind: str) -> np.ndarray:
    """How much of each pixel the shape covers, 0..1, from a 4x supersampled drawing."""
    big = Image.new("L", (size * 4, size * 4), 0)
    xy = [v * size * 4 for v in box]
    draw = ImageDraw.Draw(big)
    (draw.ellipse if kind == "ellipse" else draw.rectangle)(xy, fill=255)
    return np.asarray(big.reduce(4), dtype=float) / 255


def disc_mask(size: tuple[int, int], box: tuple[float, float, float, float]) -> Image.Image:
    """Canonical mask: 255 inside the ellipse ``box`` (fractions of the size), 0 outside."""
    w, h = size
    mask = Image.new("L", size, 0)
    ImageDraw.Draw(mask).ellipse((box[0] * w, box[1] * h, box[2] * w, box[3] * h), fill=255)
    return mask


def pixels(image: Image.Image) -> U8:
    return np.asarray(image)


def beyond(mask: Image.Image, radius: int) -> npt.NDArray[np.bool_]:
    """Pixels farther than ``radius`` (square neighbourhood) from every marked pixel."""
    if radius == 0:
        return np.asarray(mask) == 0
    grown = mask.point(lambda v: 255 if v else 0).filter(ImageFilter.MaxFilter(2 * radius + 1))
    return np.asarray(grown) == 0
