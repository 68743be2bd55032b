"""Pixel helpers shared by every layout: colours, noise, resizing, blending, blurs."""

from __future__ import annotations

import colorsys
from typing import Any

import numpy as np
import numpy.typing as npt
from PIL import Image, ImageFilter

Arr = npt.NDArray[np.float32]
Num = npt.NDArray[np.floating[Any]]
"""Any float array: inputs may be float64 after mixing with Python floats."""
RGB = tuple[float, float, float]


def _hex(value: str) -> RGB:
    v = value.lstrip("#")
    return (int(v[0:2], 16) / 255, int(v[2:4], 16) / 255, int(v[4:6], 16) / 255)


def _mix(a: RGB, b: RGB, t: float) -> RGB:
    return (a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t)


def _scale(a: RGB, k: float) -> RGB:
    return (min(1.0, a[0] * k), min(1.0, a[1] * k), min(1.0, a[2] * k))


def _hsv_adjust(c: RGB, *, sat: float = 1.0, val: float = 1.0, hue: float = 0.0) -> RGB:
    h, s, v = colorsys.rgb_to_hsv(*c)
    return colorsys.hsv_to_rgb((h + hue) % 1.0, min(1.0, s * sat), min(1.0, v * val))


def _hue_distance(a: float, b: float) -> float:
    d = abs(a - b) % 1.0
    return min(d, 1.0 - d)


def _v(c: RGB) -> Arr:
    return np.asarray(c, dtype=np.float32)


_BILINEAR = Image.Resampling.BILINEAR
_BICUBIC = Image.Resampling.BICUBIC


def _resize(a: Num, w: int, h: int, resample: Image.Resampling = _BILINEAR) -> Arr:
    a32 = np.ascontiguousarray(a, dtype=np.float32)
    if a32.shape == (h, w):
        return a32
    return np.asarray(Image.fromarray(a32).resize((w, h), resample), dtype=np.float32)


def _resize_rgb(a: Num, w: int, h: int) -> Arr:
    return np.stack([_resize(a[..., i], w, h) for i in range(3)], axis=-1)


def _low_shape(h: int, w: int, max_side: int) -> tuple[int, int]:
    s = min(1.0, max_side / max(h, w))
    return max(2, round(h * s)), max(2, round(w * s))


def _grid(h: int, w: int, lh: int, lw: int) -> tuple[Arr, Arr]:
    """Full-resolution coordinates of a low-resolution grid's pixel centres."""
    ys = (np.arange(lh, dtype=np.float32) + 0.5) * np.float32(h / lh) - 0.5
    xs = (np.arange(lw, dtype=np.float32) + 0.5) * np.float32(w / lw) - 0.5
    return ys[:, None], xs[None, :]


def _noise(
    rng: np.random.Generator,
    h: int,
    w: int,
    cells: float,
    octaves: int = 4,
    stretch: float = 1.0,
    max_side: int = 384,
    persistence: float = 0.5,
) -> Arr:
    """Fractal value noise with zero mean and unit deviation, built from small grids.

    ``cells`` counts features along the long side; ``stretch`` > 1 makes them wider
    than tall (clouds, ripples). Computed at most ``max_side`` px, then upscaled.
    """
    lh, lw = _low_shape(h, w, max_side)
    long = max(lh, lw)
    total = np.zeros((lh, lw), dtype=np.float32)
    amp = 1.0
    for octave in range(octaves):
        c = cells * 2**octave
        gx = max(1, round(c * lw / long))
        gy = max(1, round(c * lh / long * stretch))
        grid = rng.random((gy + 1, gx + 1), dtype=np.float32)
        total += _resize(grid, lw, lh, _BICUBIC) * np.float32(amp)
        amp *= persistence
    total -= total.mean()
    total /= total.std() + np.float32(1e-6)
    return _resize(total, w, h)


def _ridge(
    rng: np.random.Generator,
    n: int,
    base: float,
    octaves: int,
    persistence: float = 0.5,
    smooth: bool = False,
) -> Arr:
    """1-D fractal noise over n columns, about -1..1; straight pieces read as rock."""
    xs = np.linspace(0.0, 1.0, n)
    out = np.zeros(n)
    amp, norm = 1.0, 0.0
    for octave in range(octaves):
        k = max(1, round(base * 2**octave))
        pts = rng.uniform(-1.0, 1.0, k + 2)
        t = xs * k
        i = np.floor(t).astype(np.int64)
        f = t - i
        if smooth:
            f = f * f * (3 - 2 * f)
        out += amp * (pts[i] * (1 - f) + pts[i + 1] * f)
        norm += amp
        amp *= persistence
    return (out / norm).astype(np.float32)


def _smoothstep(e0: float, e1: float, x: Num) -> Arr:
    t = np.clip((x - np.float32(e0)) / np.float32(e1 - e0), 0.0, 1.0)
    return np.asarray(t * t * (3.0 - 2.0 * t), dtype=np.float32)


def _blend(rgb: Arr, colour: Num, alpha: Num, y0: int = 0, x0: int = 0) -> None:
    """Paint a flat or per-pixel colour over a window of ``rgb`` with per-pixel alpha."""
    h, w = alpha.shape
    region = rgb[y0 : y0 + h, x0 : x0 + w]
    region += (colour - region) * alpha[..., None]


def _window(
    cx: float, cy: float, rx: float, ry: float, w: int, h: int
) -> tuple[int, int, int, int]:
    x0, x1 = max(0, int(cx - rx)), min(w, int(cx + rx) + 2)
    y0, y1 = max(0, int(cy - ry)), min(h, int(cy + ry) + 2)
    return x0, y0, x1, y1


def _local(x0: int, y0: int, x1: int, y1: int) -> tuple[Arr, Arr]:
    return (
        np.arange(y0, y1, dtype=np.float32)[:, None],
        np.arange(x0, x1, dtype=np.float32)[None, :],
    )


def _glow(rgb: Arr, cx: float, cy: float, r: float, colour: Arr, strength: float) -> None:
    """Add a soft gaussian light; additive, so overlapping lights brighten."""
    h, w = rgb.shape[:2]
    x0, y0, x1, y1 = _window(cx, cy, 3 * r, 3 * r, w, h)
    if x0 >= x1 or y0 >= y1:
        return
    ys, xs = _local(x0, y0, x1, y1)
    g = np.exp(-((xs - cx) ** 2 + (ys - cy) ** 2) / np.float32(r * r)) * np.float32(strength)
    rgb[y0:y1, x0:x1] += colour * g[..., None]


def _blur_rgb(rgb: Arr, radius: float) -> Arr:
    """A wide gaussian blur, done small: downsample, blur, upsample."""
    h, w = rgb.shape[:2]
    f = max(1, int(radius / 2))
    small = Image.fromarray(_to_uint8(rgb[::f, ::f]))
    small = small.filter(ImageFilter.GaussianBlur(radius / f))
    return np.asarray(small.resize((w, h), _BILINEAR), dtype=np.float32) / np.float32(255)


def _to_uint8(rgb: Arr) -> npt.NDArray[np.uint8]:
    out: npt.NDArray[np.uint8] = np.clip(rgb * np.float32(255) + 0.5, 0, 255).astype(np.uint8)
    return out


def _take(rgb: Arr, flat: npt.NDArray[np.int64]) -> Arr:
    """Gather pixels by flat index: one take is much faster than 2-D fancy indexing."""
    return np.take(rgb.reshape(-1, 3), flat, axis=0)
