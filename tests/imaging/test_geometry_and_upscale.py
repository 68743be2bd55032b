"""Outpaint geometry (the original at its place, the mask of the new area, sizes to an
aspect ratio) and upscaling by 2 or 4 within a pixel limit."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from easel.errors import UserInputError
from easel.imaging import (
    Box,
    Extension,
    check_extension,
    extend_canvas,
    extension_to_aspect,
    parse_aspect,
    upscale,
)
from support.pictures import painted, pixels


def test_extend_canvas_keeps_the_original_at_its_place() -> None:
    image = painted(size=(120, 80))
    canvas = extend_canvas(image, Extension(left=30, top=10, right=5, bottom=20))
    assert canvas.image.size == (155, 110) and canvas.mask.size == (155, 110)
    assert canvas.box == Box(30, 10, 150, 90)
    placed = pixels(canvas.image)[10:90, 30:150]
    assert np.array_equal(placed, pixels(image))
    mask = pixels(canvas.mask)
    assert (mask[10:90, 30:150] == 0).all()
    assert mask.sum() == 255 * (155 * 110 - 120 * 80)
    # "edge" fill stretches the outermost pixels outward.
    assert np.array_equal(pixels(canvas.image)[10:90, 0], pixels(image)[:, 0])


def test_transparent_fill_leaves_the_new_area_transparent() -> None:
    canvas = extend_canvas(painted(size=(40, 30)), Extension(right=8), fill="transparent")
    alpha = pixels(canvas.image)[..., 3]
    assert canvas.image.mode == "RGBA"
    assert (alpha[:, 40:] == 0).all() and (alpha[:, :40] == 255).all()


@pytest.mark.parametrize(
    ("size", "aspect", "anchor", "want"),
    [
        ((100, 100), "16:9", "center", Extension(left=39, right=39)),
        ((100, 100), "16:9", "left", Extension(right=78)),
        ((160, 90), "1:1", "center", Extension(top=35, bottom=35)),
        ((160, 90), "1:1", "bottom", Extension(top=70)),
        ((160, 90), 0.5, "top", Extension(bottom=230)),
        ((101, 100), "3:2", "center", Extension(left=24, right=25)),
    ],
)
def test_extension_to_an_aspect_ratio(
    size: tuple[int, int], aspect: str | float, anchor: str, want: Extension
) -> None:
    got = extension_to_aspect(size, aspect, anchor=anchor)  # type: ignore[arg-type]
    assert got == want
    new_w, new_h = got.new_size(size)
    assert new_w / new_h == pytest.approx(parse_aspect(aspect), rel=0.01)


@pytest.mark.parametrize("aspect", ["wide", "0:1", "16:0", "100:1", -2.0])
def test_a_bad_aspect_ratio_is_refused(aspect: str | float) -> None:
    with pytest.raises(UserInputError) as err:
        parse_aspect(aspect)
    assert err.value.field == "aspect_ratio" and err.value.hint


@pytest.mark.parametrize(
    ("extension", "words"),
    [
        (Extension(left=-4), "cannot crop"),
        (Extension(), "at least one side"),
        (Extension(right=5000), "above the limit"),
    ],
)
def test_bad_extensions_are_refused(extension: Extension, words: str) -> None:
    with pytest.raises(UserInputError) as err:
        check_extension((1000, 1000), extension, max_pixels=4_000_000)
    assert err.value.field == "extend" and words in err.value.message


@pytest.mark.parametrize("factor", [2, 4])
@pytest.mark.parametrize("mode", ["RGB", "RGBA", "L", "P"])
def test_upscale_multiplies_each_side(factor: int, mode: str) -> None:
    image = painted(size=(50, 30)).convert(mode)
    out = upscale(image, factor)
    assert out.size == (50 * factor, 30 * factor)
    assert out.mode == ("RGBA" if mode == "RGBA" else "RGB")
    # The picture is the same picture: scaled back down it matches the source closely.
    back = np.asarray(out.convert("RGB").resize((50, 30), Image.Resampling.BOX), dtype=float)
    assert np.abs(back - np.asarray(image.convert("RGB"), dtype=float)).mean() < 6


def test_upscale_keeps_transparency_without_ringing() -> None:
    image = Image.new("RGBA", (20, 20), (255, 0, 0, 0))
    image.paste((255, 0, 0, 255), (5, 5, 15, 15))
    alpha = pixels(upscale(image, 4))[..., 3]
    assert alpha[0, 0] == 0 and alpha[40, 40] == 255


def test_upscale_sharpens_a_little() -> None:
    """Compared with plain Lanczos, edges are slightly steeper, flat areas unchanged."""
    image = Image.new("L", (32, 32), 60)
    image.paste(200, (16, 0, 32, 32))
    out = pixels(upscale(image, 2).convert("L")).astype(int)
    plain = pixels(image.resize((64, 64), Image.Resampling.LANCZOS)).astype(int)
    assert np.abs(np.diff(out[32])).max() > np.abs(np.diff(plain[32])).max()
    assert out[32, 5] == plain[32, 5] == 60


@pytest.mark.parametrize("factor", [1, 3, 8])
def test_other_factors_are_refused_with_the_allowed_ones(factor: int) -> None:
    with pytest.raises(UserInputError) as err:
        upscale(Image.new("RGB", (10, 10)), factor)
    assert err.value.field == "factor" and err.value.allowed == ["2", "4"]


def test_too_large_an_upscale_is_refused_with_a_smaller_factor_suggested() -> None:
    with pytest.raises(UserInputError) as err:
        upscale(Image.new("RGB", (600, 600)), 4, max_pixels=2_000_000)
    assert "2400x2400" in err.value.message and "factor 2" in (err.value.hint or "")
    with pytest.raises(UserInputError) as err:
        upscale(Image.new("RGB", (1000, 1000)), 2, max_pixels=2_000_000)
    assert "smaller image" in (err.value.hint or "")
