"""Classical background removal: a subject on a plain or graded backdrop comes out with
transparent corners and an opaque subject; a busy picture is refused with a reason."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw

from easel.errors import UserInputError
from easel.imaging import remove_background
from support.pictures import painted, pixels, subject_on_backdrop


def corners(alpha: np.ndarray) -> list[int]:
    return [int(alpha[0, 0]), int(alpha[0, -1]), int(alpha[-1, 0]), int(alpha[-1, -1])]


@pytest.mark.parametrize("graded", [False, True], ids=["plain", "graded"])
@pytest.mark.parametrize("size", [96, 256, 1024])
def test_subject_opaque_backdrop_transparent(graded: bool, size: int) -> None:
    image = subject_on_backdrop(size, graded=graded)
    out = remove_background(image)
    assert out.mode == "RGBA" and out.size == image.size
    alpha = pixels(out)[..., 3]
    assert corners(alpha) == [0, 0, 0, 0]
    c = size // 2
    assert alpha[c, int(size * 0.35)] == 255  # the disc
    assert alpha[int(size * 0.435), int(size * 0.485)] == 255  # the pale spot inside it
    # The matte hugs the disc: its area is the disc's, within a few percent.
    assert (alpha > 127).sum() == pytest.approx(np.pi * (0.2 * size) ** 2, rel=0.03)
    # Edge pixels carry no pale backdrop halo: the un-mixed colour stays red.
    edge = (alpha > 30) & (alpha < 225)
    assert edge.any()
    assert pixels(out)[..., 1][edge].mean() < 110


def test_a_subject_running_off_the_edge_stays_opaque() -> None:
    out = remove_background(subject_on_backdrop(256, touching_edge=True))
    alpha = pixels(out)[..., 3]
    assert corners(alpha) == [0, 0, 0, 0]
    assert alpha[-1, 128] == 255 and alpha[200, 128] == 255  # the stem down to the edge


def test_crumbs_of_noise_are_dropped() -> None:
    image = subject_on_backdrop(256)
    ImageDraw.Draw(image).rectangle((20, 200, 22, 202), fill=(20, 20, 20))  # a speck
    alpha = pixels(remove_background(image))[..., 3]
    assert alpha[201, 21] == 0 and alpha[128, 100] == 255


def test_existing_transparency_is_kept() -> None:
    image = subject_on_backdrop(128).convert("RGBA")
    image.putpixel((64, 50), (200, 60, 40, 0))
    assert pixels(remove_background(image))[50, 64, 3] == 0


def test_large_pictures_are_matted_on_a_scaled_copy() -> None:
    image = subject_on_backdrop(2600)
    alpha = pixels(remove_background(image))[..., 3]
    assert corners(alpha) == [0, 0, 0, 0] and alpha[1300, 1000] == 255


def test_same_picture_same_matte() -> None:
    image = subject_on_backdrop(200, graded=True)
    assert remove_background(image).tobytes() == remove_background(image).tobytes()


def test_a_busy_picture_is_refused_with_a_reason() -> None:
    rng = np.random.default_rng(1)
    noise = Image.fromarray(rng.integers(0, 256, (128, 128, 3), dtype=np.uint8))
    with pytest.raises(UserInputError) as err:
        remove_background(noise)
    assert err.value.field == "image" and "backdrop" in err.value.message
    assert err.value.hint and "hosted model" in err.value.hint


def test_a_picture_of_only_backdrop_is_refused() -> None:
    with pytest.raises(UserInputError) as err:
        remove_background(Image.new("RGB", (64, 64), (240, 240, 240)))
    assert "No subject" in err.value.message


def test_a_landscape_is_not_cut_at_random() -> None:
    """A painted landscape has no single backdrop: refused, or the sky alone removed."""
    image = painted("rolling hills with flowers", size=(256, 192))
    try:
        out = remove_background(image)
    except UserInputError as err:
        assert err.field == "image"
        return
    assert pixels(out)[..., 3].mean() > 0
