"""The last stage: fog, bloom, watercolor or mosaic, colour draining, vignette, grain."""

from __future__ import annotations

import math

import numpy as np
from PIL import Image, ImageFilter

from easel.providers._procedural.canvas import Canvas
from easel.providers._procedural.primitives import (
    _BILINEAR,
    _blend,
    _blur_rgb,
    _grid,
    _low_shape,
    _mix,
    _noise,
    _resize,
    _smoothstep,
    _take,
    _to_uint8,
    _v,
)


def _paint_texture(c: Canvas) -> None:
    """Atmosphere, bloom, the style treatment, colour suppression, vignette and grain."""
    s = c.scene
    if s.layout == "landscape" and "misty" in s.modifiers:
        _fog(c)
    bloom = 0.35 if s.night or s.mood in ("sunset", "dawn", "fire") else 0.18
    if "glow" in s.modifiers or s.layout == "nebula":
        bloom += 0.25
    if s.layout != "geometric":
        _bloom(c, bloom)
    if "dramatic" in s.modifiers:
        c.rgb -= 0.5
        c.rgb *= 1.15
        c.rgb += 0.5
    if s.treatment == "watercolor":
        _watercolor(c)
    elif s.treatment == "mosaic":
        _mosaic(c)
    if s.suppressed:
        _drain(c)
    vignette = 0.12 if s.layout == "geometric" else 0.25
    _vignette(c, vignette + (0.2 if "dark" in s.modifiers else 0.0))
    _grain(c, 0.008 if s.treatment == "watercolor" else 0.014)


def _fog(c: Canvas) -> None:
    s = c.scene
    h, w = s.height, s.width
    lh, lw = _low_shape(h, w, 256)
    ys, _ = _grid(h, w, lh, lw)
    n = _noise(s.rng("fog"), lh, lw, cells=3, octaves=3, stretch=3)
    fog = np.exp(-(((ys - c.horizon) / np.float32(h * 0.12)) ** 2)) * (0.55 + 0.15 * n)
    _blend(c.rgb, s.col("sky_low"), _resize(np.ascontiguousarray(np.clip(fog, 0, 1)), w, h))


def _bloom(c: Canvas, strength: float) -> None:
    """Light bleeding from bright areas: blur the highlights small, add them back."""
    h, w = c.rgb.shape[:2]
    f = max(1, max(h, w) // 256)
    small = c.rgb[::f, ::f]
    bright = small * _smoothstep(0.55, 1.0, small.max(axis=2))[..., None]
    img = Image.fromarray(_to_uint8(bright)).filter(ImageFilter.GaussianBlur(max(h, w) / f * 0.03))
    glow = np.asarray(img.resize((w, h), _BILINEAR), dtype=np.float32) / np.float32(255 / strength)
    c.rgb += glow * (1 - np.clip(c.rgb, 0.0, 1.0))  # screen blend: never blows out


def _drain(c: Canvas) -> None:
    """Desaturate pixels whose hue is one the negative prompt names."""
    rgb = c.rgb
    for y0 in range(0, rgb.shape[0], 256):  # in bands, to keep temporaries small
        band = rgb[y0 : y0 + 256]
        r, g, b = band[..., 0], band[..., 1], band[..., 2]
        mx, mn = band.max(axis=2), band.min(axis=2)
        d = mx - mn + np.float32(1e-6)
        hue = np.where(
            mx == r, ((g - b) / d) % 6, np.where(mx == g, (b - r) / d + 2, (r - g) / d + 4)
        )
        hue = hue / np.float32(6)
        sat = d / (mx + np.float32(1e-6))
        weight = np.zeros_like(hue)
        for h0, _ in c.scene.suppressed:
            dist = np.abs(hue - np.float32(h0))
            dist = np.minimum(dist, 1 - dist)
            weight = np.maximum(weight, np.clip(1.3 - dist / np.float32(0.09), 0.0, 1.0))
        weight *= _smoothstep(0.08, 0.3, sat) * np.float32(0.9)
        luma = band @ np.array([0.3, 0.59, 0.11], dtype=np.float32)
        band += (luma[..., None] - band) * weight[..., None]


def _vignette(c: Canvas, strength: float) -> None:
    h, w = c.rgb.shape[:2]
    lh, lw = _low_shape(h, w, 128)
    ys, xs = _grid(h, w, lh, lw)
    r2 = ((xs - w / 2) / np.float32(w / 2)) ** 2 + ((ys - h / 2) / np.float32(h / 2)) ** 2
    v = 1 - np.float32(strength) * _smoothstep(0.4, 2.0, r2)
    c.rgb *= _resize(np.ascontiguousarray(v), w, h)[..., None]


def _grain(c: Canvas, amount: float) -> None:
    """Film grain; it also dithers smooth gradients so 8-bit output shows no banding."""
    h, w = c.rgb.shape[:2]
    g = c.scene.rng("grain").standard_normal((h, w), dtype=np.float32)
    g *= np.float32(amount * min(1.0, max(0.5, max(h, w) / 1024)))  # finer on small pictures
    c.rgb += g[..., None]


def _watercolor(c: Canvas) -> None:
    """Washes with organic edges, pigment pooling at the edges, granulation and paper."""
    s = c.scene
    rng = s.rng("watercolor")
    h, w, u = s.height, s.width, s.unit
    rgb = c.rgb
    np.clip(rgb, 0.0, 1.0, out=rgb)  # over-exposed light would read as dark edges
    soft = _blur_rgb(rgb, u * 0.006)
    rgb *= 0.45
    rgb += soft * np.float32(0.55)
    # Organic edges: sample the picture through a smooth displacement field.
    lh, lw = _low_shape(h, w, 256)
    dy = _resize(_noise(rng, lh, lw, cells=10, octaves=3) * np.float32(u * 0.006), w, h)
    dx = _resize(_noise(rng, lh, lw, cells=10, octaves=3) * np.float32(u * 0.006), w, h)
    yi = np.clip(np.arange(h, dtype=np.float32)[:, None] + dy, 0, h - 1).astype(np.int64)
    xi = np.clip(np.arange(w, dtype=np.float32)[None, :] + dx, 0, w - 1).astype(np.int64)
    warped = _take(rgb, yi * w + xi)
    # Wet edges: pigment pools where the colour changes.
    edge = np.abs(warped - _blur_rgb(warped, u * 0.008)).sum(axis=2)
    warped *= (1 - np.clip(edge * 2.5, 0.0, 0.35))[..., None]
    # Uneven washes (pigment pooling as the paint dried) plus a little granulation.
    lh, lw = _low_shape(h, w, 512)
    wash = 0.12 * _noise(rng, lh, lw, cells=5, octaves=3, max_side=256)
    wash += 0.02 * _noise(rng, lh, lw, cells=40, octaves=2, max_side=512)
    strength = _resize(0.82 * (1 + wash), w, h)
    paper = 1 - 0.01 * _noise(rng, h, w, cells=150, octaves=1, max_side=1024)
    # Pigment is translucent over warm paper: colour = paper * (1 - ink), ink = 1 - paint.
    np.clip(warped, 0.0, 1.0, out=warped)
    warped -= 1
    warped *= strength[..., None]
    warped += 1
    warped *= paper[..., None]
    warped *= _v((0.99, 0.97, 0.93))
    rgb[:] = warped


def _mosaic(c: Canvas) -> None:
    """Voronoi tiles of the picture's average colour, bevelled, set in grout."""
    s = c.scene
    rng = s.rng("mosaic")
    h, w, u = s.height, s.width, s.unit
    cell = max(8.0, u / 48)  # at least 8 px, or small pictures turn to gravel
    np.clip(c.rgb, 0.0, 1.0, out=c.rgb)
    f = max(1, math.ceil(max(h, w) / 1024))  # tile the picture at ≤1024 px
    lh, lw = math.ceil(h / f), math.ceil(w / f)
    cl = cell / f
    gh, gw = int(lh / cl) + 2, int(lw / cl) + 2
    py = ((np.arange(gh)[:, None] + 0.15 + 0.7 * rng.random((gh, gw))) * cl).astype(np.float32)
    px = ((np.arange(gw)[None, :] + 0.15 + 0.7 * rng.random((gh, gw))) * cl).astype(np.float32)
    ys, xs = np.arange(lh, dtype=np.float32), np.arange(lw, dtype=np.float32)
    gy, gx = (ys / cl).astype(np.int64), (xs / cl).astype(np.int64)
    d1 = np.full((lh, lw), np.inf, dtype=np.float32)
    d2 = d1.copy()
    label = np.zeros((lh, lw), dtype=np.int64)
    for oy in (-1, 0, 1):
        for ox in (-1, 0, 1):
            cy = np.clip(gy + oy, 0, gh - 1)[:, None]
            cx = np.clip(gx + ox, 0, gw - 1)[None, :]
            d = (py[cy, cx] - ys[:, None]) ** 2 + (px[cy, cx] - xs[None, :]) ** 2
            closer = d < d1
            d2 = np.where(closer, d1, np.minimum(d2, d))
            d1 = np.where(closer, d, d1)
            label = np.where(closer, cy * gw + cx, label)
    small = c.rgb[::f, ::f][:lh, :lw]
    counts = np.maximum(np.bincount(label.ravel(), minlength=gh * gw), 1)
    tiles = (
        np.stack(
            [
                np.bincount(label.ravel(), weights=small[..., k].ravel(), minlength=gh * gw)
                for k in range(3)
            ],
            axis=1,
        )
        / counts[:, None]
    )
    tiles *= 1 + 0.07 * rng.standard_normal((gh * gw, 1))
    tiles = tiles.astype(np.float32)
    rows, cols = np.arange(h) // f, np.arange(w) // f
    out = tiles[label[rows[:, None], cols[None, :]]]
    gap = _resize(np.ascontiguousarray(np.sqrt(d2) - np.sqrt(d1)), w, h) * np.float32(f)
    centre = _resize(np.ascontiguousarray(np.sqrt(d1)), w, h) * np.float32(f / cell)
    out *= (1.06 - 0.16 * centre**2)[..., None]
    grout = 1 - _smoothstep(cell * 0.03, cell * 0.11, gap)
    grout_col = _v(_mix(s.palette["ink"], (0.55, 0.52, 0.48), 0.5))
    out += (grout_col - out) * grout[..., None]
    c.rgb[:] = out
