"""Each vendor's mask convention: what a converted mask looks like, and that converting
there and back gives the canonical mask again."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from easel.errors import UserInputError
from easel.imaging import (
    BFL_FILL,
    CONVENTIONS,
    IDEOGRAM_EDIT,
    IDEOGRAM_REMOVE_OBJECT,
    OPENAI_EDITS,
    RECRAFT_INPAINT,
    STABILITY_INPAINT,
    MaskConvention,
    binarize_mask,
    encode_vendor_mask,
    from_vendor_mask,
    normalize_mask,
    to_vendor_mask,
)
from support.pictures import disc_mask, pixels

SIZE = (80, 60)


def soft_disc() -> Image.Image:
    """A canonical mask with a soft (grey) rim, to see how each convention treats grey."""
    from easel.imaging import feather_mask

    return feather_mask(disc_mask(SIZE, (0.2, 0.2, 0.7, 0.8)), 4)


def test_openai_gets_a_png_whose_transparent_pixels_mark_the_edit() -> None:
    mask = soft_disc()
    out = to_vendor_mask(mask, OPENAI_EDITS)
    assert out.mode == "RGBA" and out.size == SIZE
    alpha = pixels(out)[..., 3]
    marked = pixels(mask) >= 128
    assert (alpha[marked] == 0).all() and (alpha[~marked] == 255).all()
    data = encode_vendor_mask(mask, OPENAI_EDITS)
    assert data.startswith(b"\x89PNG") and len(data) < 4 * 1024 * 1024
    with Image.open(io.BytesIO(data)) as png:
        assert png.size == SIZE and png.mode == "RGBA"


@pytest.mark.parametrize(
    ("convention", "change_value"),
    [(RECRAFT_INPAINT, 255), (BFL_FILL, 255), (IDEOGRAM_REMOVE_OBJECT, 255), (IDEOGRAM_EDIT, 0)],
)
def test_black_and_white_conventions_are_pure_black_and_white(
    convention: MaskConvention, change_value: int
) -> None:
    mask = soft_disc()
    out = pixels(to_vendor_mask(mask, convention))
    assert set(np.unique(out)) == {0, 255}
    marked = pixels(mask) >= 128
    assert (out[marked] == change_value).all()
    assert (out[~marked] == 255 - change_value).all()


def test_stability_keeps_grey_as_partial_strength() -> None:
    mask = soft_disc()
    out = to_vendor_mask(mask, STABILITY_INPAINT)
    assert out.mode == "L"
    assert np.array_equal(pixels(out), pixels(mask))
    assert len(np.unique(pixels(out))) > 2


@pytest.mark.parametrize("convention", list(CONVENTIONS.values()), ids=list(CONVENTIONS))
def test_every_convention_round_trips(convention: MaskConvention) -> None:
    mask = soft_disc()
    back = from_vendor_mask(to_vendor_mask(mask, convention), convention)
    want = mask if not convention.binary else binarize_mask(mask)
    assert back.mode == "L"
    assert np.array_equal(pixels(back), pixels(want))
    # Through the PNG bytes too, as a vendor (or Easel's own emulator) would read them.
    with Image.open(io.BytesIO(encode_vendor_mask(mask, convention))) as png:
        assert np.array_equal(pixels(from_vendor_mask(png, convention)), pixels(want))


def test_a_user_mask_in_openai_style_normalises_like_the_canonical_one() -> None:
    mask = binarize_mask(soft_disc())
    openai_style = to_vendor_mask(mask, OPENAI_EDITS)
    assert np.array_equal(pixels(normalize_mask(openai_style, SIZE)), pixels(mask))


def test_reading_an_openai_mask_without_transparency_is_refused() -> None:
    with pytest.raises(UserInputError) as err:
        from_vendor_mask(Image.new("RGB", SIZE, "white"), OPENAI_EDITS)
    assert err.value.field == "mask" and "transparen" in err.value.message


def test_every_convention_names_its_source() -> None:
    for convention in CONVENTIONS.values():
        assert convention.source.startswith(("https://", "openai-python "))
