"""The official OpenAI SDK's ``images.edit(image=…, mask=…)`` and
``images.create_variation(…)`` against a running Easel."""

from __future__ import annotations

import base64
import io
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import openai
import pytest
from PIL import Image

from easel.imaging import OPENAI_EDITS, default_feather, to_vendor_mask
from emulators.openai import OpenAIEmulator
from support.client import MODEL
from support.pictures import beyond, disc_mask, painted

from .conftest import Easel, running_easel

HOSTED = "openai/gpt-image-2"


@pytest.fixture(scope="module")
def emulator() -> Iterator[OpenAIEmulator]:
    with OpenAIEmulator() as running:
        yield running  # type: ignore[misc]


@pytest.fixture(scope="module")
def easel(data_dir: Path, emulator: OpenAIEmulator) -> Iterator[Easel]:
    with running_easel(data_dir, emulator.easel_env()) as running:
        yield running


@pytest.fixture
def client(easel: Easel) -> Iterator[openai.OpenAI]:
    with openai.OpenAI(base_url=f"{easel.url}/v1", api_key=easel.token, max_retries=0) as sdk:
        yield sdk


def _png(image: Image.Image) -> bytes:
    buf = io.BytesIO()
    image.save(buf, "PNG")
    return buf.getvalue()


def _decoded(b64: str | None) -> np.ndarray:
    with Image.open(io.BytesIO(base64.b64decode(b64 or ""))) as image:
        return np.asarray(image.convert("RGB"))


SOURCE = painted(size=(256, 192), seed=21)
MASK = disc_mask((256, 192), (0.25, 0.25, 0.55, 0.65))
OPENAI_MASK = _png(to_vendor_mask(MASK, OPENAI_EDITS))  # transparent where to edit


@pytest.mark.parametrize("model", [MODEL, HOSTED])
def test_edit_with_a_mask_inpaints_and_keeps_the_rest(
    client: openai.OpenAI, easel: Easel, model: str
) -> None:
    result = client.images.edit(
        model=model,
        image=("photo.png", _png(SOURCE), "image/png"),
        mask=("mask.png", OPENAI_MASK, "image/png"),
        prompt="a pond",
        response_format="b64_json",
    )
    assert result.data and len(result.data) == 1
    pixels = _decoded(result.data[0].b64_json)
    assert pixels.shape[:2] == (192, 256)
    outside = beyond(MASK, default_feather(SOURCE.size))
    assert (pixels[outside] == np.asarray(SOURCE)[outside]).all()
    inside = np.asarray(MASK) == 255
    assert (pixels[inside] != np.asarray(SOURCE)[inside]).any(axis=-1).mean() > 0.5
    with easel.client() as http:
        job = http.get("/api/v1/jobs", params={"operation": "inpaint"}).json()["items"][0]
    assert job["operation"] == "inpaint" and job["prompt"] == "a pond"
    assert [s["role"] for s in job["made_from"]] == ["image", "mask"]


def test_a_mask_without_transparency_is_refused_as_openai_would(client: openai.OpenAI) -> None:
    opaque = _png(MASK.convert("RGB"))
    with pytest.raises(openai.BadRequestError) as refused:
        client.images.edit(
            model=MODEL,
            image=("photo.png", _png(SOURCE), "image/png"),
            mask=("mask.png", opaque, "image/png"),
            prompt="x",
        )
    assert refused.value.body["param"] == "mask"  # type: ignore[index]
    assert "transparen" in refused.value.message


def test_create_variation_makes_new_pictures_of_the_image(
    client: openai.OpenAI, easel: Easel
) -> None:
    result = client.images.create_variation(
        model=MODEL,
        image=("photo.png", _png(SOURCE), "image/png"),
        n=2,
        response_format="b64_json",
    )
    assert result.data and len(result.data) == 2
    first, second = (_decoded(d.b64_json) for d in result.data)
    assert first.shape[:2] == second.shape[:2] == (192, 256)
    assert not (first == second).all() and not (first == np.asarray(SOURCE)).all()
    with easel.client() as http:
        job = http.get("/api/v1/jobs", params={"operation": "variations"}).json()["items"][0]
    assert [s["role"] for s in job["made_from"]] == ["image"]


def test_a_model_without_variations_is_refused_naming_what_it_can_do(
    client: openai.OpenAI,
) -> None:
    with pytest.raises(openai.BadRequestError) as refused:
        client.images.create_variation(model=HOSTED, image=("p.png", _png(SOURCE), "image/png"))
    assert refused.value.body["param"] == "operation"  # type: ignore[index]
    assert "generate, edit, inpaint" in refused.value.message
