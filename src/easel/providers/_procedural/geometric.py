"""Geometric layout: a gridded ground and planned shapes drawn from distance fields."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from easel.providers._procedural.canvas import Canvas, _Sketch
from easel.providers._procedural.plan import Scene
from easel.providers._procedural.primitives import (
    RGB,
    Arr,
    _blend,
    _grid,
    _hsv_adjust,
    _local,
    _low_shape,
    _mix,
    _resize_rgb,
    _scale,
    _smoothstep,
    _v,
    _window,
)


@dataclass(frozen=True)
class _Shape:
    kind: str
    cx: float
    cy: float
    size: float
    angle: float
    colour: RGB
    multiply: bool = False


_SHAPE_WEIGHTS: dict[str, float] = {
    "circle": 3, "half": 2, "quarter": 1.5, "ring": 1.5, "rect": 2.5, "triangle": 1.5,
    "stripes": 1.2, "dots": 1.0, "wave": 1.0,
}  # fmt: skip
_SHAPE_BOOST: dict[str, tuple[str, ...]] = {
    "circles": ("circle", "half", "ring", "dots"),
    "squares": ("rect",),
    "triangles": ("triangle",),
    "lines": ("stripes",),
    "waves": ("wave",),
}


def _luma(c: RGB | Arr) -> float:
    return float(0.3 * c[0] + 0.59 * c[1] + 0.11 * c[2])


def _compose_geometric(c: Canvas) -> None:
    """A paper-like ground on a grid; the shape list is planned here, painted later."""
    s = c.scene
    rng = s.rng("geometric")
    h, w = s.height, s.width
    dark = s.night or "dark" in s.modifiers
    if dark:
        bg = _scale(s.palette["sky_top"], 1.2)
    else:
        bg = _mix(s.palette["sky_low"], (0.97, 0.95, 0.9), 0.45)
    bg2 = _mix(bg, s.tones[-1], 0.25)
    lh, lw = _low_shape(h, w, 256)
    ys, xs = _grid(h, w, lh, lw)
    t = np.clip((xs / np.float32(w) + ys / np.float32(h)) * 0.5, 0.0, 1.0)[..., None]
    base = _v(bg) + (_v(bg2) - _v(bg)) * t
    c.rgb[:] = _resize_rgb(base, w, h)
    if rng.random() < 0.6:  # a large colour field anchors the composition
        tone = _v(_mix(bg, s.tones[int(rng.integers(len(s.tones)))], 0.55))
        if rng.random() < 0.5:
            y0 = int(h * rng.uniform(0.55, 0.72))
            c.rgb[y0:] = tone
        else:
            x0 = int(w * rng.uniform(0.55, 0.7))
            c.rgb[:, x0:] = tone
    c.shapes = _plan_shapes(s, rng, bg)


def _plan_shapes(s: Scene, rng: np.random.Generator, bg: RGB) -> list[_Shape]:
    w, h = s.width, s.height
    weights = dict(_SHAPE_WEIGHTS)
    for element, kinds in _SHAPE_BOOST.items():
        if element in s.elements:
            for k in kinds:
                weights[k] *= 5
    names, p = list(weights), np.array(list(weights.values()))
    p = p / p.sum()
    # Shapes need to stand off the ground: deepen tones that are too close to it.
    tones = [
        t if abs(_luma(t) - _luma(bg)) > 0.2 else _hsv_adjust(t, sat=1.5, val=0.8) for t in s.tones
    ]
    cols = max(3, round(3 * w / h)) if w >= h else 3
    rows = max(2, round(cols * h / w))
    module = min(w / cols, h / rows)
    count = {"minimal": (2, 3), "busy": (4, 12)}
    big, small = next((count[m] for m in ("minimal", "busy") if m in s.modifiers), (3, 6))
    shapes: list[_Shape] = []
    order = rng.permutation(len(tones))
    thirds = (1 / 3, 1 / 2, 2 / 3)
    anchors = [(ax, ay) for ax in thirds for ay in thirds if (ax, ay) != (0.5, 0.5)]
    anchors = [anchors[k] for k in rng.permutation(len(anchors))]
    for i in range(big + small):
        large = i < big
        gx, gy = int(rng.integers(0, cols + 1)), int(rng.integers(0, rows + 1))
        if large:  # each large shape on its own point of the thirds; the first one leads
            ax, ay = anchors[i % len(anchors)]
            cx = w * ax + rng.normal(0, w * 0.04)
            cy = h * ay + rng.normal(0, h * 0.04)
            size = module * rng.uniform(0.6, 0.9) * (1.3 if i == 0 else 1.0)
        else:
            cx = w * (min(gx, cols - 1) + rng.uniform(0.25, 0.75)) / cols
            cy = h * (min(gy, rows - 1) + rng.uniform(0.25, 0.75)) / rows
            size = module * rng.uniform(0.2, 0.45)
        cx = float(np.clip(cx, module * 0.3, w - module * 0.3))
        cy = float(np.clip(cy, module * 0.3, h - module * 0.3))
        angle = float(rng.integers(0, 4)) * math.pi / 2 + (
            rng.normal(0, 0.25) if rng.random() < 0.3 else 0
        )
        tone = tones[int(order[i % len(order)])]
        kind = str(rng.choice(names, p=p))
        shapes.append(_Shape(kind, cx, cy, size, angle, tone, multiply=bool(rng.random() < 0.3)))
    return shapes


def _sdf(shape: _Shape, ys: Arr, xs: Arr) -> Arr:
    """Signed distance (px, negative inside) to a shape; gives anti-aliasing and soft
    shadows from one function."""
    x, y = xs - shape.cx, ys - shape.cy
    r = np.float32(shape.size)
    ca, sa = np.float32(math.cos(shape.angle)), np.float32(math.sin(shape.angle))
    qx, qy = x * ca + y * sa, y * ca - x * sa
    d: Arr
    if shape.kind in ("circle", "half", "quarter", "ring"):
        dist = np.sqrt(x * x + y * y)
        d = dist - r
        if shape.kind == "half":
            d = np.maximum(d, qy)
        elif shape.kind == "quarter":
            d = np.maximum(np.maximum(d, qy), -qx)
        elif shape.kind == "ring":
            d = np.abs(dist - r * 0.8) - r * 0.16
    elif shape.kind == "triangle":
        d = np.full(np.broadcast_shapes(xs.shape, ys.shape), -np.inf, dtype=np.float32)
        for k in range(3):
            a = k * 2 * math.pi / 3
            d = np.maximum(d, qx * np.float32(math.cos(a)) + qy * np.float32(math.sin(a)) - r * 0.5)
    else:
        box = np.maximum(
            np.abs(qx) - r * 0.9, np.abs(qy) - r * (0.9 if shape.kind == "rect" else 0.6)
        )
        if shape.kind == "stripes":
            period = r * 0.22
            d = np.maximum(box, np.abs((qy % period) - period / 2) - period * 0.22)
        elif shape.kind == "dots":
            period = r * 0.3
            mx, my = (qx % period) - period / 2, (qy % period) - period / 2
            d = np.maximum(box, np.sqrt(mx * mx + my * my) - period * 0.22)
        elif shape.kind == "wave":
            wave = qy - r * 0.25 * np.sin(qx / (r * 0.18))
            d = np.maximum(np.abs(qx) - r * 1.1, np.abs(wave) - r * 0.09)
        else:
            d = box
    return d


def _draw_shape(c: Canvas, shape: _Shape) -> None:
    h, w = c.scene.height, c.scene.width
    soft = shape.size * 0.12
    off = shape.size * 0.05
    reach = shape.size * 1.35 + soft + off
    x0, y0, x1, y1 = _window(shape.cx, shape.cy, reach, reach, w, h)
    if x0 >= x1 or y0 >= y1:
        return
    ys, xs = _local(x0, y0, x1, y1)
    region = c.rgb[y0:y1, x0:x1]
    if not shape.multiply:  # soft drop shadow from the same distance field, shifted
        sd = _sdf(shape, ys - np.float32(off), xs - np.float32(off * 0.6))
        shadow = (1 - _smoothstep(-soft, soft, sd)) * np.float32(0.22)
        region *= (1 - shadow)[..., None]
    alpha = np.clip(0.5 - _sdf(shape, ys, xs), 0.0, 1.0)
    colour = _v(shape.colour)
    if shape.multiply:  # overprint, like a second ink pass
        colour = region * colour
        alpha = alpha * np.float32(0.9)
    _blend(c.rgb, colour, alpha, y0, x0)


def _paint_large_shapes(c: Canvas) -> None:
    for shape in c.shapes:
        if shape.size >= min(c.scene.width, c.scene.height) * 0.15:
            _draw_shape(c, shape)


def _paint_small_shapes(c: Canvas) -> None:
    for shape in c.shapes:
        if shape.size < min(c.scene.width, c.scene.height) * 0.15:
            _draw_shape(c, shape)


def _paint_accents(c: Canvas) -> None:
    """Thin lines and a few dots tie the shapes together."""
    s = c.scene
    rng = s.rng("accents")
    h, w, u = s.height, s.width, s.unit
    sk = _Sketch(w, 0, h)
    ink = (
        s.palette["ink"]
        if _luma(c.rgb[h // 2, w // 2]) > 0.35
        else _mix(s.palette["cloud"], (1, 1, 1), 0.5)
    )
    for _ in range(int(rng.integers(1, 4))):
        if rng.random() < 0.5:
            y = h * rng.uniform(0.1, 0.9)
            sk.line([(w * rng.uniform(0, 0.3), y), (w * rng.uniform(0.6, 1.0), y)], u * 0.004, ink)
        else:
            x = w * rng.uniform(0.1, 0.9)
            sk.line([(x, h * rng.uniform(0, 0.3)), (x, h * rng.uniform(0.6, 1.0))], u * 0.004, ink)
    for _ in range(int(rng.integers(3, 9))):
        r = u * rng.uniform(0.006, 0.02)
        tone = s.tones[int(rng.integers(len(s.tones)))]
        sk.ellipse(w * rng.random(), h * rng.random(), r, r, tone)
    sk.composite(c.rgb)
