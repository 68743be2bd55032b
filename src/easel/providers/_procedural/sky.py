"""Landscape sky: horizon and light placement, gradient, stars, sun, moon, clouds, aurora."""

from __future__ import annotations

import numpy as np

from easel.providers._procedural.canvas import Canvas
from easel.providers._procedural.primitives import (
    Arr,
    _blend,
    _glow,
    _grid,
    _local,
    _low_shape,
    _noise,
    _resize,
    _resize_rgb,
    _ridge,
    _smoothstep,
    _v,
    _window,
)


def _compose_landscape(c: Canvas) -> None:
    """Place horizon and light on the thirds, then paint the sky gradient and glow."""
    s, e = c.scene, c.scene.elements
    rng = s.rng("layout")
    w, h, u = s.width, s.height, s.unit
    hz = rng.uniform(0.54, 0.64)
    if "water" in e:
        hz = rng.uniform(0.5, 0.6)
    if "city" in e:
        hz = rng.uniform(0.6, 0.68)
    if "flowers" in e and "water" not in e:
        hz = rng.uniform(0.46, 0.54)
    if h > w * 1.2:
        hz += 0.06  # tall frames keep a tall sky
    if s.horizon is not None:
        hz = s.horizon  # the planner placed the subjects against this line
    c.horizon = h * hz
    lx = w * ((1 / 3 if rng.random() < 0.5 else 2 / 3) + rng.uniform(-0.05, 0.05))
    if "moon" in e and (s.night or "sun" not in e):
        c.body, r, ly = "moon", u * rng.uniform(0.045, 0.07), c.horizon * rng.uniform(0.22, 0.45)
    elif "sun" in e:
        c.body, r = "sun", u * rng.uniform(0.05, 0.075)
        if s.mood in ("sunset", "dawn", "fire") and "mountains" in e:
            ly = c.horizon * rng.uniform(0.45, 0.6)  # low, half behind the peaks
        elif s.mood in ("sunset", "dawn", "fire"):
            ly = c.horizon - r * rng.uniform(-0.1, 0.9)  # low sun, partly set
        else:
            ly = c.horizon * rng.uniform(0.28, 0.5)
    else:
        c.body, r, ly = None, 0.0, -0.3 * h  # light from above, off the frame
    if "dramatic" in s.modifiers:
        r *= 1.5
    c.light, c.light_r = (lx, ly), r
    c.rgb[:] = _sky(c)


def _sky(c: Canvas) -> Arr:
    s = c.scene
    h, w = s.height, s.width
    lh, lw = _low_shape(h, w, 384)
    ys, xs = _grid(h, w, lh, lw)
    top, low, glow = s.col("sky_top"), s.col("sky_low"), s.col("glow")
    t = np.clip(ys / np.float32(c.horizon), 0.0, 1.0) ** 1.6
    sky = np.broadcast_to(top + (low - top) * t[..., None], (lh, lw, 3)).copy()
    lx, ly = c.light
    strength = {"sunset": 0.85, "dawn": 0.75, "fire": 0.8, "neon": 0.6}.get(s.mood, 0.45)
    if c.body is None:
        strength *= 0.35
    elif c.body == "moon":
        strength *= 0.6
    d2 = ((xs - lx) / np.float32(w * 0.45)) ** 2 + ((ys - ly) / np.float32(h * 0.32)) ** 2
    sky += (glow - sky) * (np.exp(-d2) * np.float32(strength))[..., None]
    # The air is brightest just above the horizon.
    band = np.exp(-(((ys - c.horizon) / np.float32(h * 0.07)) ** 2)) * np.float32(0.3)
    sky += ((low + glow) * 0.5 - sky) * band[..., None]
    sky *= 1 + 0.035 * _noise(s.rng("sky"), lh, lw, cells=3, octaves=3)[..., None]
    return _resize_rgb(sky, w, h)


def _paint_sky(c: Canvas) -> None:
    e = c.scene.elements
    if "aurora" in e:
        _aurora(c)
    if "stars" in e:
        _stars(c, bottom=c.horizon)
    if c.body == "sun":
        _sun(c)
    elif c.body == "moon":
        _moon(c)
    if "clouds" in e:
        _clouds(c)


def _stars(c: Canvas, bottom: float, density: float = 1.0, weight: Arr | None = None) -> None:
    s = c.scene
    rng = s.rng("stars")
    w = s.width
    n = int(w * bottom / 700 * density)
    xs = rng.random(n) * (w - 1)
    ys = rng.random(n) ** 1.3 * (bottom - 1)
    b = (rng.random(n) ** 5 * 0.9 + 0.1).astype(np.float32)
    b *= 1 - _smoothstep(0.55 * bottom, bottom, ys.astype(np.float32))
    xi, yi = xs.astype(np.int64), ys.astype(np.int64)
    if weight is not None:  # cluster stars where the gas is (nebulae)
        b *= np.clip(0.25 + weight[yi, xi], 0.0, 1.5)
    tints = np.array([[1.0, 1.0, 1.0], [0.8, 0.88, 1.0], [1.0, 0.9, 0.75]], dtype=np.float32)
    col = tints[rng.integers(0, 3, n)] * b[:, None]
    c.rgb[yi, xi] = np.maximum(c.rgb[yi, xi], col)
    r = max(1.0, s.unit * 0.002)
    for i in np.argsort(b)[-max(3, n // 150) :]:
        _glow(c.rgb, float(xs[i]), float(ys[i]), r * (0.5 + float(b[i])), col[i], 0.4)


def _sun(c: Canvas) -> None:
    s = c.scene
    (cx, cy), r = c.light, c.light_r
    x0, y0, x1, y1 = _window(cx, cy, r + 2, r + 2, s.width, s.height)
    _glow(c.rgb, cx, cy, r * 2.5, s.col("glow"), 0.35)
    if x0 >= x1 or y0 >= y1:
        return
    ys, xs = _local(x0, y0, x1, y1)
    d = np.sqrt((xs - cx) ** 2 + (ys - cy) ** 2)
    core = s.col("sun") * 1.2  # over-exposed on purpose: the disc clips to near white
    r32 = np.float32(r)
    col = core * (1 - 0.12 * (d / r32) ** 2)[..., None]
    _blend(c.rgb, col, np.clip(r32 - d + 0.5, 0.0, 1.0), y0, x0)


def _moon(c: Canvas) -> None:
    s = c.scene
    rng = s.rng("moon")
    (cx, cy), r = c.light, c.light_r
    _glow(c.rgb, cx, cy, r * 3.0, s.col("glow"), 0.15)
    x0, y0, x1, y1 = _window(cx, cy, r + 2, r + 2, s.width, s.height)
    if x0 >= x1 or y0 >= y1:
        return
    ys, xs = _local(x0, y0, x1, y1)
    d = np.sqrt((xs - cx) ** 2 + (ys - cy) ** 2)
    disc = np.clip(r - d + 0.5, 0.0, 1.0)
    maria = _noise(rng, y1 - y0, x1 - x0, cells=3, octaves=4, max_side=128)
    col = s.col("sun") * (0.9 + 0.06 * maria - 0.12 * (d / np.float32(r)) ** 2)[..., None]
    if rng.random() < 0.35:  # crescent: a second disc hides part of the lit face
        sx = cx + r * 0.5 * (1 if rng.random() < 0.5 else -1)
        d2 = np.sqrt((xs - sx) ** 2 + (ys - cy + r * 0.15) ** 2)
        disc = disc * (1 - np.clip(r * 0.95 - d2 + 0.5, 0.0, 1.0) * 0.92)
    _blend(c.rgb, col, disc, y0, x0)


def _clouds(c: Canvas) -> None:
    s = c.scene
    rng = s.rng("clouds")
    h, w = s.height, s.width
    lh, lw = _low_shape(h, w, 320)
    ys, xs = _grid(h, w, lh, lw)
    n = _noise(rng, lh, lw, cells=3.0, octaves=5, stretch=2.8, max_side=320)
    cover = 0.45
    if s.mood == "storm":
        cover = -0.35
    elif "calm" in s.modifiers or "minimal" in s.modifiers:
        cover = 0.9
    elif "busy" in s.modifiers:
        cover = 0.1
    hz = c.horizon
    env = _smoothstep(0.0, 0.1 * h, ys) * (1 - _smoothstep(0.55 * hz, 0.95 * hz, ys))
    if s.mood == "storm":
        env = 1 - _smoothstep(0.7 * hz, 1.0 * hz, ys)
    dens = _smoothstep(cover, cover + 1.1, n) * env
    # Edges that face the light catch it: density falling towards the light means lit.
    gy, gx = np.gradient(n)
    lx, ly = c.light
    dx, dy = lx - xs, ly - ys
    norm = np.sqrt(dx * dx + dy * dy) + 1e-3
    lit = np.clip(0.55 - 1.4 * (gx * dx + gy * dy) / norm, 0.0, 1.0)
    shade, bright, glow = s.col("cloud_shade"), s.col("cloud"), s.col("glow")
    col = shade + (bright - shade) * lit[..., None]
    near = np.exp(-((xs - lx) ** 2 + (ys - ly) ** 2) / np.float32((0.3 * w) ** 2))
    col += (glow - col) * (near * 0.5)[..., None]
    alpha = _resize(np.ascontiguousarray(dens * 0.93), w, h)
    _blend(c.rgb, _resize_rgb(col, w, h), alpha)


def _aurora(c: Canvas) -> None:
    s = c.scene
    rng = s.rng("aurora")
    h, w = s.height, s.width
    lh, lw = _low_shape(h, w, 384)
    ys, _ = _grid(h, w, lh, lw)
    curve = c.horizon * 0.45 + h * 0.09 * _ridge(rng, lw, 2.0, 3, smooth=True)[None, :]
    dy = ys - curve
    rays = 0.55 + 0.45 * _ridge(rng, lw, 12.0, 3, persistence=0.7)[None, :]
    below = np.exp(-((np.maximum(dy, 0) / np.float32(h * 0.025)) ** 2))
    above = np.exp(-np.maximum(-dy, 0) / np.float32(h * 0.14))
    glow = below * above * rays * np.float32(0.75)
    t = np.clip(-dy / np.float32(h * 0.22), 0.0, 1.0)[..., None]
    green, violet = _v((0.25, 1.0, 0.6)), _v((0.55, 0.3, 0.95))
    col = (green + (violet - green) * t) * glow[..., None]
    c.rgb += _resize_rgb(col, w, h)
