"""The canvas the stages paint on, and a supersampled sketch surface for silhouettes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from PIL import Image, ImageDraw

from easel.providers._procedural.plan import Scene
from easel.providers._procedural.primitives import RGB, Arr, _blend

if TYPE_CHECKING:
    from easel.providers._procedural.geometric import _Shape


@dataclass
class Canvas:
    """The picture being painted, plus what earlier stages decided for later ones."""

    scene: Scene
    rgb: Arr
    horizon: float = 0.0
    light: tuple[float, float] = (0.0, 0.0)
    light_r: float = 0.0
    body: str | None = None
    ground: Arr | None = None
    """Top edge of the nearest ground, per column, for things that stand on it."""
    shapes: list[_Shape] = field(default_factory=list)


def new_canvas(scene: Scene) -> Canvas:
    return Canvas(scene, np.zeros((scene.height, scene.width, 3), dtype=np.float32))


class _Sketch:
    """A PIL drawing surface over rows [top, bottom): vector shapes, supersampled so
    small silhouettes (trees, birds, flowers) get anti-aliased edges."""

    def __init__(self, width: int, top: int, bottom: int, *, colour: bool = True) -> None:
        self.top, self.bottom, self.width = top, bottom, width
        self.ss = 2 if width * (bottom - top) <= 2_500_000 else 1
        size = (width * self.ss, max(1, bottom - top) * self.ss)
        self.mask = Image.new("L", size)
        self._mask = ImageDraw.Draw(self.mask)
        self.paint = Image.new("RGB", size) if colour else None
        self._paint = ImageDraw.Draw(self.paint) if self.paint else None

    def _xy(self, pts: Iterable[tuple[float, float]]) -> list[tuple[float, float]]:
        s = self.ss
        return [(x * s, (y - self.top) * s) for x, y in pts]

    def _fill(self, colour: RGB | None) -> tuple[int, int, int]:
        c = colour or (1.0, 1.0, 1.0)
        return (int(c[0] * 255 + 0.5), int(c[1] * 255 + 0.5), int(c[2] * 255 + 0.5))

    def polygon(self, pts: Iterable[tuple[float, float]], colour: RGB | None = None) -> None:
        xy = self._xy(pts)
        self._mask.polygon(xy, fill=255)
        if self._paint:
            self._paint.polygon(xy, fill=self._fill(colour))

    def ellipse(
        self, cx: float, cy: float, rx: float, ry: float, colour: RGB | None = None
    ) -> None:
        (x0, y0), (x1, y1) = self._xy([(cx - rx, cy - ry), (cx + rx, cy + ry)])
        box = (x0, y0, max(x0, x1), max(y0, y1))
        self._mask.ellipse(box, fill=255)
        if self._paint:
            self._paint.ellipse(box, fill=self._fill(colour))

    def line(
        self, pts: Iterable[tuple[float, float]], width: float, colour: RGB | None = None
    ) -> None:
        xy = self._xy(pts)
        lw = max(1, round(width * self.ss))
        self._mask.line(xy, fill=255, width=lw, joint="curve")
        if self._paint:
            self._paint.line(xy, fill=self._fill(colour), width=lw, joint="curve")

    def composite(self, rgb: Arr, colour: Arr | None = None, opacity: float = 1.0) -> None:
        top, bottom = max(0, self.top), min(rgb.shape[0], self.bottom)
        if bottom <= top:
            return
        mask = self.mask.reduce(self.ss) if self.ss > 1 else self.mask
        alpha = np.asarray(mask, dtype=np.float32) / np.float32(255)
        if colour is None and self.paint is not None:
            paint = self.paint.reduce(self.ss) if self.ss > 1 else self.paint
            # The paint is black outside shapes, so edge pixels are premultiplied: undo it.
            colour = np.asarray(paint, dtype=np.float32) / np.float32(255)
            colour /= np.maximum(alpha, np.float32(1 / 255))[..., None]
        if colour is None:
            colour = np.ones(3, dtype=np.float32)
        sl = slice(top - self.top, bottom - self.top)
        col = colour[sl] if colour.ndim == 3 else colour
        _blend(rgb, col, alpha[sl] * np.float32(opacity), y0=top)
