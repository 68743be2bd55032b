"""Landscape land and detail stages: city, tower, water, shore, trees, flowers, birds, rain."""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from easel.providers._procedural.canvas import Canvas, _Sketch
from easel.providers._procedural.primitives import (
    RGB,
    Arr,
    _blend,
    _blur_rgb,
    _glow,
    _mix,
    _noise,
    _ridge,
    _scale,
    _smoothstep,
    _take,
    _v,
)
from easel.providers._procedural.terrain import (
    _paint_terrain,
    _terrain_layer,
    _tree,
    _tree_colours,
    _tree_kind,
)


def _paint_land(c: Canvas) -> None:
    """Terrain, then what stands on it; all of it before the water that mirrors it."""
    _paint_terrain(c)
    if "city" in c.scene.elements:
        _city(c)
    if "tower" in c.scene.elements:
        _tower(c)


def _paint_details(c: Canvas) -> None:
    e = c.scene.elements
    if "water" in e:
        _water(c)
        if "trees" in e or "flowers" in e:
            _bank(c)
    if "trees" in e and c.ground is not None:
        _framing_trees(c)
    if "flowers" in e:
        _flowers(c)
    if "birds" in e:
        _birds(c)
    if "rain" in e:
        _rain(c)


def _city(c: Canvas) -> None:
    s = c.scene
    rng = s.rng("city")
    w, u = s.width, s.unit
    base = int(c.horizon)
    lit_windows = s.night or s.mood in ("sunset", "storm", "fire", "mystic")
    neon = s.mood == "neon"
    centre, spread = w * rng.uniform(0.3, 0.7), w * rng.uniform(0.25, 0.4)
    table = rng.random((64, 64))
    far, ink, sky = s.palette["far"], s.palette["ink"], s.palette["sky_low"]
    window_tones = [s.palette["accent"], s.palette["glow"]] if neon else [s.palette["accent"]]
    for row in range(2):
        body = _mix(_mix(far, ink, 0.35), sky, 0.15) if row == 0 else _mix(ink, far, 0.18)
        x = -rng.uniform(0, 0.03) * w
        while x < w:
            bw = u * rng.uniform(0.03, 0.07) * (1 + 0.25 * row)
            tall = math.exp(-(((x - centre) / spread) ** 2))
            bh = u * (0.05 + 0.32 * tall * rng.uniform(0.35, 1.0)) * (1.15 if row == 0 else 0.8)
            x0, x1 = max(0, int(x)), min(w, int(x + bw))
            y0 = max(0, int(base - bh))
            if x1 > x0 and base > y0:
                tone = _v(_scale(body, rng.uniform(0.9, 1.1)))
                c.rgb[y0:base, x0:x1] = tone
                if rng.random() < 0.35:  # a setback or antenna on top
                    inset = (x1 - x0) // 4
                    top2 = max(0, int(y0 - bh * rng.uniform(0.08, 0.2)))
                    c.rgb[top2:y0, x0 + inset : x1 - inset] = tone
                    mid = (x0 + x1) // 2
                    c.rgb[
                        max(0, int(top2 - bh * 0.15)) : top2, mid : mid + max(1, int(u * 0.002))
                    ] = tone
                wcol = _v(window_tones[int(rng.integers(len(window_tones)))])
                _windows(c, x0, y0, x1, base, table, wcol, lit_windows, row, sky)
            x += bw + u * rng.uniform(0.0, 0.01)


def _windows(
    c: Canvas,
    x0: int,
    y0: int,
    x1: int,
    y1: int,
    table: npt.NDArray[np.float64],
    colour: Arr,
    lit: bool,
    row: int,
    sky: RGB,
) -> None:
    """A grid of windows, a random share of them lit; vectorised over the facade."""
    u = c.scene.unit
    px, py = max(3, int(u * 0.009)), max(4, int(u * 0.013))
    ys = np.arange(y0, y1)[:, None] - y0
    xs = np.arange(x0, x1)[None, :] - x0
    inside = ((xs % px) < px * 0.55) & ((ys % py) < py * 0.5) & (ys > py) & (xs > 0)
    inside &= xs < (x1 - x0 - 1)
    if lit:
        on = table[(ys // py) % 64, (xs // px + x0) % 64] < (0.45 if row else 0.3)
        alpha = (inside & on).astype(np.float32) * np.float32(0.85 if row else 0.45)
        _blend(c.rgb, colour, alpha, y0, x0)
    else:  # daylight: windows reflect the sky faintly
        _blend(c.rgb, _v(sky), inside.astype(np.float32) * np.float32(0.25), y0, x0)


def _tower(c: Canvas) -> None:
    s = c.scene
    rng = s.rng("tower")
    h, w, u = s.height, s.width, s.unit
    x = w * (1 - c.light[0] / w) + w * rng.uniform(-0.08, 0.08)
    xi = int(np.clip(x, 0, w - 1))
    foot = float(c.ground[xi]) + 2 if c.ground is not None else c.horizon + 1
    height = h * rng.uniform(0.22, 0.32)
    bw = u * 0.03
    top = foot - height
    colour = _mix(s.palette["ink"], s.palette["far"], 0.2)
    if c.ground is None and "water" in s.elements:  # stand on a rock, not in open water
        xs = np.arange(w, dtype=np.float32)
        bump = np.clip(1 - ((xs - x) / np.float32(bw * 5)) ** 2, 0.0, 1.0) ** 0.6
        rock = c.horizon + 1 - bw * 1.6 * bump * (0.85 + 0.15 * _ridge(rng, w, 60, 3))
        rock_col = _mix(colour, s.palette["far"], 0.15)
        _terrain_layer(
            c, rock, rock_col, rock_col, base=c.horizon, mist=0.0, lit=0.3, rng=rng, stop=c.horizon
        )
        foot = float(rock[xi]) + bw * 0.2
        top = foot - height
    sk = _Sketch(w, max(0, int(top - bw * 2)), h)
    sk.polygon([(x - bw, foot), (x + bw, foot), (x + bw * 0.6, top), (x - bw * 0.6, top)], colour)
    sk.polygon(
        [
            (x - bw * 0.9, top),
            (x + bw * 0.9, top),
            (x + bw * 0.9, top - bw * 0.25),
            (x - bw * 0.9, top - bw * 0.25),
        ],
        colour,
    )
    sk.polygon(
        [(x - bw * 0.5, top - bw * 0.25), (x + bw * 0.5, top - bw * 0.25), (x, top - bw * 1.6)],
        colour,
    )
    sk.composite(c.rgb)
    if s.night or s.mood in ("sunset", "storm", "mystic"):
        _glow(c.rgb, x, top - bw * 0.6, bw * 1.2, s.col("accent"), 0.9)
        _glow(c.rgb, x, top - bw * 0.6, bw * 5, s.col("accent"), 0.15)


def _water(c: Canvas) -> None:
    """Mirror what stands above the horizon, broken by ripples, and a path of glitter."""
    s = c.scene
    rng = s.rng("water")
    h, w, u = s.height, s.width, s.unit
    hz = round(c.horizon)
    n = h - hz
    if n <= 0 or hz <= 0:
        return
    rows = np.arange(n, dtype=np.float32)
    t = rows / np.float32(n)
    src = np.clip(hz - 1 - rows, 0, hz - 1).astype(np.int64)
    ripple = _noise(rng, n, w, cells=6, octaves=4, stretch=8.0, max_side=512)
    amp = np.float32(u) * (0.002 + 0.05 * t**1.3) * (0.4 if "calm" in s.modifiers else 1.0)
    xi = np.arange(w, dtype=np.float32)[None, :] + ripple * amp[:, None]
    flat = src[:, None] * w + np.clip(xi, 0, w - 1).astype(np.int64)
    refl = _take(c.rgb, flat)
    # Nearer water is rougher and scatters the reflection: fade to a blurred copy.
    blurred = _blur_rgb(c.rgb[: hz + 1], u * 0.02)
    rough = (t**0.8)[:, None, None]
    refl += (_take(blurred, flat) - refl) * rough
    water = s.col("water")
    deep = water * 0.55
    tint = (water + (deep - water) * t[:, None])[:, None, :]
    keep = (0.82 - 0.42 * t)[:, None, None]
    col = tint + (refl - tint) * keep
    col *= 1 + 0.05 * ripple[..., None]
    if c.body is not None and 0 <= c.light[0] < w:
        lx = c.light[0]
        spread = np.float32(u) * (0.03 + 0.14 * t) + c.light_r * 0.6
        xs = np.arange(w, dtype=np.float32)[None, :]
        path = np.exp(-(((xs - lx) / spread[:, None]) ** 2))
        sparkle = _smoothstep(
            0.3, 1.6, _noise(rng, n, w, cells=40, octaves=2, stretch=5.0, max_side=768)
        )
        power = 0.35 if c.body == "moon" else 0.6
        col += s.col("sun") * (path * sparkle * np.float32(power))[..., None]
    line = np.exp(-((rows / np.float32(max(1.0, h * 0.004))) ** 2)) * 0.25
    col += (s.col("glow") - col) * line[:, None, None]
    c.rgb[hz:] = col


def _bank(c: Canvas) -> None:
    """A foreground shore so trees and flowers have ground to stand on by the water."""
    s = c.scene
    rng = s.rng("bank")
    h, w = s.height, s.width
    x = np.arange(w, dtype=np.float32) / np.float32(w)
    if "flowers" in s.elements:
        rise = 0.7 + 0.3 * _ridge(rng, w, 2, 3, smooth=True)
    else:
        if rng.random() < 0.5:
            x = 1 - x
        rise = 1 - _smoothstep(0.0, 0.55, x)
    ridge = h + 2 - (h - c.horizon) * 0.55 * rise * (0.9 + 0.1 * _ridge(rng, w, 9, 3))
    colour = _mix(_scale(s.palette["land"], 0.55), s.palette["ink"], 0.45)
    _terrain_layer(c, ridge, colour, colour, base=h, mist=0.0, lit=0.15, rng=rng)
    c.ground = ridge


def _framing_trees(c: Canvas) -> None:
    """One or two large trees near the edges frame the view and give depth."""
    s = c.scene
    rng = s.rng("framing")
    h, w = s.height, s.width
    assert c.ground is not None
    sk = _Sketch(w, 0, h)
    kind = _tree_kind(s)
    # Close and against the light: the scene's foliage colours, much darker.
    tones = [
        _mix(_scale(t, 0.5), s.palette["ink"], 0.4) for t in _tree_colours(s, s.palette["land"])
    ]
    sides = [0.0, 1.0] if rng.random() < 0.4 else [float(rng.integers(0, 2))]
    for side in sides:
        for _ in range(int(rng.integers(1, 3))):
            x = w * (side + (rng.uniform(0.02, 0.12) if side == 0 else -rng.uniform(0.02, 0.12)))
            foot = float(c.ground[int(np.clip(x, 0, w - 1))])
            if foot >= h:
                foot = float(h)
            height = min(foot * 0.95, h * rng.uniform(0.45, 0.75))
            colour = tones[int(rng.integers(len(tones)))]
            _tree(sk, kind, x, foot + height * 0.03, height, colour, rng)
    sk.composite(c.rgb)


def _flowers(c: Canvas) -> None:
    s = c.scene
    rng = s.rng("flowers")
    h, w, u = s.height, s.width, s.unit
    ground = c.ground if c.ground is not None else np.full(w, c.horizon, dtype=np.float32)
    top = max(0, int(ground.min()))
    sk = _Sketch(w, top, h)
    tones = [t for t in s.tones if sum(t) > 0.6][:4] or [s.palette["accent"]]
    stem = _mix(_scale(s.palette["land"], 0.6), s.palette["ink"], 0.3)
    count = int(180 * math.sqrt(w * h / 1e6) * (1.6 if "busy" in s.modifiers else 1.0))
    xs = rng.random(count) * w
    depth = np.sort(rng.random(count) ** 0.7)
    for x, d in zip(xs, depth, strict=True):
        g = float(ground[int(min(x, w - 1))])
        y = g + (h - g) * d * 1.02
        size = u * (0.004 + 0.022 * d) * rng.uniform(0.7, 1.3)
        sk.line([(x, y), (x + rng.normal(0, size * 0.3), y + size * 3)], size * 0.18, stem)
        tone = tones[int(rng.integers(len(tones)))]
        tone = _scale(tone, rng.uniform(0.85, 1.1))
        if size > 6:
            for k in range(5):
                a = k * 2 * math.pi / 5 + d * 7
                sk.ellipse(
                    x + math.cos(a) * size * 0.5,
                    y + math.sin(a) * size * 0.5,
                    size * 0.45,
                    size * 0.45,
                    tone,
                )
            sk.ellipse(x, y, size * 0.25, size * 0.25, s.palette["accent"])
        else:
            sk.ellipse(x, y, size * 0.6, size * 0.5, tone)
    sk.composite(c.rgb)


def _birds(c: Canvas) -> None:
    s = c.scene
    rng = s.rng("birds")
    w, u = s.width, s.unit
    cx, cy = w * rng.uniform(0.25, 0.75), c.horizon * rng.uniform(0.2, 0.5)
    sk = _Sketch(w, 0, int(c.horizon))
    for _ in range(int(rng.integers(3, 9))):
        x, y = cx + rng.normal(0, u * 0.08), cy + rng.normal(0, u * 0.04)
        size = u * rng.uniform(0.008, 0.016)
        sk.line(
            [
                (x - size, y - size * 0.3),
                (x - size * 0.4, y - size * 0.35),
                (x, y),
                (x + size * 0.4, y - size * 0.35),
                (x + size, y - size * 0.3),
            ],
            max(1.0, size * 0.14),
        )
    sk.composite(c.rgb, s.col("ink"), 0.85)


def _rain(c: Canvas) -> None:
    s = c.scene
    rng = s.rng("rain")
    h, w, u = s.height, s.width, s.unit
    sk = _Sketch(w, 0, h, colour=False)
    slant = rng.uniform(-0.25, 0.25)
    for _ in range(int(900 * w * h / 1e6)):
        x, y = rng.random() * w, rng.random() * h
        length = u * rng.uniform(0.02, 0.05)
        sk.line([(x, y), (x + slant * length, y + length)], max(1.0, u * 0.0012))
    sk.composite(c.rgb, s.col("cloud"), 0.22)
