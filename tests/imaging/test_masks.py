"""Any user mask becomes one canonical mask ("L", the image's size, 255 = change), by
stated rules; bad masks are refused with an error naming the field; the soft edge has
an exact reach."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw

from easel.errors import UserInputError
from easel.imaging import (
    Box,
    binarize_mask,
    feather_mask,
    grow_mask,
    invert_mask,
    mask_bbox,
    mask_coverage,
    normalize_mask,
)
from support.pictures import beyond, pixels

SIZE = (64, 48)


def square(mode: str, on: object, off: object, size: tuple[int, int] = SIZE) -> Image.Image:
    """A ``mode`` image filled with ``off`` and a square of ``on`` at (16, 8)-(40, 32)."""
    image = Image.new(mode, size, off)  # type: ignore[arg-type]
    ImageDraw.Draw(image).rectangle((16, 8, 39, 31), fill=on)  # type: ignore[arg-type]
    return image


def expected() -> np.ndarray:
    out = np.zeros((SIZE[1], SIZE[0]), dtype=np.uint8)
    out[8:32, 16:40] = 255
    return out


@pytest.mark.parametrize(
    ("mode", "on", "off"),
    [
        ("L", 255, 0),
        ("1", 1, 0),
        ("RGB", (255, 255, 255), (0, 0, 0)),
        ("RGB", (255, 0, 0), (0, 0, 0)),  # a red brush stroke counts as marked
        ("RGBA", (255, 255, 255, 255), (0, 0, 0, 255)),  # opaque: brightness decides
        ("LA", (255, 255), (0, 255)),
        ("I;16", 65535, 0),
    ],
)
def test_brightness_marks_the_area_when_nothing_is_transparent(
    mode: str, on: object, off: object
) -> None:
    mask = normalize_mask(square(mode, on, off), SIZE)
    assert mask.mode == "L" and mask.size == SIZE
    assert np.array_equal(pixels(mask), expected())


def test_transparency_marks_the_area_when_there_is_any() -> None:
    # OpenAI's convention: transparent = edit, whatever the colour underneath.
    openai_style = square("RGBA", (255, 255, 255, 0), (255, 255, 255, 255))
    assert np.array_equal(pixels(normalize_mask(openai_style, SIZE)), expected())
    palette = square("RGB", (0, 0, 0), (255, 255, 255)).convert("P")
    palette.info["transparency"] = palette.getpixel((20, 10))
    assert np.array_equal(pixels(normalize_mask(palette, SIZE)), expected())


def test_half_transparency_is_a_half_strength_change() -> None:
    mask = square("RGBA", (0, 0, 0, 128), (0, 0, 0, 255))
    assert pixels(normalize_mask(mask, SIZE))[20, 20] == 127


def test_greys_are_kept_as_partial_strength() -> None:
    mask = square("L", 100, 0)
    assert pixels(normalize_mask(mask, SIZE))[20, 20] == 100


def test_invert_flips_change_and_keep() -> None:
    mask = normalize_mask(square("L", 0, 255), SIZE, invert=True)
    assert np.array_equal(pixels(mask), expected())
    assert np.array_equal(pixels(invert_mask(invert_mask(mask))), pixels(mask))


def test_a_mask_of_the_same_shape_is_scaled_to_the_image() -> None:
    half = square("L", 255, 0, size=(32, 24)).resize((32, 24))
    ImageDraw.Draw(half).rectangle((0, 0, 31, 23), fill=0)
    ImageDraw.Draw(half).rectangle((8, 4, 19, 15), fill=255)
    mask = normalize_mask(half, SIZE)
    assert mask.size == SIZE
    assert pixels(mask)[20, 28] == 255 and pixels(mask)[40, 60] == 0


def test_a_mask_within_two_percent_of_the_shape_is_scaled() -> None:
    nearly = Image.new("L", (65, 48), 255)  # 1.354 vs 1.333: 1.6% off
    assert normalize_mask(nearly, SIZE).size == SIZE


def test_a_mask_of_another_shape_is_refused_with_both_sizes() -> None:
    with pytest.raises(UserInputError) as err:
        normalize_mask(Image.new("L", (48, 48), 255), SIZE)
    assert err.value.field == "mask"
    assert "48x48" in err.value.message and "64x48" in err.value.message
    assert err.value.hint


@pytest.mark.parametrize(
    "mask",
    [Image.new("L", SIZE, 0), Image.new("RGBA", SIZE, (0, 0, 0, 255))],
    ids=["black", "opaque-black"],
)
def test_a_mask_marking_nothing_is_refused(mask: Image.Image) -> None:
    with pytest.raises(UserInputError) as err:
        normalize_mask(mask, SIZE)
    assert err.value.field == "mask" and "no pixel" in err.value.message


def test_a_fully_transparent_mask_marks_everything() -> None:
    mask = normalize_mask(Image.new("RGBA", SIZE, (0, 0, 0, 0)), SIZE)
    assert mask_coverage(mask) == 1.0


def test_an_empty_mask_image_is_refused() -> None:
    with pytest.raises(UserInputError):
        normalize_mask(Image.new("L", (0, 0)), SIZE)


@pytest.mark.parametrize("radius", [1, 2, 3, 6, 9])
def test_feather_reaches_exactly_its_radius(radius: int) -> None:
    mask = normalize_mask(square("L", 255, 0), SIZE)
    soft = pixels(feather_mask(mask, radius))
    assert (soft[beyond(mask, radius)] == 0).all()
    assert (soft[~beyond(mask, max(1, radius // 2))] > 0).all()  # the soft edge is there
    inner = ~beyond(invert_mask(mask), radius)
    assert (soft[~inner] == 255).all()  # that far inside stays fully changed
    assert 0 < soft[20, 16] < 255  # on the edge it is in between


def test_feather_of_zero_is_the_mask_itself() -> None:
    mask = normalize_mask(square("L", 255, 0), SIZE)
    assert np.array_equal(pixels(feather_mask(mask, 0)), pixels(mask))
    with pytest.raises(ValueError):
        feather_mask(mask, -1)


def test_grow_dilates_and_erodes_by_square_steps() -> None:
    mask = normalize_mask(square("L", 255, 0), SIZE)
    assert mask_bbox(grow_mask(mask, 5)) == Box(11, 3, 45, 37)
    assert mask_bbox(grow_mask(mask, -4)) == Box(20, 12, 36, 28)
    assert np.array_equal(pixels(grow_mask(mask, 0)), pixels(mask))


def test_bbox_coverage_and_binarize() -> None:
    mask = normalize_mask(square("L", 200, 0), SIZE)
    box = mask_bbox(mask)
    assert box == Box(16, 8, 40, 32) and (box.width, box.height) == (24, 24)
    assert box.grown(20, SIZE) == Box(0, 0, 60, 48)
    assert mask_coverage(mask) == pytest.approx(24 * 24 * 200 / 255 / (64 * 48))
    assert set(np.unique(pixels(binarize_mask(mask)))) == {0, 255}
    assert mask_bbox(Image.new("L", SIZE, 0)) is None
