"""Backdrops for subjects that do not stand in a landscape: a room with a table and a
window, a studio backdrop (portraits, logos, lettering) and the sea seen from under
water; and the foreground bank that gives things on land a place in a water scene."""

from __future__ import annotations

import math

import numpy as np

from easel.providers._procedural.canvas import Canvas, _Sketch
from easel.providers._procedural.primitives import (
    RGB,
    Arr,
    _glow,
    _grid,
    _low_shape,
    _mix,
    _noise,
    _resize,
    _resize_rgb,
    _ridge,
    _scale,
    _smoothstep,
    _v,
)
from easel.providers._procedural.terrain import _terrain_layer

_CREAM: RGB = (0.95, 0.92, 0.86)


def _gradient(c: Canvas, top: RGB, bottom: RGB, centre: RGB | None = None) -> None:
    """A vertical gradient, optionally brightened towards a point (the light)."""
    s = c.scene
    h, w = s.height, s.width
    lh, lw = _low_shape(h, w, 256)
    ys, xs = _grid(h, w, lh, lw)
    t = np.clip(ys / np.float32(h), 0.0, 1.0)[..., None]
    col = np.broadcast_to(_v(top) + (_v(bottom) - _v(top)) * t, (lh, lw, 3)).copy()
    if centre is not None:
        lx, ly = c.light
        d2 = ((xs - lx) / np.float32(w * 0.55)) ** 2 + ((ys - ly) / np.float32(h * 0.55)) ** 2
        col += (_v(centre) - col) * (np.exp(-d2) * np.float32(0.55))[..., None]
    col *= 1 + 0.02 * _noise(s.rng("backdrop"), lh, lw, cells=4, octaves=3)[..., None]
    c.rgb[:] = _resize_rgb(col, w, h)


# ---------------------------------------------------------------------------- room


def _compose_interior(c: Canvas) -> None:
    """A wall lit from a window; the window's side and size come from the seed."""
    s = c.scene
    rng = s.rng("room")
    w, h = s.width, s.height
    c.horizon = h * (s.horizon or 0.6)
    big = "window" in s.elements
    side = 0.5 if big else (0.22 if rng.random() < 0.5 else 0.78)
    c.light = (w * side, c.horizon * 0.42)
    wall = _mix(s.palette["sky_low"], _CREAM, 0.55)
    if s.night:
        wall = _scale(_mix(wall, s.palette["accent"], 0.2), 0.55)
    _gradient(c, _scale(wall, 0.82), _scale(wall, 0.7), centre=_mix(wall, (1.0, 1.0, 1.0), 0.35))


def _paint_window(c: Canvas) -> None:
    """The window shows the scene's sky (and its sun or moon); its frame and sill."""
    s = c.scene
    w, h = s.width, s.height
    big = "window" in s.elements
    cx, cy = c.light
    ww = min(w * (0.5 if big else 0.26), c.horizon * (0.95 if big else 0.7))
    wh = c.horizon * (0.78 if big else 0.55)
    x0, x1 = int(cx - ww / 2), int(cx + ww / 2)
    y0 = max(0, int(c.horizon - wh - h * 0.04)) if big else int(cy - wh / 2)
    y1 = min(int(c.horizon - h * 0.04) if big else int(cy + wh / 2), h)
    if x1 - x0 < 4 or y1 - y0 < 4:
        return
    t = np.linspace(0.0, 1.0, y1 - y0, dtype=np.float32)[:, None, None]
    sky = s.col("sky_top") + (s.col("sky_low") - s.col("sky_top")) * t
    c.rgb[y0:y1, x0:x1] = np.broadcast_to(sky, (y1 - y0, x1 - x0, 3))
    body = s.col("sun") * (0.95 if s.night else 1.1)
    _glow(c.rgb, x0 + (x1 - x0) * 0.7, y0 + (y1 - y0) * 0.3, (x1 - x0) * 0.07, body, 0.9)
    frame = _v(_mix(_CREAM, s.palette["ink"], 0.25 if s.night else 0.05))
    bar = max(2, int(min(ww, wh) * 0.045))
    for yy in (y0, (y0 + y1) // 2, y1 - bar):
        c.rgb[max(0, yy - bar // 2) : yy + bar, max(0, x0 - bar) : x1 + bar] = frame
    for xx in (x0, (x0 + x1) // 2, x1 - bar):
        c.rgb[max(0, y0 - bar) : y1 + bar, max(0, xx - bar // 2) : xx + bar] = frame
    _glow(c.rgb, cx, (y0 + y1) / 2, max(ww, wh) * 0.7, s.col("glow") * 0.6, 0.25)


def _paint_table(c: Canvas) -> None:
    """The table top or sill the subjects stand on: wood grain, a lit front edge."""
    s = c.scene
    rng = s.rng("table")
    w, h = s.width, s.height
    top = int(c.horizon)
    edge = top + int((h - top) * 0.62)
    wood = _mix(s.palette["accent"], (0.55, 0.36, 0.22), 0.7)
    if "window" in s.elements:
        wood = _mix(_CREAM, s.palette["sky_low"], 0.15)
    if s.night:
        wood = _scale(wood, 0.6)
    rows = max(1, edge - top)
    grain = _noise(rng, rows, w, cells=3, octaves=4, stretch=0.08, max_side=512)
    t = np.linspace(0.0, 1.0, rows, dtype=np.float32)[:, None]
    shade = (0.85 + 0.25 * t) * (1 + 0.05 * grain)
    c.rgb[top:edge] = _v(wood) * shade[..., None]
    lip = max(1, int(h * 0.006))
    c.rgb[edge : edge + lip] = _v(_mix(wood, (1.0, 1.0, 1.0), 0.3))
    front = np.linspace(0.75, 0.5, max(1, h - edge - lip), dtype=np.float32)[:, None, None]
    c.rgb[edge + lip :] = _v(wood) * front
    # The wall meets the table in a soft contact shadow.
    shadow = np.exp(-np.arange(max(1, top), dtype=np.float32)[::-1] / np.float32(h * 0.02))
    c.rgb[:top] *= (1 - 0.35 * shadow)[:, None, None]


# -------------------------------------------------------------------------- studio


def _compose_studio(c: Canvas) -> None:
    """A seamless backdrop: paper for logos and lettering, a soft light for portraits."""
    s = c.scene
    w, h = s.width, s.height
    c.light = (w * 0.3, h * 0.15)
    c.horizon = h * 0.84
    lettering = s.lettering
    if (lettering is not None and not s.subjects) or (lettering and lettering.emblem):
        paper = _mix(s.palette["sky_low"], (0.97, 0.96, 0.93), 0.75)
        if s.night or s.mood == "neon":
            paper = _scale(s.palette["sky_top"], 1.1)
        _gradient(c, paper, _scale(paper, 0.9), centre=_mix(paper, (1.0, 1.0, 1.0), 0.5))
        return
    back = _mix(s.palette["sky_top"], s.palette["far"], 0.5)
    back = _mix(back, (0.45, 0.45, 0.45), 0.35)
    _gradient(c, _scale(back, 0.9), _scale(back, 0.6), centre=_mix(back, s.palette["glow"], 0.45))


def _paint_floor(c: Canvas) -> None:
    """Where a standing subject meets the backdrop: a floor that fades into the wall."""
    s = c.scene
    if not any(p.place == "centre" for p in s.subjects):
        return
    h = s.height
    top = int(c.horizon - h * 0.05)
    rows = h - top
    t = _smoothstep(0.0, 1.0, np.linspace(0.0, 1.0, rows, dtype=np.float32))
    c.rgb[top:] *= (1 - 0.22 * t)[:, None, None]


# ----------------------------------------------------------------------- underwater


def _compose_underwater(c: Canvas) -> None:
    """Blue water, lighter towards the surface, lit by rays from above."""
    s = c.scene
    w, h = s.width, s.height
    water = s.palette["water"]
    shallow = _mix(_mix(water, (0.3, 0.85, 0.9), 0.45), (1.0, 1.0, 1.0), 0.2)
    deep = _scale(_mix(water, (0.02, 0.1, 0.3), 0.5), 0.6)
    c.light = (w * 0.4, -h * 0.2)
    c.horizon = h * (s.horizon or 0.84)
    _gradient(c, shallow, deep)


def _paint_rays(c: Canvas) -> None:
    """Shafts of light through the surface, and the sandy floor."""
    s = c.scene
    rng = s.rng("rays")
    h, w = s.height, s.width
    lh, lw = _low_shape(h, w, 256)
    ys, xs = _grid(h, w, lh, lw)
    n = lw * 2
    profile = _smoothstep(0.2, 1.0, _ridge(rng, n, 9, 3))
    slant = (xs + ys * np.float32(0.35)) / np.float32(w * 1.5) * n
    rays = profile[np.clip(slant.astype(np.int64), 0, n - 1)]
    fade = np.exp(-ys / np.float32(h * 0.55))
    light = _resize(np.ascontiguousarray(rays * fade * np.float32(0.22)), w, h)
    c.rgb += _v((0.75, 0.95, 1.0)) * light[..., None]
    floor = c.horizon + h * 0.03 * _ridge(rng, w, 4, 3, smooth=True)
    sand = _mix(s.palette["sky_low"], (0.85, 0.75, 0.55), 0.6)
    _terrain_layer(c, floor, sand, s.palette["water"], base=h, mist=0.25, lit=0.2, rng=rng)
    _weeds(c, rng, floor)


def _weeds(c: Canvas, rng: np.random.Generator, floor: Arr) -> None:
    s = c.scene
    h, w, u = s.height, s.width, s.unit
    sk = _Sketch(w, 0, h)
    green = _mix(s.palette["land"], (0.15, 0.55, 0.35), 0.6)
    for _ in range(int(rng.integers(5, 10))):
        x = float(rng.uniform(0, w))
        foot = float(floor[int(min(x, w - 1))]) + 2
        tall = u * float(rng.uniform(0.12, 0.3))
        phase = float(rng.uniform(0, 6))
        pts = [(x + math.sin(phase + k * 0.9) * u * 0.015, foot - tall * k / 8) for k in range(9)]
        sk.line(pts, u * 0.012, _scale(green, float(rng.uniform(0.7, 1.1))))
    for _ in range(int(rng.integers(8, 16))):  # bubbles
        r = u * float(rng.uniform(0.004, 0.012))
        sk.ellipse(
            float(rng.uniform(0, w)), float(rng.uniform(0, c.horizon)), r, r, (0.85, 0.95, 1.0)
        )
    sk.composite(c.rgb)


# --------------------------------------------------------------------------- shore


def _paint_shore(c: Canvas) -> None:
    """A grassy bank in the foreground of a water scene, for the things on land."""
    s = c.scene
    assert s.shore is not None
    rng = s.rng("shore")
    h, w = s.height, s.width
    hz = c.horizon
    x0, x1 = s.shore[0] * w, s.shore[1] * w
    xs = np.arange(w, dtype=np.float32)
    inside = _smoothstep(0.0, w * 0.12, np.minimum(xs - x0, x1 - xs) + w * 0.06)
    top = hz + (h - hz) * 0.55 + (h - hz) * 0.05 * _ridge(rng, w, 5, 3, smooth=True)
    ridge = h + 4 - (h + 4 - top) * inside
    colour = _mix(s.palette["land"], s.palette["ink"], 0.15)
    if "beach" in s.elements:
        colour = _mix((0.88, 0.76, 0.55), s.palette["sky_low"], 0.2)
    _terrain_layer(c, ridge, colour, colour, base=h, mist=0.0, lit=0.2, rng=rng, crest=0.1)
