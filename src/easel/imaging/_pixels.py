"""Conversions between Pillow images and float arrays, and a fast box mean."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt
from PIL import Image, ImageFilter

Floats = npt.NDArray[np.float32]
Bytes = npt.NDArray[np.uint8]
AnyFloats = npt.NDArray[np.floating[Any]]


def has_alpha(image: Image.Image) -> bool:
    """Whether the image carries transparency (an alpha band or a transparent index)."""
    return image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or (
        image.mode in ("P", "L", "RGB") and "transparency" in image.info
    )


def plain(image: Image.Image) -> Image.Image:
    """The image as RGBA when it has transparency, else RGB (every other mode converted)."""
    if image.mode.startswith("I"):  # 16-bit grey: a plain convert would clip to white
        image = image.convert("I").point(lambda v: v / 256).convert("L")
    wanted = "RGBA" if has_alpha(image) else "RGB"
    return image if image.mode == wanted else image.convert(wanted)


def rgb_floats(image: Image.Image) -> Floats:
    """RGB in 0..1 as float32, shape (h, w, 3); alpha, if any, is dropped."""
    rgb = image if image.mode == "RGB" else plain(image).convert("RGB")
    out: Floats = np.asarray(rgb, dtype=np.float32) / np.float32(255)
    return out


def to_bytes(values: AnyFloats) -> Bytes:
    """0..1 floats to rounded uint8."""
    scaled = np.multiply(values, np.float32(255), dtype=np.float32)  # one temporary, reused
    scaled += np.float32(0.5)
    np.clip(scaled, 0, 255, out=scaled)
    out: Bytes = scaled.astype(np.uint8)
    return out


def mask_floats(mask: Image.Image) -> Floats:
    """An "L" mask as 0..1 float32."""
    out: Floats = np.asarray(mask, dtype=np.float32) / np.float32(255)
    return out


def box_mean(values: AnyFloats, radius: int) -> Floats:
    """Mean over a (2r+1)² square around each pixel, clipped at the borders; O(pixels)
    whatever the radius, from cumulative sums along each axis."""
    out = _box_axis(np.asarray(values, dtype=np.float32), radius, 0)
    return _box_axis(out, radius, 1)


def _box_axis(values: Floats, radius: int, axis: int) -> Floats:
    n = values.shape[axis]
    pad_shape = list(values.shape)
    pad_shape[axis] = 1
    cum = np.concatenate(
        [np.zeros(pad_shape, dtype=np.float64), np.cumsum(values, axis=axis, dtype=np.float64)],
        axis=axis,
    )
    idx = np.arange(n)
    hi = np.minimum(idx + radius + 1, n)
    lo = np.maximum(idx - radius, 0)
    total = np.take(cum, hi, axis=axis) - np.take(cum, lo, axis=axis)
    count_shape = [1] * values.ndim
    count_shape[axis] = n
    counts = (hi - lo).reshape(count_shape)
    out: Floats = (total / counts).astype(np.float32)
    return out


def map_colours(rgb: Floats, colour_map: Callable[[Floats], AnyFloats], size: int = 33) -> Floats:
    """Every pixel's colour passed through ``colour_map`` ((n, 3) -> (n, 3), 0..1).

    The map is evaluated on a ``size``³ grid only and applied by Pillow's 3-D lookup
    table with trilinear interpolation: exact for maps that are linear between grid
    points, and a few milliseconds per megapixel whatever the map costs.
    """
    levels = np.linspace(0.0, 1.0, size, dtype=np.float32)
    b, g, r = np.meshgrid(levels, levels, levels, indexing="ij")  # red varies fastest
    grid = np.stack([r, g, b], axis=-1).reshape(-1, 3)
    table = np.clip(colour_map(grid), 0.0, 1.0).astype(np.float32)
    lut = ImageFilter.Color3DLUT(size, table.ravel(), channels=3)
    mapped = Image.fromarray(to_bytes(rgb), "RGB").filter(lut)
    return rgb_floats(mapped)
