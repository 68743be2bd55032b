"""Dominant colours with their shares, colour transfer, and reading caller bytes."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from easel.errors import UserInputError
from easel.imaging import (
    encode_png,
    extract_palette,
    match_colours,
    open_image,
    sample_pixels,
)
from easel.imaging._pixels import rgb_floats
from support.pictures import disc_mask, painted, pixels

RED, BLUE, GREEN = (220, 30, 30), (20, 40, 200), (30, 160, 60)


def three_colours() -> Image.Image:
    image = Image.new("RGB", (100, 100), RED)  # 60% red
    image.paste(BLUE, (0, 0, 100, 30))  # 30% blue
    image.paste(GREEN, (0, 90, 100, 100))  # 10% green
    return image


def test_palette_finds_the_colours_and_their_shares() -> None:
    swatches = extract_palette(three_colours(), 3)
    assert [s.rgb for s in swatches] == [RED, BLUE, GREEN]
    assert [round(s.share, 2) for s in swatches] == [0.6, 0.3, 0.1]
    assert swatches[0].hex == "#dc1e1e"


def test_palette_can_leave_out_a_masked_area_and_transparent_pixels() -> None:
    image = three_colours()
    mask = Image.new("L", image.size, 0)
    mask.paste(255, (0, 30, 100, 90))  # the red band
    assert RED not in [s.rgb for s in extract_palette(image, 3, exclude=mask)]
    clear = image.convert("RGBA")
    clear.putalpha(Image.eval(mask, lambda v: 255 - v))
    assert RED not in [s.rgb for s in extract_palette(clear, 3)]


def test_palette_of_a_fully_masked_picture_reads_the_whole_picture() -> None:
    image = three_colours()
    everything = Image.new("L", image.size, 255)
    assert extract_palette(image, 3, exclude=everything)[0].rgb == RED


def test_palette_of_an_invisible_picture_is_refused() -> None:
    with pytest.raises(UserInputError) as err:
        extract_palette(Image.new("RGBA", (10, 10), (0, 0, 0, 0)))
    assert err.value.field == "image"


def test_palette_is_deterministic_and_cheap_at_any_size() -> None:
    big = painted(size=(1024, 768))
    assert extract_palette(big, 6) == extract_palette(big.copy(), 6)
    assert len(sample_pixels(big)) <= 256 * 192


def test_match_colours_moves_the_statistics_toward_the_reference() -> None:
    content = rgb_floats(painted(size=(128, 96)))
    reference = rgb_floats(Image.new("RGB", (16, 16), (40, 120, 200)))
    reference = reference + np.linspace(0, 0.1, 16, dtype=np.float32)[None, :, None]
    moved = match_colours(content, reference, strength=1.0)
    target = reference.reshape(-1, 3).mean(axis=0)
    before = np.abs(content.reshape(-1, 3).mean(axis=0) - target).sum()
    after = np.abs(moved.reshape(-1, 3).mean(axis=0) - target).sum()
    assert after < before * 0.3
    assert np.allclose(match_colours(content, reference, strength=0.0), content, atol=1e-5)


def test_open_image_reads_png_jpeg_and_webp_and_turns_by_exif() -> None:
    image = painted(size=(40, 20))
    for fmt in ("PNG", "JPEG", "WEBP"):
        buf = io.BytesIO()
        image.save(buf, fmt)
        assert open_image(buf.getvalue()).size == (40, 20)
    exif = Image.Exif()
    exif[0x0112] = 6  # rotated: viewers show it turned a quarter
    buf = io.BytesIO()
    image.save(buf, "JPEG", exif=exif)
    assert open_image(buf.getvalue()).size == (20, 40)


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"<html>not an image</html>", "not an image"),
        (b"GIF89a" + b"\x00" * 40, "not an image"),
        (encode_png(Image.new("RGB", (30, 30)))[:60], "damaged"),
    ],
    ids=["html", "gif", "truncated-png"],
)
def test_open_image_refuses_what_is_not_a_usable_image(data: bytes, words: str) -> None:
    with pytest.raises(UserInputError) as err:
        open_image(data, field="mask")
    assert err.value.field == "mask" and words in err.value.message and err.value.hint


def test_open_image_refuses_too_many_pixels_before_decoding() -> None:
    data = encode_png(Image.new("L", (3000, 3000)))
    with pytest.raises(UserInputError) as err:
        open_image(data, max_pixels=4_000_000)
    assert "3000x3000" in err.value.message


def test_encode_png_is_plain_and_lossless() -> None:
    image = disc_mask((30, 20), (0.1, 0.1, 0.9, 0.9))
    data = encode_png(image)
    with Image.open(io.BytesIO(data)) as png:
        assert not png.text  # type: ignore[attr-defined]
        assert np.array_equal(pixels(png), pixels(image))
