"""How the offline painter fills an area it was not given: smooth colour carried in from
the surroundings, then texture as rough as the surroundings, in the image's own palette.

No content is invented: the fill continues colours and grain; it does not draw objects.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from PIL import Image

from easel.imaging._pixels import AnyFloats, Floats, box_mean, to_bytes
from easel.imaging.palette import Swatch
from easel.providers._procedural.primitives import _noise

Bools = npt.NDArray[np.bool_]


def push_pull(rgb: Floats, known: Bools) -> Floats:
    """Colours carried into the unknown pixels from the known ones around them.

    The known pixels are averaged down a pyramid until every cell has some, then the
    pyramid is climbed back, each level filling its holes from the smoother level below
    (push-pull, Gortler et al. 1996): holes get a smooth blend of their surroundings.
    """
    levels: list[tuple[Floats, Floats]] = [(rgb, known.astype(np.float32))]
    while min(levels[-1][1].shape) > 1 and (levels[-1][1] <= 0).any():
        levels.append(_halve(*levels[-1]))
    filled, weight = levels[-1]
    if (weight <= 0).all():  # nothing known at all: a neutral grey
        filled = np.full_like(filled, 0.5)
    for colour, weight in reversed(levels[:-1]):
        h, w = weight.shape
        up = np.stack([_resized(filled[..., k], w, h) for k in range(3)], axis=2)
        trust = weight[..., None]
        filled = (colour * trust + up * (1 - trust)).astype(np.float32)
    result: Floats = np.where(known[..., None], rgb, filled).astype(np.float32)
    return result


def row_bridge(rgb: Floats, known: Bools) -> Floats:
    """Each unknown run of a row filled by blending, across it, the known colours at its
    two ends (lightly blurred), so horizontal structure such as a horizon carries
    across; one-ended runs repeat their end, and rows with nothing known come from
    `push_pull`."""
    h, w = known.shape
    soft = np.stack([box_mean(rgb[..., k], 1) for k in range(3)], axis=2)
    cols = np.arange(w)[None, :]
    last = np.maximum.accumulate(np.where(known, cols, -1), axis=1)
    upcoming = np.where(known, cols, w)[:, ::-1]
    nxt = np.minimum.accumulate(upcoming, axis=1)[:, ::-1]
    rows = np.arange(h)[:, None]
    has_left, has_right = last >= 0, nxt < w
    left = soft[rows, np.clip(last, 0, w - 1)]
    right = soft[rows, np.clip(nxt, 0, w - 1)]
    span = np.maximum(nxt - last, 1).astype(np.float32)
    t = np.clip((cols - last) / span, 0.0, 1.0)[..., None]
    both = left * (1 - t) + right * t
    out = np.where(has_left[..., None], np.where(has_right[..., None], both, left), right)
    neither = ~(has_left | has_right)
    if neither.any():
        out = np.where(neither[..., None], push_pull(rgb, known), out)
    result: Floats = np.where(known[..., None], rgb, out).astype(np.float32)
    return result


def _halve(colour: Floats, weight: Floats) -> tuple[Floats, Floats]:
    """The next pyramid level: weighted mean colours, and weights summed then capped at
    1 (a cell with one fully known pixel under it is fully trusted)."""
    h, w = weight.shape
    hh, hw = (h + 1) // 2, (w + 1) // 2
    cs = np.zeros((hh * 2, hw * 2, 3), dtype=np.float32)
    ws = np.zeros((hh * 2, hw * 2), dtype=np.float32)
    cs[:h, :w], ws[:h, :w] = colour * weight[..., None], weight
    total = ws.reshape(hh, 2, hw, 2).sum(axis=(1, 3))
    mean = cs.reshape(hh, 2, hw, 2, 3).sum(axis=(1, 3)) / np.maximum(total, 1e-6)[..., None]
    return mean.astype(np.float32), np.minimum(total, 1.0).astype(np.float32)


def _resized(values: AnyFloats, w: int, h: int) -> Floats:
    img = Image.fromarray(np.ascontiguousarray(values, dtype=np.float32), "F")
    return np.asarray(img.resize((w, h), Image.Resampling.BILINEAR), dtype=np.float32)


def roughness(rgb: Floats, where: Bools) -> float:
    """How much fine detail the pixels ``where`` have: the spread of their difference
    from a blurred copy (0 for a flat colour, about 0.1 for busy texture)."""
    if not where.any():
        return 0.0
    grey = rgb.mean(axis=2)
    detail = grey - box_mean(grey, 2)
    return float(np.clip(detail[where].std(), 0.0, 0.15))


def textured(
    base: Floats, rng: np.random.Generator, *, amount: float, palette: list[Swatch]
) -> Image.Image:
    """``base`` with painterly texture: blotches drawn toward the nearest palette colour
    and fine grain, both scaled by ``amount`` (the surroundings' roughness)."""
    h, w = base.shape[:2]
    unit = min(h, w)
    blotch = _noise(rng, h, w, cells=max(2.0, max(h, w) / max(24.0, unit / 6)), octaves=3)
    grain = _noise(rng, h, w, cells=max(4.0, max(h, w) / 3), octaves=2, max_side=1024)
    texture = blotch * np.float32(0.4 * amount + 0.006)  # _noise's arrays may be read-only
    texture += grain * np.float32(0.25 * amount + 0.003)
    out = base + texture[..., None]
    return pull_to_palette(Image.fromarray(to_bytes(out), "RGB"), palette, strength=0.15)


def pull_to_palette(picture: Image.Image, palette: list[Swatch], *, strength: float) -> Image.Image:
    """Each pixel of an RGB picture moved ``strength`` of the way to its nearest palette
    colour (found by Pillow's palette mapping, which is exact but for near ties)."""
    if not palette:
        return picture
    colours = np.asarray([s.rgb for s in palette], dtype=np.uint8)
    # Unused palette entries repeat the first colour, so they can never be nearer.
    table = np.concatenate([colours, np.repeat(colours[:1], 256 - len(colours), axis=0)])
    mapper = Image.new("P", (1, 1))
    mapper.putpalette(table.ravel().tolist())
    nearest = picture.quantize(palette=mapper, dither=Image.Dither.NONE).convert("RGB")
    return Image.blend(picture, nearest, strength)


def continued_rows(rgb: Floats, left: int, right: int) -> Floats:
    """``rgb`` widened by ``left``/``right`` columns that continue each row's colour: the
    mean of the strip nearest that side, blurred up and down more the farther out, so a
    horizon carries on straight and detail fades into washes."""
    h, w = rgb.shape[:2]
    strip = max(1, min(w, round(w / 16)))
    parts = []
    if left:
        profile = rgb[:, :strip].mean(axis=1)
        parts.append(_spread(profile, left, h)[:, ::-1])
    parts.append(rgb)
    if right:
        profile = rgb[:, w - strip :].mean(axis=1)
        parts.append(_spread(profile, right, h))
    return np.concatenate(parts, axis=1).astype(np.float32)


def continued_columns(rgb: Floats, top: int, bottom: int) -> Floats:
    """The same as `continued_rows`, upward and downward."""
    turned = np.ascontiguousarray(rgb.transpose(1, 0, 2))
    return np.ascontiguousarray(continued_rows(turned, top, bottom).transpose(1, 0, 2))


def _spread(profile: Floats, length: int, size: int) -> Floats:
    """(size, length, 3): the 1-D ``profile`` repeated outward, blurred along itself by
    a radius that grows with the distance from the edge."""
    radii = [0, 1, 2, 4, 8, 16, 32, 64, 128]
    blurred = [profile] + [box_mean(profile[:, None, :], r)[:, 0] for r in radii[1:]]
    distance = np.arange(1, length + 1, dtype=np.float32)
    wanted = np.clip(2 + distance * np.float32(0.2), 0, radii[-1])
    # Interpolate between the two blur levels around each column's wanted radius.
    levels = np.asarray(radii, dtype=np.float32)
    upper = np.clip(np.searchsorted(levels, wanted), 1, len(radii) - 1)
    lower = upper - 1
    t = ((wanted - levels[lower]) / (levels[upper] - levels[lower]))[None, :, None]
    stack = np.stack(blurred, axis=0)  # (levels, size, 3)
    lo = stack[lower].transpose(1, 0, 2)
    hi = stack[upper].transpose(1, 0, 2)
    out: Floats = (lo + (hi - lo) * t).astype(np.float32)
    return out
