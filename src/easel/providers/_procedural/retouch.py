"""The painter's means applied to a picture it did not paint: colour words and moods
from the prompt, the finishing treatments (watercolor, mosaic, bloom, fog, colour
draining), a warped and recoloured redraw for variations.

Pictures are worked on at most `PAINT_SIDE` px long, the painter's own limit; larger
ones are scaled down first (a result may come back smaller than its source).
"""

from __future__ import annotations

import dataclasses
import hashlib

import numpy as np
from PIL import Image

from easel.imaging._pixels import Floats, has_alpha, map_colours, plain, rgb_floats, to_bytes
from easel.imaging.palette import Swatch, extract_palette
from easel.providers._procedural.canvas import Canvas
from easel.providers._procedural.finishing import (
    _bloom,
    _drain,
    _fog,
    _grain,
    _mosaic,
    _watercolor,
)
from easel.providers._procedural.plan import Scene, _apply_modifiers, _rng, plan_scene
from easel.providers._procedural.primitives import RGB, _mix, _noise

PAINT_SIDE = 2048


@dataclasses.dataclass
class Work:
    """A picture being retouched: RGB floats at the working size, and its alpha."""

    rgb: Floats
    alpha: Image.Image | None

    @classmethod
    def of(cls, image: Image.Image) -> Work:
        source = plain(image)
        scale = min(1.0, PAINT_SIDE / max(source.size))
        if scale < 1.0:
            size = (max(1, round(source.width * scale)), max(1, round(source.height * scale)))
            source = source.resize(size, Image.Resampling.LANCZOS)
        alpha = source.getchannel("A") if has_alpha(source) else None
        return cls(np.array(rgb_floats(source)), alpha)

    def image(self) -> Image.Image:
        out = Image.fromarray(to_bytes(self.rgb), "RGB")
        if self.alpha is not None:
            out.putalpha(self.alpha)
        return out


def operation_rng(operation: str, seed: int, name: str) -> np.random.Generator:
    """A generator per operation, seed and element, like the painter's per-element ones."""
    key = hashlib.sha256(f"{operation}\x00{seed}".encode()).digest()
    return _rng(key, name)


def scene_for(
    work: Work,
    prompt: str,
    *,
    seed: int,
    style: str | None = None,
    negative: str | None = None,
    palette: list[Swatch] | None = None,
) -> Scene:
    """The painter's reading of ``prompt`` at the picture's size; the grout and haze
    colours come from the picture's own darkest and lightest colours."""
    h, w = work.rgb.shape[:2]
    scene = plan_scene(prompt, seed=seed, width=w, height=h, style=style, negative=negative)
    swatches = palette or extract_palette(work.image(), 8)
    by_light = sorted(swatches, key=lambda s: sum(s.rgb))
    darkest, lightest = _rgb(by_light[0]), _rgb(by_light[-1])
    return dataclasses.replace(
        scene, palette={**scene.palette, "ink": darkest, "sky_low": lightest}
    )


def _rgb(swatch: Swatch) -> RGB:
    r, g, b = swatch.rgb
    return (r / 255, g / 255, b / 255)


def recolour(work: Work, scene: Scene, palette: list[Swatch]) -> bool:
    """Apply the prompt's moods (vivid, muted, pastel, warm, cold, dark) and named colours
    to the picture's palette, and move every pixel with its nearest palette colours.
    Returns whether anything was asked for."""
    if not scene.modifiers and not scene.named:
        return False
    slots = {f"c{i}": _rgb(s) for i, s in enumerate(palette)}
    wanted = dict(slots)
    _apply_modifiers(wanted, scene.modifiers, scene.mood)
    for colour in scene.named:  # "make it blue": tint every colour a third of the way
        wanted = {k: _mix(v, colour, 0.33) for k, v in wanted.items()}
    origin = np.asarray(list(slots.values()), dtype=np.float32)
    shift = np.asarray(list(wanted.values()), dtype=np.float32) - origin
    work.rgb = _shift_by_palette(work.rgb, origin, shift)
    if "dramatic" in scene.modifiers:
        work.rgb -= 0.5
        work.rgb *= 1.15
        work.rgb += 0.5
    return True


def _shift_by_palette(rgb: Floats, origin: Floats, shift: Floats) -> Floats:
    """Each pixel moved by the shifts of the palette colours near it (soft assignment)."""

    def shifted(colours: Floats) -> Floats:
        d2 = ((colours[:, None, :] - origin[None]) ** 2).sum(axis=-1)
        weights = np.exp(-(d2 - d2.min(axis=-1, keepdims=True)) / np.float32(0.02))
        weights /= weights.sum(axis=-1, keepdims=True)
        out: Floats = colours + weights @ shift
        return out

    return map_colours(rgb, shifted)


def horizon_of(rgb: Floats) -> float:
    """The row where brightness changes most between bands, in the middle of the
    picture: where a landscape's sky meets its land (0.6 of the height if unclear)."""
    h: int = rgb.shape[0]
    rows = rgb.mean(axis=(1, 2), dtype=np.float64)
    if h < 16:
        return h * 0.6
    step = np.abs(np.convolve(np.diff(rows), np.ones(5) / 5, mode="same"))
    lo, hi = int(h * 0.25), int(h * 0.85)
    if float(step[lo:hi].max()) < 0.01:
        return h * 0.6
    return float(lo + int(np.argmax(step[lo:hi])))


def finish(work: Work, scene: Scene, *, default_treatment: bool) -> None:
    """Run the painter's finishing treatments that ``scene`` asks for on the picture;
    with ``default_treatment`` and no treatment asked for, paint it as a watercolor."""
    canvas = Canvas(scene, work.rgb)
    canvas.horizon = horizon_of(work.rgb)
    if "misty" in scene.modifiers:
        _fog(canvas)
    if "glow" in scene.modifiers:
        _bloom(canvas, 0.35)
    treatment = scene.treatment
    if treatment == "none" and default_treatment:
        treatment = "watercolor"
    if treatment == "watercolor":
        _watercolor(canvas)
    elif treatment == "mosaic":
        _mosaic(canvas)
    if scene.suppressed:
        _drain(canvas)
    _grain(canvas, 0.006)
    np.clip(canvas.rgb, 0.0, 1.0, out=canvas.rgb)
    work.rgb = canvas.rgb


def redraw(work: Work, rng: np.random.Generator) -> None:
    """A variation: the picture redrawn through a gentle organic warp, its hues turned
    a little (differently across the picture) and its saturation and light changed."""
    h, w = work.rgb.shape[:2]
    picture = _warped(Image.fromarray(to_bytes(work.rgb), "RGB"), rng)
    hue, sat, val = picture.convert("HSV").split()
    turn = rng.uniform(-0.07, 0.07) + 0.03 * _noise(rng, h, w, cells=2, octaves=2)
    turned = (np.asarray(hue, np.int16) + np.rint(turn * 256).astype(np.int16)) % 256
    hue = Image.fromarray(turned.astype(np.uint8), "L")
    sat_gain, val_gain = rng.uniform(0.85, 1.2), rng.uniform(0.92, 1.06)
    sat = sat.point(lambda v: min(255, round(v * sat_gain)))
    val = val.point(lambda v: min(255, round(v * val_gain)))
    work.rgb = rgb_floats(Image.merge("HSV", (hue, sat, val)).convert("RGB"))
    work.rgb += (rng.standard_normal((h, w), dtype=np.float32) * np.float32(0.008))[..., None]
    np.clip(work.rgb, 0.0, 1.0, out=work.rgb)


_MESH = 48
"""Cells along the long side of the warp's mesh; the warp is smooth, so this is plenty."""


def _warped(picture: Image.Image, rng: np.random.Generator) -> Image.Image:
    """``picture`` drawn through a smooth random displacement of about 0.6% of its short
    side, as a mesh of small quads that Pillow maps bilinearly."""
    w, h = picture.size
    cols = max(2, round(_MESH * w / max(w, h)))
    rows = max(2, round(_MESH * h / max(w, h)))
    amp = min(w, h) * 0.006
    dy = _noise(rng, rows + 1, cols + 1, cells=6, octaves=2, max_side=64) * amp
    dx = _noise(rng, rows + 1, cols + 1, cells=6, octaves=2, max_side=64) * amp
    xs = np.linspace(0, w, cols + 1)
    ys = np.linspace(0, h, rows + 1)
    sx = np.clip(xs[None, :] + dx, 0, w)
    sy = np.clip(ys[:, None] + dy, 0, h)
    mesh = []
    for i in range(rows):
        for j in range(cols):
            box = (round(xs[j]), round(ys[i]), round(xs[j + 1]), round(ys[i + 1]))
            corners = [(i, j), (i + 1, j), (i + 1, j + 1), (i, j + 1)]  # ul, ll, lr, ur
            quad = [float(v) for a, b in corners for v in (sx[a, b], sy[a, b])]
            mesh.append((box, quad))
    return picture.transform(
        picture.size, Image.Transform.MESH, mesh, resample=Image.Resampling.BILINEAR
    )
