"""The pen every subject draws with: vector shapes in the subject's own units, shaded
like a flat illustration, anti-aliased by supersampling, composited as one layer.

A subject is drawn in units of its own height: y runs up from the ground line (0) to
the top (1), x runs sideways from the centre line. ``facing`` mirrors x, so a drawing
made facing right can face left without a second drawing. Each shape covers only its
own bounding box of the layer, so small details cost little on large pictures.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
from PIL import Image, ImageDraw

from easel.providers._procedural.lettering import text_mask
from easel.providers._procedural.primitives import RGB, Arr, _glow, _mix, _v

Pt = tuple[float, float]
Fill = str | RGB
"""A colour role of the subject's look ("main", "dark", "skin"…) or a literal colour."""
Shade = Literal["flat", "lit", "round", "cyl"]

# Roles that give light rather than reflect it: no shading, no ambient dimming.
EMISSIVE = frozenset({"lamp", "flame", "beam", "screen"})


@dataclass(frozen=True)
class Look:
    """The colours a subject is painted with, and the scene light it sits in."""

    colours: Mapping[str, RGB]
    ambient: RGB
    """Multiplies every reflective colour: dim and blue at night, warm at sunset."""
    light: Pt
    """Unit vector, in picture pixels (y down), pointing towards the light."""
    ink: RGB
    mood: str = "day"
    """The scene's mood ("night", "autumn"…): trees turn, windows light up."""
    named: bool = False
    """The prompt named the main colour, so seasons leave it alone."""
    parts: frozenset[str] = frozenset()
    """Roles whose colour the prompt named ("door" in "a house with a red door")."""

    @property
    def night(self) -> bool:
        return self.mood in ("night", "neon", "space")

    def resolve(self, fill: Fill) -> tuple[RGB, bool]:
        """The colour to paint and whether it glows. "dark:roof" and "light:roof" are
        shades of a role; "tail|main" is the tail's colour if the prompt gave one."""
        if isinstance(fill, str):
            shade, _, role = fill.rpartition(":")
            first, _, fallback = role.partition("|")
            role = first if first in self.colours or not fallback else fallback
            colour = self.colours[role]
            if shade:
                colour = _mix(colour, (0.0, 0.0, 0.0) if shade == "dark" else (1.0, 1.0, 1.0), 0.4)
                fill = role
            if fill in EMISSIVE:
                return colour, True
        else:
            colour = fill
        a = self.ambient
        return (colour[0] * a[0], colour[1] * a[1], colour[2] * a[2]), False


@dataclass(frozen=True)
class Frame:
    """Where a subject stands on the canvas, in picture pixels."""

    x: float
    foot: float
    unit: float
    """Pixels per subject unit: the subject's height."""
    facing: int
    box: tuple[float, float, float, float]
    """Extent of the drawing in subject units: xmin, xmax, ymin, ymax."""
    stretch: float = 1.0
    """Widens the drawing (a bridge that spans the picture); 1 keeps its proportions."""


class Pen:
    """Draws one subject into its own layer; `commit` lays the layer on the picture."""

    def __init__(
        self,
        frame: Frame,
        look: Look,
        canvas_size: tuple[int, int],
        rng: np.random.Generator,
        traits: frozenset[str] = frozenset(),
        words: str | None = None,
        place: str = "ground",
    ) -> None:
        self.frame, self.look, self.rng, self.traits = frame, look, rng, traits
        self.words = words
        """Words the subject carries (a sign's)."""
        self.place = place
        """Where the layout put it ("sky", "water", "portrait"…): a bird in the sky flies."""
        width, height = canvas_size
        u, (x0, x1, y0, y1) = frame.unit, frame.box
        xs = (
            frame.x + frame.facing * x0 * u * frame.stretch,
            frame.x + frame.facing * x1 * u * frame.stretch,
        )
        pad = 3 + u * 0.02
        self.left = max(0, math.floor(min(xs) - pad))
        self.top = max(0, math.floor(frame.foot - y1 * u - pad))
        right = min(width, math.ceil(max(xs) + pad))
        bottom = min(height, math.ceil(frame.foot - y0 * u + pad))
        self.w, self.h = max(0, right - self.left), max(0, bottom - self.top)
        self.rgb = np.zeros((self.h, self.w, 3), dtype=np.float32)
        self.alpha = np.zeros((self.h, self.w), dtype=np.float32)
        area = u * u
        self.ss = 4 if area < 160_000 else 3 if area < 640_000 else 2
        self.glows: list[tuple[float, float, float, RGB, float]] = []

    def recolour(self, **roles: RGB) -> None:
        """Set colours of roles for the rest of the drawing, except roles the prompt named."""
        keep = {k: v for k, v in roles.items() if k not in self.look.parts}
        self.look = replace(self.look, colours={**self.look.colours, **keep})

    # ------------------------------------------------------------------ geometry

    @property
    def px(self) -> float:
        """One picture pixel in subject units: for details that must stay visible."""
        return 1.0 / max(1.0, self.frame.unit)

    def _dev(self, pts: Iterable[Pt]) -> list[Pt]:
        f = self.frame
        sx = f.facing * f.unit * f.stretch
        return [(f.x + x * sx - self.left, f.foot - y * f.unit - self.top) for x, y in pts]

    def _raster(
        self,
        dev: Sequence[Pt],
        reach: float,
        paint: Callable[[ImageDraw.ImageDraw, list[Pt], int], None],
    ) -> tuple[Arr, int, int] | None:
        """Rasterise one shape over its own box; returns (alpha, x0, y0) in layer pixels."""
        xs, ys = [p[0] for p in dev], [p[1] for p in dev]
        x0, y0 = max(0, math.floor(min(xs) - reach)), max(0, math.floor(min(ys) - reach))
        x1, y1 = min(self.w, math.ceil(max(xs) + reach)), min(self.h, math.ceil(max(ys) + reach))
        if x1 <= x0 or y1 <= y0:
            return None
        ss = self.ss
        img = Image.new("L", ((x1 - x0) * ss, (y1 - y0) * ss))
        paint(ImageDraw.Draw(img), [((x - x0) * ss, (y - y0) * ss) for x, y in dev], ss)
        if ss > 1:
            img = img.reduce(ss)
        return np.asarray(img, dtype=np.float32) / np.float32(255), x0, y0

    # -------------------------------------------------------------------- shapes

    def poly(
        self,
        pts: Sequence[Pt],
        fill: Fill,
        shade: Shade = "lit",
        to: Fill | None = None,
        opacity: float = 1.0,
    ) -> None:
        """A filled polygon; ``to`` makes it a vertical gradient from ``fill`` down to it."""
        dev = self._dev(pts)
        if len(dev) >= 3:
            part = self._raster(dev, 1.0, lambda d, local, _: d.polygon(local, fill=255))
            self._fill(part, fill, shade, to, opacity)

    def blob(
        self, pts: Sequence[Pt], fill: Fill, shade: Shade = "round", to: Fill | None = None
    ) -> None:
        """A smooth closed shape through the given points (a Catmull-Rom loop)."""
        self.poly(smooth(pts, closed=True), fill, shade, to)

    def oval(
        self,
        cx: float,
        cy: float,
        rx: float,
        ry: float,
        fill: Fill,
        shade: Shade = "round",
        rot: float = 0.0,
        to: Fill | None = None,
        opacity: float = 1.0,
    ) -> None:
        """An ellipse, optionally turned by ``rot`` radians (counter-clockwise)."""
        self.poly(ellipse_pts(cx, cy, rx, ry, rot), fill, shade, to, opacity)

    def rect(
        self,
        x0: float,
        y0: float,
        x1: float,
        y1: float,
        fill: Fill,
        shade: Shade = "lit",
        r: float = 0.0,
        to: Fill | None = None,
        opacity: float = 1.0,
    ) -> None:
        """An upright rectangle from (x0, y0) to (x1, y1), corners rounded by ``r``."""
        self.poly(rounded_rect(x0, y0, x1, y1, r), fill, shade, to, opacity)

    def stroke(self, pts: Sequence[Pt], width: float, fill: Fill, closed: bool = False) -> None:
        """A line through the points with round ends, ``width`` in subject units (at
        least one pixel)."""
        dev = self._dev([*pts, pts[0]] if closed else pts)
        wpx = max(1.0, width * self.frame.unit)

        def paint(d: ImageDraw.ImageDraw, local: list[Pt], ss: int) -> None:
            lw = max(1, round(wpx * ss))
            d.line(local, fill=255, width=lw, joint="curve")
            r = lw / 2
            for x, y in (local[0], local[-1]):
                d.ellipse((x - r, y - r, x + r, y + r), fill=255)

        self._fill(self._raster(dev, wpx, paint), fill, "flat", None)

    def text(
        self,
        words: str,
        cx: float,
        cy: float,
        size: tuple[float, float],
        fill: Fill,
        weight: int = 700,
    ) -> None:
        """Words centred on (cx, cy), fitted into a (width, height) box of subject units."""
        u = self.frame.unit
        mask = text_mask(words, max(4, round(size[0] * u)), max(4, round(size[1] * u)), weight)
        if mask is None:
            return
        ((dx, dy),) = self._dev([(cx, cy)])
        x0, y0 = round(dx - mask.shape[1] / 2), round(dy - mask.shape[0] / 2)
        cx0, cy0 = max(0, -x0), max(0, -y0)
        cx1, cy1 = min(mask.shape[1], self.w - x0), min(mask.shape[0], self.h - y0)
        if cx1 > cx0 and cy1 > cy0:
            self._fill((mask[cy0:cy1, cx0:cx1], x0 + cx0, y0 + cy0), fill, "flat", None)

    def glow(self, x: float, y: float, radius: float, fill: Fill, strength: float) -> None:
        """A soft light around (x, y), added to the picture itself (it may spill past
        the drawing): lamps, flames, a lighthouse's lantern."""
        colour, _ = self.look.resolve(fill)
        ((dx, dy),) = self._dev([(x, y)])
        r = radius * self.frame.unit
        self.glows.append((dx + self.left, dy + self.top, r, colour, strength))

    # ------------------------------------------------------------------- colour

    def _fill(
        self,
        part: tuple[Arr, int, int] | None,
        fill: Fill,
        shade: Shade,
        to: Fill | None,
        opacity: float = 1.0,
    ) -> None:
        if part is None:
            return
        a, x0, y0 = part
        if opacity < 1.0:
            a = a * np.float32(opacity)
        h, w = a.shape
        colour, glows = self.look.resolve(fill)
        col: Arr = _v(colour)
        if to is not None:
            bottom, _ = self.look.resolve(to)
            t = np.linspace(0.0, 1.0, h, dtype=np.float32)[:, None, None]
            col = col + (_v(bottom) - col) * t
        if not glows and shade != "flat":
            col = col * self._shading(shade, h, w)[..., None]
        rgb, alpha = self.rgb[y0 : y0 + h, x0 : x0 + w], self.alpha[y0 : y0 + h, x0 : x0 + w]
        rgb += (col - rgb) * a[..., None]
        alpha += (1 - alpha) * a

    def _shading(self, shade: Shade, h: int, w: int) -> Arr:
        """Brightness over a part's box: lighter on the side that faces the light."""
        lx, ly = self.look.light
        ys = np.linspace(-1.0, 1.0, h, dtype=np.float32)[:, None]
        xs = np.linspace(-1.0, 1.0, w, dtype=np.float32)[None, :]
        if shade == "round":
            d2 = (xs - np.float32(lx * 0.45)) ** 2 + (ys - np.float32(ly * 0.45)) ** 2
            return np.asarray(np.clip(1.16 - 0.32 * d2, 0.55, 1.2), dtype=np.float32)
        if shade == "cyl":
            d2 = (xs - np.float32(0.4 * math.copysign(1.0, lx or 1.0))) ** 2
            across = np.asarray(np.clip(1.14 - 0.3 * d2, 0.6, 1.2), dtype=np.float32)
            return np.broadcast_to(across, (h, w))
        return np.asarray(1 + 0.13 * (xs * lx + ys * ly), dtype=np.float32)

    # ------------------------------------------------------------------- commit

    def commit(
        self, rgb: Arr, outline: float = 0.012, shadow: float = 0.0, reflect: RGB | None = None
    ) -> None:
        """Lay the layer on the picture: a soft ground shadow, a thin dark silhouette
        line, and for things afloat a rippled reflection below the waterline."""
        if self.w == 0 or self.h == 0:
            return
        if shadow:
            self._shadow(rgb, shadow)
        if reflect is not None:
            self._reflect(rgb, reflect)
        if outline:
            self._outline(rgb, outline)
        # The layer is premultiplied: colour already carries its coverage.
        rows, cols = self._extent()
        region = rgb[self.top : self.top + self.h, self.left : self.left + self.w][rows, cols]
        region *= (1 - self.alpha[rows, cols])[..., None]
        region += self.rgb[rows, cols]
        for x, y, r, colour, strength in self.glows:
            _glow(rgb, x, y, r, _v(colour), strength)

    def _extent(self) -> tuple[slice, slice]:
        """The rows and columns of the layer that anything was drawn on."""
        rows = np.flatnonzero(self.alpha.any(axis=1))
        cols = np.flatnonzero(self.alpha.any(axis=0))
        if rows.size == 0:
            return slice(0, 0), slice(0, 0)
        return slice(int(rows[0]), int(rows[-1]) + 1), slice(int(cols[0]), int(cols[-1]) + 1)

    def _outline(self, rgb: Arr, width: float) -> None:
        """A dark line around the silhouette: the coverage grown by a few pixels, minus
        the coverage itself (a separable max filter on bytes: cheap on large layers)."""
        k = min(4, max(1, round(width * self.frame.unit)))
        cover = np.round(self.alpha * 255).astype(np.uint8)
        grown = cover.copy()
        for axis in (0, 1):
            for _ in range(k):
                step = grown.copy()
                if axis == 0:
                    np.maximum(step[1:], grown[:-1], out=step[1:])
                    np.maximum(step[:-1], grown[1:], out=step[:-1])
                else:
                    np.maximum(step[:, 1:], grown[:, :-1], out=step[:, 1:])
                    np.maximum(step[:, :-1], grown[:, 1:], out=step[:, :-1])
                grown = step
        ring = (grown - cover).astype(np.float32) * np.float32(0.75 / 255)
        region = rgb[self.top : self.top + self.h, self.left : self.left + self.w]
        region += (_v(self.look.ink) - region) * ring[..., None]

    def _shadow(self, rgb: Arr, strength: float) -> None:
        f = self.frame
        half = (self.frame.box[1] - self.frame.box[0]) * 0.5 * f.unit * 0.9
        ry = max(1.0, half * 0.14)
        x0, x1 = math.floor(f.x - half * 1.3), math.ceil(f.x + half * 1.3)
        y0, y1 = math.floor(f.foot - ry * 2), math.ceil(f.foot + ry * 2)
        cx0, cy0 = max(0, x0), max(0, y0)
        cx1, cy1 = min(rgb.shape[1], x1), min(rgb.shape[0], y1)
        if cx1 <= cx0 or cy1 <= cy0:
            return
        ys = np.arange(cy0, cy1, dtype=np.float32)[:, None]
        xs = np.arange(cx0, cx1, dtype=np.float32)[None, :]
        d2 = ((xs - f.x) / np.float32(half)) ** 2 + ((ys - f.foot) / np.float32(ry)) ** 2
        a = np.exp(-d2 * 2.2) * np.float32(strength)
        region = rgb[cy0:cy1, cx0:cx1]
        region *= (1 - a)[..., None]

    def _reflect(self, rgb: Arr, water: RGB) -> None:
        """A mirrored, rippled, fading copy of the layer below the waterline."""
        waterline = round(self.frame.foot) - self.top
        above = min(waterline, self.h)
        if above <= 0:
            return
        rows = min(above, rgb.shape[0] - (self.top + waterline))
        if rows <= 0:
            return
        src = waterline - 1 - np.arange(rows)
        t = np.arange(rows, dtype=np.float32) / np.float32(max(1, above))
        shift = np.round(
            np.sin(np.arange(rows) * 0.9) * (1 + 3 * t) * max(1.0, self.frame.unit * 0.006)
        )
        cols = np.clip(np.arange(self.w)[None, :] + shift[:, None].astype(np.int64), 0, self.w - 1)
        fade = (np.float32(0.55) * (1 - t) ** 1.5)[:, None]
        cover = self.alpha[src[:, None], cols]
        # Premultiplied colour, tinted towards the water it is seen through.
        col = self.rgb[src[:, None], cols] * np.float32(0.65)
        col += _v(water) * (cover * np.float32(0.35))[..., None]
        y0 = self.top + waterline
        region = rgb[y0 : y0 + rows, self.left : self.left + self.w]
        region *= (1 - cover * fade)[..., None]
        region += col * fade[..., None]


# ----------------------------------------------------------------------- point helpers


def ellipse_pts(
    cx: float, cy: float, rx: float, ry: float, rot: float = 0.0, n: int = 48
) -> list[Pt]:
    c, s = math.cos(rot), math.sin(rot)
    out: list[Pt] = []
    for i in range(n):
        a = 2 * math.pi * i / n
        x, y = rx * math.cos(a), ry * math.sin(a)
        out.append((cx + x * c - y * s, cy + x * s + y * c))
    return out


def arc(cx: float, cy: float, rx: float, ry: float, a0: float, a1: float, n: int = 16) -> list[Pt]:
    """Points along an elliptical arc, angles in degrees, counter-clockwise, 0 = right."""
    return [
        (
            cx + rx * math.cos(math.radians(a0 + (a1 - a0) * i / (n - 1))),
            cy + ry * math.sin(math.radians(a0 + (a1 - a0) * i / (n - 1))),
        )
        for i in range(n)
    ]


def rounded_rect(x0: float, y0: float, x1: float, y1: float, r: float) -> list[Pt]:
    x0, x1 = min(x0, x1), max(x0, x1)
    y0, y1 = min(y0, y1), max(y0, y1)
    r = min(r, (x1 - x0) / 2, (y1 - y0) / 2)
    if r <= 0:
        return [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]
    return [
        *arc(x1 - r, y0 + r, r, r, 270, 360, 6),
        *arc(x1 - r, y1 - r, r, r, 0, 90, 6),
        *arc(x0 + r, y1 - r, r, r, 90, 180, 6),
        *arc(x0 + r, y0 + r, r, r, 180, 270, 6),
    ]


def smooth(pts: Sequence[Pt], closed: bool = False, steps: int = 8) -> list[Pt]:
    """A Catmull-Rom spline through the points: organic outlines from a few of them."""
    n = len(pts)
    if n < 3:
        return list(pts)
    out: list[Pt] = []
    last = n if closed else n - 1
    for i in range(last):
        p0 = pts[(i - 1) % n] if closed or i > 0 else pts[0]
        p1, p2 = pts[i], pts[(i + 1) % n]
        p3 = pts[(i + 2) % n] if closed or i + 2 < n else pts[-1]
        for k in range(steps):
            t = k / steps
            t2, t3 = t * t, t * t * t
            out.append(
                tuple(  # type: ignore[arg-type]
                    0.5
                    * (
                        2 * p1[j]
                        + (p2[j] - p0[j]) * t
                        + (2 * p0[j] - 5 * p1[j] + 4 * p2[j] - p3[j]) * t2
                        + (3 * p1[j] - p0[j] - 3 * p2[j] + p3[j]) * t3
                    )
                    for j in (0, 1)
                )
            )
    if not closed:
        out.append(pts[-1])
    return out


def star(cx: float, cy: float, r: float, points: int = 5, inner: float = 0.45) -> list[Pt]:
    """A star's outline, one point up."""
    return [
        (
            cx + r * (1 if k % 2 == 0 else inner) * math.cos(math.pi / 2 + k * math.pi / points),
            cy + r * (1 if k % 2 == 0 else inner) * math.sin(math.pi / 2 + k * math.pi / points),
        )
        for k in range(2 * points)
    ]


def mirror(pts: Sequence[Pt]) -> list[Pt]:
    """A left-right symmetric outline from its right half (top to bottom)."""
    return [*pts, *((-x, y) for x, y in reversed(pts))]
