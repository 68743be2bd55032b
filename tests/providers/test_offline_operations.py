"""What the offline engine does to input images: inpaint leaves every pixel outside the
mask (beyond the soft edge) untouched, outpaint keeps the original at its place,
variations, edits and style transfer change the picture deterministically by seed."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from easel.errors import UserInputError
from easel.imaging import Extension, default_feather, extract_palette, normalize_mask
from easel.providers import _procedural as painter
from easel.providers._procedural import operations as ops
from support.pictures import beyond, disc_mask, painted, pixels, subject_on_backdrop

SIZE = (256, 192)


def mean_abs(a: Image.Image, b: Image.Image) -> float:
    return float(np.abs(pixels(a).astype(float) - pixels(b).astype(float)).mean())


# --- inpaint -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("size", "box"),
    [
        (SIZE, (0.3, 0.25, 0.6, 0.7)),
        (SIZE, (0.0, 0.0, 0.25, 0.3)),
        (SIZE, (0.7, 0.6, 1.2, 1.2)),
        ((900, 700), (0.1, 0.1, 0.9, 0.8)),  # a crop larger than the noise's own size
    ],
    ids=["middle", "corner", "off-the-edge", "large"],
)
def test_inpaint_changes_no_pixel_outside_the_mask_beyond_the_soft_edge(
    size: tuple[int, int], box: tuple[float, float, float, float]
) -> None:
    image = painted(size=size)
    mask = disc_mask(size, box)
    out = ops.inpaint(image, mask, seed=7)
    assert out.size == image.size and out.mode == "RGB"
    outside = beyond(mask, default_feather(size))
    assert np.array_equal(pixels(out)[outside], pixels(image)[outside])
    inside = pixels(mask) == 255
    changed = (pixels(out) != pixels(image)).any(axis=2)
    assert changed[inside].mean() > 0.9  # the masked area really was repainted


def test_inpaint_fills_in_the_picture_s_own_colours() -> None:
    image = painted(size=SIZE)
    mask = disc_mask(SIZE, (0.35, 0.3, 0.65, 0.7))
    out = pixels(ops.inpaint(image, mask, seed=1)).astype(float)
    fill = out[pixels(mask) == 255]
    palette = np.asarray([s.rgb for s in extract_palette(image, 8, exclude=mask)], float)
    nearest = np.sqrt(((fill[:, None, :] - palette[None]) ** 2).sum(axis=2)).min(axis=1)
    assert np.median(nearest) < 40  # each filled pixel lies near one of the picture's colours
    # …and it is painted, not flat: it has texture like its surroundings.
    assert fill.std(axis=0).mean() > 3


def test_inpaint_continues_a_horizon_across_the_mask() -> None:
    """A picture that is dark below row 100 and light above, masked across the line:
    the fill stays dark below the line and light above it."""
    image = Image.new("RGB", SIZE, (220, 200, 170))
    image.paste((40, 50, 80), (0, 100, 256, 192))
    mask = disc_mask(SIZE, (0.35, 0.3, 0.65, 0.75))
    out = pixels(ops.inpaint(image, mask, seed=2)).astype(float)
    assert out[80, 128].mean() > 150 and out[120, 128].mean() < 90


def test_inpaint_is_deterministic_by_seed() -> None:
    image = painted(size=SIZE)
    mask = disc_mask(SIZE, (0.3, 0.3, 0.6, 0.6))
    first = ops.inpaint(image, mask, seed=5).tobytes()
    assert ops.inpaint(image, mask, seed=5).tobytes() == first
    assert ops.inpaint(image, mask, seed=6).tobytes() != first


def test_inpaint_keeps_transparency_outside_and_paints_inside() -> None:
    image = painted(size=SIZE).convert("RGBA")
    image.putalpha(180)
    mask = disc_mask(SIZE, (0.3, 0.3, 0.6, 0.6))
    out = ops.inpaint(image, mask, seed=3)
    assert out.mode == "RGBA"
    outside = beyond(mask, default_feather(SIZE))
    assert np.array_equal(pixels(out)[outside], pixels(image)[outside])
    inside = beyond(Image.eval(mask, lambda v: 255 - v), default_feather(SIZE))
    assert (pixels(out)[inside][:, 3] == 255).all()  # painted opaque inside the soft edge


def test_inpaint_of_the_whole_picture_paints_in_its_commonest_colour() -> None:
    image = Image.new("RGB", (64, 64), (30, 120, 90))
    everything = Image.new("L", (64, 64), 255)
    out = pixels(ops.inpaint(image, everything, seed=1)).astype(float)
    assert np.abs(out.reshape(-1, 3).mean(axis=0) - (30, 120, 90)).max() < 12


def test_inpaint_takes_a_user_mask_once_normalised() -> None:
    image = painted(size=SIZE)
    user_mask = Image.new("RGBA", (128, 96), (0, 0, 0, 255))  # half size, OpenAI style
    user_mask.paste((0, 0, 0, 0), (40, 30, 80, 70))
    mask = normalize_mask(user_mask, SIZE)
    out = ops.inpaint(image, mask, seed=1)
    outside = beyond(mask, default_feather(SIZE))
    assert np.array_equal(pixels(out)[outside], pixels(image)[outside])
    with pytest.raises(UserInputError):
        ops.inpaint(image, Image.new("L", SIZE, 0), seed=1)
    with pytest.raises(ValueError):
        ops.inpaint(image, user_mask.convert("L"), seed=1)


# --- outpaint ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("size", "extension"),
    [
        (SIZE, Extension(left=64, right=64)),
        (SIZE, Extension(top=40)),
        (SIZE, Extension(10, 20, 30, 40)),
        ((640, 480), Extension(left=200, right=100, bottom=50)),  # past the noise's size
    ],
    ids=["sides", "top", "all", "large"],
)
def test_outpaint_keeps_the_original_pixels_at_their_place(
    size: tuple[int, int], extension: Extension
) -> None:
    image = painted(size=size)
    out = ops.outpaint(image, extension, seed=4)
    assert out.size == extension.new_size(size)
    top, left = extension.top, extension.left
    placed = pixels(out)[top : top + size[1], left : left + size[0]]
    assert np.array_equal(placed, pixels(image))


def test_outpaint_continues_the_horizon_sideways() -> None:
    """Rows keep their colours: dark land stays dark and light sky stays light far out."""
    image = Image.new("RGB", (128, 96), (210, 190, 160))
    image.paste((30, 40, 60), (0, 60, 128, 96))
    out = pixels(ops.outpaint(image, Extension(left=96, right=96), seed=1)).astype(float)
    assert out[30, 5].mean() > 150 and out[80, 5].mean() < 80
    assert out[30, -5].mean() > 150 and out[80, -5].mean() < 80


def test_outpaint_paints_the_new_area_in_the_picture_s_palette() -> None:
    image = painted(size=SIZE)
    out = pixels(ops.outpaint(image, Extension(top=64), seed=2)).astype(float)
    new = out[:64].reshape(-1, 3)
    palette = np.asarray([s.rgb for s in extract_palette(image, 8)], float)
    nearest = np.sqrt(((new[:, None, :] - palette[None]) ** 2).sum(axis=2)).min(axis=1)
    assert np.median(nearest) < 40
    assert out[:64].std(axis=(0, 1)).mean() > 2  # not one flat colour


def test_outpaint_refuses_a_canvas_too_large() -> None:
    with pytest.raises(UserInputError) as err:
        ops.outpaint(
            painted(size=(64, 64)), Extension(right=4000, bottom=400), seed=1, max_pixels=10**6
        )
    assert err.value.field == "extend"


# --- variations, edit, style transfer ------------------------------------------------


def test_a_variation_is_the_same_picture_redrawn() -> None:
    image = painted(size=SIZE)
    first = ops.vary_image(image, seed=1)
    assert first.size == image.size
    assert 4 < mean_abs(first, image) < 60  # changed, but still that picture
    assert ops.vary_image(image, seed=1).tobytes() == first.tobytes()
    assert ops.vary_image(image, seed=2).tobytes() != first.tobytes()


def test_a_variation_of_a_painted_picture_is_its_plan_with_a_new_seed() -> None:
    out = ops.repaint("calm teal ocean with a full moon", seed=9, width=128, height=96)
    scene = painter.plan_scene("calm teal ocean with a full moon", seed=9, width=128, height=96)
    with Image.open(io.BytesIO(painter.render(scene))) as png:
        assert out.tobytes() == png.convert("RGB").tobytes()
    assert ops.repaint("calm teal ocean with a full moon", seed=10, width=128, height=96) != out


@pytest.mark.parametrize(
    ("prompt", "size"),
    [
        ("make it a watercolor", SIZE),
        ("hello there", SIZE),
        ("mosaic tiles", SIZE),
        ("misty glow watercolor", (640, 480)),
        ("vivid mosaic", (640, 480)),
    ],
)
def test_edit_applies_the_painter_s_treatments(prompt: str, size: tuple[int, int]) -> None:
    image = painted(size=size)
    out = ops.edit(image, prompt, seed=1)
    assert out.size == image.size
    assert mean_abs(out, image) > 5
    assert ops.edit(image, prompt, seed=1).tobytes() == out.tobytes()


def test_edit_moods_move_the_colours_the_way_they_say() -> None:
    image = painted(size=SIZE)
    warm = pixels(ops.edit(image, "warm", seed=1)).astype(float)
    cold = pixels(ops.edit(image, "cold", seed=1)).astype(float)
    assert (warm[..., 0] - warm[..., 2]).mean() > (cold[..., 0] - cold[..., 2]).mean() + 5
    dark = pixels(ops.edit(image, "dark", seed=1)).astype(float)
    assert dark.mean() < pixels(image).astype(float).mean() - 10


def test_edit_negative_colours_are_drained() -> None:
    image = Image.new("RGB", (96, 96), (210, 30, 30))
    image.paste((30, 60, 200), (0, 0, 48, 96))
    out = pixels(ops.edit(image, "vivid", negative="red", seed=1)).astype(float)
    right = out[:, 60:].reshape(-1, 3)
    assert (right.max(axis=1) - right.min(axis=1)).mean() < 120  # far less saturated red


def test_edit_keeps_transparency_and_scales_huge_pictures_to_the_painter_s_limit() -> None:
    cut = ops.remove_background(subject_on_backdrop(200))
    out = ops.edit(cut, "mosaic", seed=1)
    assert out.mode == "RGBA" and pixels(out)[0, 0, 3] == 0
    big = ops.edit(Image.new("RGB", (4096, 1024), (90, 120, 200)), "vivid", seed=1)
    assert big.size == (2048, 512)


def test_style_transfer_brings_the_style_image_s_colours() -> None:
    content = painted("a blue lake and mountains", size=SIZE)
    style = painted("autumn forest in fire", size=(128, 128), seed=8)
    out = ops.transfer_style(content, style, seed=1)
    assert out.size == content.size

    def mean(img: Image.Image) -> np.ndarray:
        return pixels(img.convert("RGB")).reshape(-1, 3).astype(float).mean(axis=0)

    before = np.abs(mean(content) - mean(style)).sum()
    after = np.abs(mean(out) - mean(style)).sum()
    assert after < before * 0.5
    mosaic = ops.transfer_style(content, style, seed=1, prompt="mosaic")
    assert mosaic.tobytes() != out.tobytes()


def test_style_transfer_ignores_a_style_image_s_transparent_pixels() -> None:
    content = painted(size=(96, 96))
    style = Image.new("RGBA", (64, 64), (255, 255, 255, 0))
    style.paste((20, 160, 60, 255), (0, 0, 32, 64))
    out = pixels(ops.transfer_style(content, style, seed=1)).astype(float)
    assert out[..., 1].mean() > out[..., 0].mean() + 20  # green, not white


# --- upscale, background, limits -----------------------------------------------------


@pytest.mark.parametrize("factor", [2, 4])
def test_offline_upscale_multiplies_each_side(factor: int) -> None:
    image = painted(size=(96, 64))
    assert ops.upscale(image, factor).size == (96 * factor, 64 * factor)


def test_offline_remove_background_clears_the_corners() -> None:
    out = ops.remove_background(subject_on_backdrop(128))
    assert pixels(out)[0, 0, 3] == 0 and pixels(out)[64, 50, 3] == 255


def test_pictures_above_the_offline_limit_are_refused_clearly() -> None:
    huge = Image.new("L", (5000, 4000))
    for call in (
        lambda: ops.vary_image(huge, seed=1),
        lambda: ops.inpaint(huge, Image.new("L", huge.size, 255), seed=1),
    ):
        with pytest.raises(UserInputError) as err:
            call()
        assert err.value.field == "image" and "5000x4000" in err.value.message
    with pytest.raises(UserInputError) as err:
        ops.transfer_style(Image.new("RGB", (8, 8)), huge, seed=1)
    assert err.value.field == "style_image"
