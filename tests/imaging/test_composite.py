"""Compositing the original back outside the mask: a hosted model's sloppy edit is undone
outside the mask, whatever size the result came back at."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageEnhance

from easel.imaging import composite_outside, default_feather, feather_mask
from support.pictures import beyond, disc_mask, painted, pixels


def sloppy_edit(original: Image.Image, mask: Image.Image, size: tuple[int, int]) -> Image.Image:
    """What a hint-only model does: recolour and sharpen everything (the whole picture
    drifts), paint something new in the masked area, and answer at another size."""
    drifted = ImageEnhance.Color(ImageEnhance.Brightness(original).enhance(1.15)).enhance(1.4)
    new = Image.new("RGB", original.size, (30, 160, 220))
    return Image.composite(new, drifted, mask).resize(size, Image.Resampling.BICUBIC)


@pytest.mark.parametrize("result_size", [(256, 192), (512, 384), (200, 150)])
def test_outside_pixels_are_restored_exactly(result_size: tuple[int, int]) -> None:
    original = painted(size=(256, 192))
    mask = disc_mask(original.size, (0.3, 0.25, 0.6, 0.7))
    result = sloppy_edit(original, mask, result_size)
    changed_outside = (pixels(result.resize(original.size)) != pixels(original)).any(axis=2)
    assert changed_outside[beyond(mask, 8)].mean() > 0.5  # the model did drift outside

    out = composite_outside(original, result, mask)
    radius = default_feather(original.size)
    assert out.size == original.size and out.mode == "RGB"
    outside = beyond(mask, radius)
    assert np.array_equal(pixels(out)[outside], pixels(original)[outside])
    inside = beyond(Image.eval(mask, lambda v: 255 - v), radius)
    new_inside = pixels(result.resize(original.size, Image.Resampling.LANCZOS))
    assert np.array_equal(pixels(out)[inside], new_inside[inside])


def test_the_soft_edge_blends_between_the_two() -> None:
    original = Image.new("RGB", (64, 64), (0, 0, 0))
    result = Image.new("RGB", (64, 64), (200, 200, 200))
    mask = disc_mask((64, 64), (0.25, 0.25, 0.75, 0.75))
    out = pixels(composite_outside(original, result, mask, feather=6))[..., 0]
    soft = pixels(feather_mask(mask, 6))
    edge = (soft > 0) & (soft < 255)
    assert edge.any()
    assert ((out[edge] > 0) & (out[edge] < 200)).all()


def test_transparency_is_composited_like_colour() -> None:
    original = Image.new("RGBA", (40, 40), (10, 20, 30, 0))  # fully transparent
    result = Image.new("RGB", (40, 40), (250, 0, 0))
    mask = disc_mask((40, 40), (0.25, 0.25, 0.75, 0.75))
    out = composite_outside(original, result, mask, feather=0)
    assert out.mode == "RGBA"
    assert out.getpixel((0, 0)) == (10, 20, 30, 0)
    assert out.getpixel((20, 20)) == (250, 0, 0, 255)


def test_a_mask_of_another_size_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        composite_outside(
            Image.new("RGB", (10, 10)), Image.new("RGB", (10, 10)), Image.new("L", (5, 5))
        )
