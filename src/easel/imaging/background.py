"""Classical background removal for a subject on a plain or gently graded backdrop.

No model is involved; the steps, on a copy at most `WORK_SIDE` px long:

1. **Backdrop model.** The pixels of a thin strip along the four edges are fitted with
   a smooth colour field (a quadratic in x and y per channel), refitting without the
   strip pixels that disagree, so a subject touching an edge does not spoil the fit.
2. **Segmentation.** A pixel is backdrop-coloured when its colour lies within a
   tolerance of the model there; the tolerance follows the noise measured on the strip.
   The background is what is backdrop-coloured *and* connected to the edges (a flood
   fill from the strip), so backdrop-like colours inside the subject stay opaque.
3. **Subject.** Of the remaining pieces the largest is kept, with any other at least
   `KEEP_SHARE` of its size; crumbs of noise are dropped.
4. **Soft matte.** The hard mask is scaled to full size and refined by a guided filter
   (He et al. 2010) on the picture's brightness, so the edge follows the subject's own
   edge; edge pixels are then un-mixed from the backdrop colour (no halo of it remains).

A picture whose edges do not look like a backdrop at all is refused with a clear error,
rather than cut at random.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from PIL import Image, ImageChops

from easel.errors import UserInputError
from easel.imaging._pixels import (
    AnyFloats,
    Floats,
    box_mean,
    has_alpha,
    plain,
    rgb_floats,
    to_bytes,
)

WORK_SIDE = 384
"""Segmentation runs on a copy at most this long; the matte is refined at full size."""
MATTE_SIDE = 2048
"""Above this, the matte is computed on a scaled copy and its alpha scaled up."""
LABEL_SIDE = 128
"""Connected pieces are found at this size: enough to tell a subject from crumbs."""
KEEP_SHARE = 0.2
MIN_BACKDROP_SHARE = 0.25
"""Below this share of edge pixels agreeing on one backdrop, the image is refused."""
MAX_BACKDROP_NOISE = 0.1
"""Nor is a backdrop this noisy (colour distance, 0..1) a backdrop: the image is refused."""
_HINT = (
    "The offline engine removes plain or gently graded backdrops; for photographs of "
    "busy scenes choose a hosted model that removes backgrounds."
)

Bools = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class Backdrop:
    """The fitted backdrop colour field and how noisy the backdrop is."""

    coefficients: Floats
    """(6, 3): colour = [1, x, y, x², y², xy] @ coefficients, x and y in -1..1."""
    noise: float
    agreement: float
    """Share of the edge strip that fits the model."""

    def colour_at(self, height: int, width: int) -> Floats:
        ys = np.linspace(-1.0, 1.0, height, dtype=np.float32)[:, None, None]
        xs = np.linspace(-1.0, 1.0, width, dtype=np.float32)[None, :, None]
        c = self.coefficients
        out = c[0] + xs * c[1] + ys * c[2] + xs * xs * c[3] + ys * ys * c[4] + xs * ys * c[5]
        return np.asarray(out, dtype=np.float32)


def remove_background(image: Image.Image, *, tolerance: float | None = None) -> Image.Image:
    """An RGBA copy of ``image`` whose backdrop is transparent; see the module.

    ``tolerance`` (0..1, colour distance) overrides the one measured from the edges.
    Raises `UserInputError` when the edges show no common backdrop or no subject is found.
    """
    source = plain(image)
    w, h = source.size
    scale = min(1.0, MATTE_SIDE / max(h, w))
    if scale == 1.0:
        rgb = rgb_floats(source)
        alpha, backdrop = _matte(rgb, tolerance)
        out = Image.fromarray(to_bytes(_unmix(rgb, alpha, backdrop)), "RGB")
        matte = Image.fromarray(to_bytes(alpha), "L")
    else:  # large pictures: matte a scaled copy, scale its alpha up, keep the colours
        small_alpha, _ = _matte(rgb_floats(_scaled(source, scale)), tolerance)
        matte = Image.fromarray(to_bytes(small_alpha), "L").resize(
            (w, h), Image.Resampling.BILINEAR
        )
        out = source.convert("RGB")
    if has_alpha(source):  # keep what was already transparent
        matte = ImageChops.darker(matte, source.getchannel("A"))
    out.putalpha(matte)
    return out


def _scaled(image: Image.Image, scale: float) -> Image.Image:
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    return image.resize(size, Image.Resampling.BOX)


def _matte(rgb: Floats, tolerance: float | None) -> tuple[Floats, Floats]:
    """Full-size alpha and backdrop colour field of ``rgb``."""
    h, w = rgb.shape[:2]
    work_scale = min(1.0, WORK_SIDE / max(h, w))
    small = rgb
    if work_scale < 1.0:
        size = (max(8, round(w * work_scale)), max(8, round(h * work_scale)))
        small = rgb_floats(Image.fromarray(to_bytes(rgb)).resize(size, Image.Resampling.BOX))
    strip = _edge_strip(small.shape[0], small.shape[1])
    model = fit_backdrop(small, strip)
    if model.agreement < MIN_BACKDROP_SHARE or model.noise > MAX_BACKDROP_NOISE:
        raise UserInputError(
            "The image's edges show no common backdrop colour, so the subject cannot be "
            "told from its background.",
            field="image",
            hint=_HINT,
        )
    limit = tolerance if tolerance is not None else 4 * model.noise + 0.06
    limit = float(np.clip(limit, 0.02, 0.5))
    distance = np.linalg.norm(small - model.colour_at(*small.shape[:2]), axis=2)
    subject = _main_pieces(~_flood(distance < limit, strip))
    if subject.mean() < 0.002:
        raise UserInputError(
            "No subject was found: the whole image looks like backdrop.",
            field="image",
            hint=_HINT,
        )
    backdrop = model.colour_at(h, w)
    return _refine(rgb, small, subject, backdrop), backdrop


def _edge_strip(h: int, w: int) -> Bools:
    width = max(2, round(0.03 * min(h, w)))
    strip = np.zeros((h, w), dtype=bool)
    strip[:width], strip[-width:], strip[:, :width], strip[:, -width:] = True, True, True, True
    return strip


def _features(ys: Floats, xs: Floats) -> Floats:
    return np.stack([np.ones_like(xs), xs, ys, xs * xs, ys * ys, xs * ys], axis=1)


def fit_backdrop(rgb: Floats, strip: Bools) -> Backdrop:
    """Fit the backdrop colour field to the strip's pixels, robustly (see the module)."""
    h, w = rgb.shape[:2]
    rows, cols = np.nonzero(strip)
    ys = (rows / max(1, h - 1) * 2 - 1).astype(np.float32)
    xs = (cols / max(1, w - 1) * 2 - 1).astype(np.float32)
    feats = _features(ys, xs)
    colours = rgb[rows, cols]
    inliers = np.ones(len(rows), dtype=bool)
    coefficients = np.zeros((6, 3), dtype=np.float32)
    residual = np.zeros(len(rows), dtype=np.float32)
    for _ in range(4):
        if inliers.sum() < 12:
            break
        fit, *_ = np.linalg.lstsq(feats[inliers], colours[inliers], rcond=None)
        coefficients = fit.astype(np.float32)
        residual = np.linalg.norm(colours - feats @ coefficients, axis=1)
        spread = float(np.median(residual[inliers]))
        inliers = residual < max(3.0 * spread, 0.04)
    noise = float(1.4826 * np.median(residual[inliers])) if inliers.any() else 1.0
    return Backdrop(coefficients, noise, float(inliers.mean()))


def _dilate(mask: Bools) -> Bools:
    """Square 3×3 dilation, done as a row pass then a column pass."""
    out = mask.copy()
    out[:, 1:] |= mask[:, :-1]
    out[:, :-1] |= mask[:, 1:]
    rows = out.copy()
    out[1:] |= rows[:-1]
    out[:-1] |= rows[1:]
    return out


def _flood(candidate: Bools, seeds: Bools) -> Bools:
    """Pixels of ``candidate`` connected (8-neighbours) to a seed that is a candidate."""
    region = candidate & seeds
    while True:
        before = int(region.sum())
        for _ in range(8):
            region = _dilate(region) & candidate
        if int(region.sum()) == before:
            return region


def _main_pieces(subject: Bools) -> Bools:
    """The largest connected piece of ``subject`` and any at least KEEP_SHARE its size."""
    h, w = subject.shape
    f = max(1, -(-max(h, w) // LABEL_SIDE))  # ceil: blocks of f×f pixels
    ph, pw = -(-h // f) * f, -(-w // f) * f
    padded = np.zeros((ph, pw), dtype=bool)
    padded[:h, :w] = subject
    blocks = np.asarray(padded.reshape(ph // f, f, pw // f, f).any(axis=(1, 3)), dtype=bool)
    labels = _label(blocks)
    sizes = np.bincount(labels.ravel())
    sizes[0] = 0
    if sizes.max() == 0:
        return subject
    keep = sizes >= KEEP_SHARE * sizes.max()
    keep[0] = False
    kept_blocks = keep[labels]
    kept: Bools = subject & np.repeat(np.repeat(kept_blocks, f, axis=0), f, axis=1)[:h, :w]
    return kept


def _label(mask: Bools) -> npt.NDArray[np.int64]:
    """Connected pieces (8-neighbours) numbered 1.., 0 for the rest: each pixel takes the
    largest number around it until nothing changes."""
    labels = np.where(mask, np.arange(1, mask.size + 1).reshape(mask.shape), 0)
    while True:
        before = labels
        grown = labels.copy()
        grown[:, 1:] = np.maximum(grown[:, 1:], labels[:, :-1])
        grown[:, :-1] = np.maximum(grown[:, :-1], labels[:, 1:])
        rows = grown.copy()
        grown[1:] = np.maximum(grown[1:], rows[:-1])
        grown[:-1] = np.maximum(grown[:-1], rows[1:])
        labels = np.where(mask, grown, 0)
        if np.array_equal(labels, before):
            _, dense = np.unique(labels, return_inverse=True)
            return dense.reshape(mask.shape).astype(np.int64)


def _refine(rgb: Floats, small: Floats, subject: Bools, backdrop: Floats) -> Floats:
    """Full-size alpha: exactly 0 or 1 away from the subject's edge; near it, each
    pixel's place between the backdrop colour and the subject colour nearby (two-colour
    matting), or the scaled hard mask where those two colours are too alike to tell."""
    h, w = rgb.shape[:2]
    inner, outer = ~_dilate(_dilate(~subject)), _dilate(_dilate(subject))
    alpha = _upscale(inner.astype(np.float32), w, h, Image.Resampling.NEAREST)
    band = _upscale((outer & ~inner).astype(np.float32), w, h, Image.Resampling.NEAREST) > 0
    # The subject's colour near each pixel: mean of the sure-subject pixels around it.
    sure = inner.astype(np.float32)
    weight = box_mean(sure, 4)
    floor = np.float32(1e-6)
    near = [box_mean(small[..., k] * sure, 4) / np.maximum(weight, floor) for k in range(3)]
    rows, cols = np.nonzero(band)  # only the edge band needs the per-pixel work
    nearby = np.stack([_upscale(c, w, h)[rows, cols] for c in near], axis=1)
    base = backdrop[rows, cols]
    span = nearby - base
    length2 = (span * span).sum(axis=1)
    along = ((rgb[rows, cols] - base) * span).sum(axis=1) / np.maximum(length2, 1e-6)
    known = _upscale(weight, w, h)[rows, cols] > 1e-3
    clear = known & (length2 > 0.01)  # the two colours at least 0.1 apart
    coarse = _upscale(subject.astype(np.float32), w, h)[rows, cols]
    alpha[rows, cols] = np.where(clear, np.clip(along, 0.0, 1.0), coarse)
    return alpha


def _upscale(
    values: AnyFloats, w: int, h: int, resample: Image.Resampling = Image.Resampling.BILINEAR
) -> Floats:
    img = Image.fromarray(np.ascontiguousarray(values, dtype=np.float32), "F")
    return np.array(img.resize((w, h), resample), dtype=np.float32)


def _unmix(rgb: Floats, alpha: Floats, backdrop: Floats) -> Floats:
    """Edge colours with the backdrop's share taken out: I = a·F + (1 - a)·B."""
    a = alpha[..., None]
    edge = (a > 0.05) & (a < 1.0)
    fg = (rgb - (1 - a) * backdrop) / np.maximum(a, np.float32(0.05))
    return np.where(edge, np.clip(fg, 0.0, 1.0), rgb).astype(np.float32)
