"""Nebula layout: glowing domain-warped gas, a starfield, planets and spiked stars."""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from easel.providers._procedural.canvas import Canvas, _Sketch
from easel.providers._procedural.primitives import (
    Num,
    _blend,
    _glow,
    _grid,
    _local,
    _low_shape,
    _noise,
    _resize,
    _resize_rgb,
    _smoothstep,
    _v,
    _window,
)
from easel.providers._procedural.sky import _stars


def _mirror(idx: Num, n: int) -> npt.NDArray[np.int64]:
    """Indices reflected back into 0..n-1: warps near an edge fold instead of smearing."""
    i = np.abs(idx.astype(np.int64)) % (2 * n - 2)
    out: npt.NDArray[np.int64] = np.where(i >= n, 2 * n - 2 - i, i)
    return out


def _compose_nebula(c: Canvas) -> None:
    s = c.scene
    rng = s.rng("nebula-layout")
    h, w = s.height, s.width
    lh, lw = _low_shape(h, w, 256)
    ys, xs = _grid(h, w, lh, lw)
    cx, cy = w * rng.uniform(0.3, 0.7), h * rng.uniform(0.3, 0.7)
    c.light = (cx, cy)
    d = np.sqrt(((xs - cx) / np.float32(w)) ** 2 + ((ys - cy) / np.float32(h)) ** 2)
    t = np.clip(d * 1.6, 0.0, 1.0)[..., None]
    low, top = s.col("sky_low") * 0.45, s.col("sky_top") * 0.6
    c.rgb[:] = _resize_rgb(low + (top - low) * t, w, h)


def _paint_gas(c: Canvas) -> None:
    """Domain-warped fractal noise, coloured by a second noise, as glowing gas."""
    s = c.scene
    rng = s.rng("gas")
    h, w = s.height, s.width
    lh, lw = _low_shape(h, w, 448)
    ys, xs = _grid(h, w, lh, lw)
    base = _noise(rng, lh, lw, cells=2.5, octaves=6, max_side=448)
    wy = _noise(rng, lh, lw, cells=2, octaves=3) * np.float32(lh * 0.08)
    wx = _noise(rng, lh, lw, cells=2, octaves=3) * np.float32(lw * 0.08)
    n = base[_mirror(np.arange(lh)[:, None] + wy, lh), _mirror(np.arange(lw)[None, :] + wx, lw)]
    # Concentrate the gas along a band through the bright centre so it reads as one body.
    cx, cy = c.light
    angle = rng.uniform(0, math.pi)
    along = (xs - cx) * np.float32(math.sin(angle)) - (ys - cy) * np.float32(math.cos(angle))
    band = np.exp(-((along / np.float32(max(w, h) * 0.28)) ** 2))
    density = _smoothstep(-0.2, 2.2, n + 1.6 * band - 0.5)
    fil = (1 - np.abs(_noise(rng, lh, lw, cells=4, octaves=4, max_side=448)) / 3) ** 6
    hue = _smoothstep(-1.2, 1.2, _noise(rng, lh, lw, cells=1.5, octaves=3))[..., None]
    # Named colours lead the gas ("magenta and teal nebula"); else the mood's palette.
    gas = [*s.named, s.palette["glow"], s.palette["cloud"], s.palette["far"]]
    # Emitted light: every colour at full brightness, so a dark teal shines like magenta.
    c1, c2, c3 = (_v(g) / max(0.2, max(g)) for g in gas[:3])
    colour = c1 + (c2 - c1) * hue
    colour += (c3 - colour) * (_smoothstep(0.6, 1.0, density) * 0.6)[..., None]
    light = density * 1.0 + fil * density * 0.5
    dust = _smoothstep(0.3, 1.6, _noise(rng, lh, lw, cells=3, octaves=5)) * np.float32(0.75)
    emission = colour * (light * (1 - dust))[..., None]
    c.rgb *= _resize(np.ascontiguousarray(1 - dust * 0.6), w, h)[..., None]
    c.rgb += _resize_rgb(emission, w, h)


def _paint_starfield(c: Canvas) -> None:
    s = c.scene
    lum = c.rgb[::4, ::4].mean(axis=2)
    weight = _resize(np.ascontiguousarray(lum * 4), s.width, s.height)
    _stars(c, bottom=float(s.height), density=3.0 if "busy" in s.modifiers else 2.0, weight=weight)


def _paint_planet(c: Canvas) -> None:
    s = c.scene
    rng = s.rng("planet")
    h, w, u = s.height, s.width, s.unit
    wanted = s.elements & {"planet", "moon", "sun"}
    if not wanted and (rng.random() < 0.5 or "minimal" in s.modifiers):
        _spikes(c, rng)
        return
    r = u * rng.uniform(0.1, 0.2)
    cx = w * (0.2 if c.light[0] > w / 2 else 0.8) + rng.normal(0, w * 0.04)
    cy = h * rng.uniform(0.25, 0.75)
    x0, y0, x1, y1 = _window(cx, cy, r * 2.6, r * 2.6, w, h)
    if x0 >= x1 or y0 >= y1:
        return
    ys, xs = _local(x0, y0, x1, y1)
    dx, dy = (xs - cx) / np.float32(r), (ys - cy) / np.float32(r)
    d = np.sqrt(dx * dx + dy * dy)
    disc = np.clip((1 - d) * np.float32(r) + 0.5, 0.0, 1.0)
    nz = np.sqrt(np.clip(1 - d * d, 0.0, 1.0))
    lx, ly = c.light[0] - cx, c.light[1] - cy
    ln = math.hypot(lx, ly) or 1.0
    lam = np.clip(
        dx * np.float32(lx / ln * 0.8) + dy * np.float32(ly / ln * 0.8) + nz * 0.45, 0.0, 1.0
    )
    bands = _noise(rng, y1 - y0, x1 - x0, cells=3, octaves=4, stretch=6.0, max_side=256)
    a, b = s.col("far"), s.col("water")
    surface = a + (b - a) * _smoothstep(-1.5, 1.5, bands)[..., None]
    col = surface * (0.06 + 0.94 * lam)[..., None]
    _blend(c.rgb, col, disc, y0, x0)
    rim = np.exp(-(((d - 1) * np.float32(r) / np.float32(max(1.5, r * 0.05))) ** 2)) * lam
    c.rgb[y0:y1, x0:x1] += s.col("glow") * (rim * 0.6)[..., None]
    if rng.random() < 0.45:  # a tilted ring; hidden where it passes behind the disc
        tilt = rng.uniform(-0.5, 0.5)
        ct, st = np.float32(math.cos(tilt)), np.float32(math.sin(tilt))
        qx, qy = dx * ct + dy * st, (dy * ct - dx * st) / np.float32(0.28)
        rd = np.sqrt(qx * qx + qy * qy)
        ring = np.clip((0.22 - np.abs(rd - 1.75)) * np.float32(r) * 0.3, 0.0, 1.0)
        ring *= np.where(qy < 0, 1 - disc, 1.0).astype(np.float32) * np.float32(0.8)
        _blend(c.rgb, s.col("cloud") * 0.8 + 0.2, ring, y0, x0)
    _spikes(c, rng)


def _spikes(c: Canvas, rng: np.random.Generator) -> None:
    """A few foreground stars with diffraction spikes."""
    s = c.scene
    h, w, u = s.height, s.width, s.unit
    sk = _Sketch(w, 0, h, colour=False)
    for _ in range(int(rng.integers(2, 6))):
        x, y, size = rng.random() * w, rng.random() * h, u * rng.uniform(0.02, 0.05)
        t = max(1.0, u * 0.0015)
        sk.line([(x - size, y), (x + size, y)], t)
        sk.line([(x, y - size), (x, y + size)], t)
        _glow(c.rgb, x, y, u * 0.006, _v((1.0, 0.95, 0.9)), 1.0)
    sk.composite(c.rgb, _v((0.95, 0.95, 1.0)), 0.55)
