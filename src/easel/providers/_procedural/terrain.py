"""Landscape terrain: mountains, hills, dunes and islands in layers, and trees on them."""

from __future__ import annotations

import math

import numpy as np

from easel.providers._procedural.canvas import Canvas, _Sketch
from easel.providers._procedural.plan import Scene
from easel.providers._procedural.primitives import (
    RGB,
    Arr,
    _blend,
    _mix,
    _noise,
    _ridge,
    _scale,
    _smoothstep,
    _v,
)


def _paint_terrain(c: Canvas) -> None:
    """Mountains, hills or dunes from far to near; forests grow on the layers they cover."""
    s, e = c.scene, c.scene.elements
    rng = s.rng("terrain")
    h, w = s.height, s.width
    hz, water = c.horizon, "water" in e
    haze = _mix(s.palette["sky_low"], s.palette["far"], 0.3)
    mist = 0.75 if "misty" in s.modifiers else 0.45
    rough = 0.55 if "calm" in s.modifiers else 1.0
    tall = 1.35 if "dramatic" in s.modifiers else 1.0
    far, land = s.palette["far"], s.palette["land"]
    if "mountains" in e:
        n = 3 + ("dramatic" in s.modifiers) - ("minimal" in s.modifiers)
        for i in range(n):
            depth = i / max(1, n - 1)
            peak = hz * (0.5 - 0.14 * depth) * tall * rng.uniform(0.8, 1.05)
            freq = (1.2 + 0.8 * i) * w / h
            # Straight-sided envelope for peaks, fractal detail for broken rock.
            shape = 0.7 * _ridge(rng, w, freq * 0.6, 2, persistence=0.4)
            shape += 0.35 * rough * _ridge(rng, w, freq * 3, 6, persistence=0.55)
            shape = (shape - shape.min()) / max(1e-6, float(np.ptp(shape)))
            ridge = hz - peak * (0.15 + 0.85 * shape**1.3)
            colour = _mix(haze, _mix(far, _scale(land, 0.55), depth), 0.45 + 0.55 * depth)
            snow = "snow" in e or (depth < 0.6 and s.mood == "day" and rng.random() < 0.4)
            _terrain_layer(
                c,
                ridge,
                colour,
                haze,
                base=hz,
                mist=mist * (1 - 0.5 * depth),
                lit=0.3 * (0.35 + 0.65 * depth),
                snow=snow,
                rng=rng,
                texture=0.02 + 0.04 * depth,
                stop=hz,
            )
    if "island" in e:
        cx = w * (1 - c.light[0] / w) * rng.uniform(0.85, 1.15)
        half = w * rng.uniform(0.12, 0.2)
        bump = np.clip(1 - ((np.arange(w, dtype=np.float32) - cx) / np.float32(half)) ** 2, 0, 1)
        noise = 0.8 + 0.2 * _ridge(rng, w, 8, 3)
        ridge = hz + 1 - (h * 0.1 * rng.uniform(0.7, 1.3)) * bump**0.7 * noise
        _terrain_layer(
            c,
            ridge,
            _mix(haze, _scale(land, 0.5), 0.7),
            haze,
            base=hz,
            mist=0.3,
            lit=0.2,
            rng=rng,
            stop=hz,
        )
        if "trees" in e:
            _tree_row(c, ridge, (h * 0.035, h * 0.06), _mix(haze, _scale(land, 0.4), 0.8), rng)
    if water:
        if "hills" in e or "dunes" in e or ("trees" in e and "mountains" not in e):
            ridge = hz + 1 - h * 0.05 * (0.6 + 0.4 * _ridge(rng, w, 3 * w / h, 3, smooth=True))
            colour = _mix(haze, _scale(land, 0.7), 0.6)
            _terrain_layer(c, ridge, colour, haze, base=hz, mist=0.3, lit=0.15, rng=rng, stop=hz)
            if "trees" in e:
                _tree_row(c, ridge, (h * 0.03, h * 0.05), _mix(colour, s.palette["ink"], 0.3), rng)
        return
    _paint_ground(c, rng, haze)


def _paint_ground(c: Canvas, rng: np.random.Generator, haze: RGB) -> None:
    """Land from the horizon to the bottom edge: layers of hills, dunes or fields."""
    s, e = c.scene, c.scene.elements
    h, w, hz = s.height, s.width, c.horizon
    land, ink = s.palette["land"], s.palette["ink"]
    dunes = "dunes" in e
    hilly = "hills" in e or dunes or "trees" in e
    n = 4 if hilly else 3
    dark = 0.45 if s.night else 0.8
    step = (h - hz) * 0.5 / (n - 1)
    ridges: list[Arr] = []
    for i in range(n):
        amp = (h - hz) * (0.16 if hilly else 0.07) * (0.8 + 0.6 * i / (n - 1))
        shape = _ridge(rng, w, (0.8 + i * 0.4) * w / h, 4, persistence=0.4, smooth=True)
        shape = 2 * (shape - shape.min()) / max(1e-6, float(np.ptp(shape))) - 1
        if dunes:  # sharp crests: folded noise
            shape = 1 - 2 * np.abs(shape)
        ridges.append(hz + step * i - amp * (0.5 + 0.5 * shape))
    for i, ridge in enumerate(ridges):
        depth = i / (n - 1)
        stop = float(ridges[i + 1].max()) if i + 1 < n else None
        colour = _mix(haze, _scale(land, dark + 0.3 * (1 - depth)), 0.4 + 0.6 * depth)
        colour = _mix(colour, ink, 0.35 * depth**2)
        _terrain_layer(
            c,
            ridge,
            colour,
            haze,
            base=float(ridge.mean()) + step * 1.2,
            mist=0.35 * (1 - depth),
            lit=0.6 if dunes else 0.2,
            rng=rng,
            texture=0.04,
            crest=0.12,
            reach=0.035,
            stop=stop,
        )
        if "trees" in e and i < n - 1:
            size = h * (0.05 + 0.1 * depth)
            tree_col = _mix(colour, _scale(land, 0.6), 0.4)
            _tree_row(c, ridge, (size * 0.7, size * 1.3), tree_col, rng)
        c.ground = ridge


def _terrain_layer(
    c: Canvas,
    ridge: Arr,
    colour: RGB,
    haze: RGB,
    *,
    base: float,
    mist: float,
    lit: float,
    rng: np.random.Generator,
    snow: bool = False,
    texture: float = 0.06,
    crest: float = 0.0,
    reach: float = 0.2,
    stop: float | None = None,
) -> None:
    """Fill below a ridge line, lit on the faces turned to the light, hazy at the base.

    ``stop`` is where nearer layers take over; painting below it would be wasted.
    """
    s = c.scene
    w = s.width
    h = s.height if stop is None else min(s.height, math.ceil(stop) + 1)
    top = max(0, int(np.floor(ridge.min())))
    if top >= h:
        return
    ys = np.arange(top, h, dtype=np.float32)[:, None]
    depth = ys - ridge[None, :]
    alpha = np.clip(depth + 0.5, 0.0, 1.0)
    # Faces rising towards the light are lit; smooth the slope so whole faces share it.
    toward = 1.0 if c.light[0] < w / 2 else -1.0
    big = _face(ridge, toward, max(3, w // 25))
    small = _face(ridge, toward, max(2, w // 300))
    # Ridgelines run down and outwards from the crests: a pixel below a slope takes its
    # light from the crest up-slope of it, so face boundaries slant instead of dropping.
    uphill = np.tanh(_face(ridge, 1.0, max(3, w // 25)) * 3)
    lean = (uphill * 0.7)[None, :]
    xi = np.clip(np.arange(w, dtype=np.float32)[None, :] + depth * lean, 0, w - 1).astype(np.int64)
    far = np.float32(max(4.0, h * reach))
    near = np.float32(max(2.0, h * 0.025))
    light = big[xi] * np.exp(-depth / far) + 0.6 * small[xi] * np.exp(-depth / near)
    shade = 1 + np.float32(lit) * light
    if crest:  # rim light along the top edge, then the layer darkens downwards
        shade += np.float32(crest) * (np.exp(-depth / near) - np.clip(depth / far, 0, 1) * 0.8)
    if texture:
        tex = _noise(rng, h - top, w, cells=10, octaves=3, stretch=3.0, max_side=256)
        shade += np.float32(texture) * tex
    col = _v(colour) * shade[..., None]
    span = np.maximum(np.float32(base) - ridge, np.float32(4.0))[None, :]
    fog = np.clip(depth / span, 0.0, 1.0) ** 2 * np.float32(mist)
    col += (_v(haze) - col) * fog[..., None]
    if snow:
        lo, hi = float(ridge.min()), float(base)
        peak = np.clip((hi - ridge) / max(1.0, hi - lo), 0.0, 1.0) ** 2
        reach_snow = (hi - lo) * 0.4 * peak * (0.7 + 0.3 * _ridge(rng, w, 30, 2))
        cap = 1 - _smoothstep(0.0, 1.0, depth / np.maximum(reach_snow, 1e-3)[None, :])
        snow_col = (
            _v(s.palette["cloud_shade"])
            + (_v(s.palette["cloud"]) - _v(s.palette["cloud_shade"]))
            * np.clip(0.5 + light, 0.0, 1.0)[..., None]
        )
        col += (snow_col - col) * (cap * 0.92)[..., None]
    _blend(c.rgb, col, alpha, y0=top)


def _face(ridge: Arr, toward: float, k: int) -> Arr:
    """How much each column's slope faces the light, -1..1, smoothed over k columns."""
    slope = np.convolve(np.gradient(ridge), np.ones(k, dtype=np.float32) / k, mode="same")
    return np.clip(-slope * toward * 2.0, -1.0, 1.0).astype(np.float32)


def _tree_kind(s: Scene) -> str:
    if s.mood in ("autumn", "spring", "tropical"):
        return "round"
    if s.mood in ("winter", "night", "mystic", "storm") or "mountains" in s.elements:
        return "pine" if s.rng("tree-kind").random() < 0.75 else "round"
    return "pine" if s.rng("tree-kind").random() < 0.3 else "round"


def _tree_colours(s: Scene, base: RGB) -> list[RGB]:
    if s.mood == "autumn":
        return [base, _mix(base, s.palette["accent"], 0.6), _mix(base, (0.7, 0.15, 0.08), 0.5)]
    if s.mood == "spring":
        return [base, base, _mix(base, s.palette["accent"], 0.55)]
    return [base]


def _tree(
    sk: _Sketch,
    kind: str,
    x: float,
    base: float,
    height: float,
    colour: RGB,
    rng: np.random.Generator,
) -> None:
    if kind == "pine":
        half, tiers = height * 0.2, 5
        right: list[tuple[float, float]] = []
        for k in range(1, tiers + 1):
            y = base - height + height * 0.88 * k / tiers
            reach = half * (k / tiers) ** 0.85
            right += [(x + reach, y), (x + reach * 0.45, y - height * 0.03)]
        trunk = max(0.6, height * 0.025)
        right = [*right[:-1], (x + trunk, right[-1][1]), (x + trunk, base), (x - trunk, base)]
        left = [(2 * x - px, py) for px, py in right[:-3][::-1]]
        sk.polygon([(x, base - height), *right, (x - trunk, right[-3][1]), *left], colour)
        return
    trunk = max(0.6, height * 0.04)
    bark = _mix(_scale(colour, 0.5), (0.1, 0.06, 0.04), 0.5)
    sk.polygon(
        [
            (x - trunk, base),
            (x + trunk, base),
            (x + trunk * 0.6, base - height * 0.6),
            (x - trunk * 0.6, base - height * 0.6),
        ],
        bark,
    )
    r = height * 0.3
    for _ in range(5):
        ox, oy = rng.normal(0, r * 0.35), rng.normal(0, r * 0.25)
        rr = r * rng.uniform(0.55, 0.8)
        sk.ellipse(x + ox, base - height + r + oy, rr, rr * 0.9, colour)
    sk.ellipse(x - r * 0.25, base - height + r * 0.75, r * 0.4, r * 0.35, _scale(colour, 1.12))


def _tree_row(
    c: Canvas, ridge: Arr, size: tuple[float, float], colour: RGB, rng: np.random.Generator
) -> None:
    """A line of trees standing on a ridge; they overlap into a forest edge."""
    s = c.scene
    h, w = s.height, s.width
    kind = _tree_kind(s)
    top = max(0, int(ridge.min() - size[1] * 1.1))
    sk = _Sketch(w, top, h)
    colours = _tree_colours(s, colour)
    x = -size[1] * rng.uniform(0, 0.5)
    while x < w + size[1]:
        height = rng.uniform(*size)
        foot = float(ridge[int(np.clip(x, 0, w - 1))]) + height * 0.04
        tone = colours[int(rng.integers(len(colours)))]
        _tree(sk, kind, x, foot, height, _scale(tone, rng.uniform(0.9, 1.1)), rng)
        x += height * rng.uniform(0.22, 0.45) * (1 if kind == "pine" else 1.4)
    sk.composite(c.rgb)
