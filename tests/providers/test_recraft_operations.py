"""Recraft's operations on an image end to end: a real Easel server, the Recraft emulator,
and only Easel's public API. Each operation reaches its own Recraft endpoint with the
fields Recraft documents, and the result is stored with its lineage and the cost Recraft
reported."""

from __future__ import annotations

import io
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
from lxml import etree
from PIL import Image

from emulators.recraft import PAINT, SVG, RecraftEmulator
from support.image_jobs import refused, result, run_job, stored, succeeded, upload
from support.pictures import disc_mask, painted
from support.studio import Studio, studio

Stack = Studio[RecraftEmulator]
SIZE = (320, 256)  # inpainting takes sides of 256 px or more


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    data_dir: Path = tmp_path_factory.mktemp("recraft-ops") / "data"
    with studio(RecraftEmulator(), data_dir) as running:
        yield running


@pytest.fixture(scope="module")
def source() -> Image.Image:
    return painted(size=SIZE, seed=21)


def _made_from(job: dict[str, Any]) -> dict[str, str]:
    return {s["role"]: s["image"]["sha256"] for s in job["made_from"]}


def test_edit_sends_the_image_prompt_and_strength_to_image_to_image(
    stack: Stack, source: Image.Image
) -> None:
    with stack.client() as client:
        sha = upload(client, source)
        body = {"operation": "edit", "image": sha, "prompt": "at night", "extra": {"strength": 0.3}}
        job = run_job(client, "recraft/recraftv4_1", body)
        variant = succeeded(job)
        picture, sent_image = result(client, job), stored(client, sha)
    sent = stack.emulator.operations[-1]
    assert sent.endpoint == "imageToImage"
    assert sent.fields == {
        "prompt": "at night",
        "strength": "0.3",
        "model": "recraftv4_1",
        "n": "1",
        "response_format": "url",
    }
    assert sent.files["image"] == sent_image
    assert picture.size == SIZE and variant["image"]["sha256"] != sha
    assert _made_from(job) == {"image": sha}
    assert Decimal(variant["cost_usd"]) == Decimal("0.04")  # the 40 units Recraft reported


def test_an_edit_on_a_vector_model_comes_back_as_sanitised_svg(
    stack: Stack, source: Image.Image
) -> None:
    stack.emulator.svg = SVG.replace(b"<rect", b'<script>alert(1)</script><rect onclick="x()"')
    try:
        with stack.client() as client:
            sha = upload(client, source)
            body = {"operation": "edit", "image": sha, "prompt": "as a flat logo"}
            job = run_job(client, "recraft/recraftv4_1_vector", body)
            variant = succeeded(job)
            data = client.get(variant["image"]["url"]).raise_for_status().content
    finally:
        stack.emulator.svg = SVG
    assert stack.emulator.operations[-1].fields["strength"] == "0.5"  # Easel's default
    assert variant["image"]["mime_type"] == "image/svg+xml"
    assert b"<script" not in data and b"onclick" not in data
    assert etree.fromstring(data).tag == "{http://www.w3.org/2000/svg}svg"
    assert Decimal(variant["cost_usd"]) == Decimal("0.08")
    assert _made_from(job) == {"image": sha}


def test_inpaint_sends_the_mask_in_recrafts_convention(stack: Stack, source: Image.Image) -> None:
    mask = disc_mask(SIZE, (0.3, 0.3, 0.7, 0.7))
    with stack.client() as client:
        sha, mask_sha = upload(client, source), upload(client, mask)
        body = {"operation": "inpaint", "image": sha, "mask": mask_sha, "prompt": "a red kite"}
        job = run_job(client, "recraft/recraftv3", body)
        variant = succeeded(job)
        picture = np.asarray(result(client, job).convert("RGB"))
    sent = stack.emulator.operations[-1]
    assert sent.endpoint == "inpaint" and sent.fields["model"] == "recraftv3"
    # Greyscale, the image's size, white (255) where to repaint and black elsewhere.
    with Image.open(io.BytesIO(sent.files["mask"])) as sent_mask:
        assert sent_mask.mode == "L" and sent_mask.size == SIZE
        assert (np.asarray(sent_mask) == np.asarray(mask)).all()
    inside = np.asarray(mask) == 255
    assert (picture[inside] == PAINT).all()
    assert (picture[~inside] == np.asarray(source)[~inside]).all()
    assert _made_from(job) == {"image": sha, "mask": mask_sha}
    assert Decimal(variant["cost_usd"]) == Decimal("0.04")


def test_remove_background_leaves_the_backdrop_transparent(
    stack: Stack, source: Image.Image
) -> None:
    with stack.client() as client:
        sha = upload(client, source)
        job = run_job(
            client, "recraft/removeBackground", {"operation": "remove_background", "image": sha}
        )
        variant = succeeded(job)
        picture = result(client, job)
    assert stack.emulator.operations[-1].endpoint == "removeBackground"
    assert picture.size == SIZE and picture.mode == "RGBA"
    alpha = np.asarray(picture.getchannel("A"))
    assert alpha[0, 0] == 0 and alpha[SIZE[1] // 2, SIZE[0] // 2] == 255
    assert _made_from(job) == {"image": sha}
    assert Decimal(variant["cost_usd"]) == Decimal("0.01")


@pytest.mark.parametrize(("model", "usd"), [("crispUpscale", "0.004"), ("creativeUpscale", "0.25")])
def test_upscale_makes_the_image_larger(
    stack: Stack, source: Image.Image, model: str, usd: str
) -> None:
    with stack.client() as client:
        sha = upload(client, source)
        job = run_job(client, f"recraft/{model}", {"operation": "upscale", "image": sha})
        variant = succeeded(job)
        picture = result(client, job)
    assert stack.emulator.operations[-1].endpoint == model
    assert picture.width > SIZE[0] and picture.height > SIZE[1]
    assert (variant["image"]["width"], variant["image"]["height"]) == picture.size
    assert _made_from(job) == {"image": sha}
    assert Decimal(variant["cost_usd"]) == Decimal(usd)


@pytest.mark.parametrize(
    ("model", "operation", "allowed"),
    [
        ("recraft/recraftv4_1", "inpaint", ["generate", "edit"]),
        ("recraft/crispUpscale", "remove_background", ["upscale"]),
        ("recraft/removeBackground", "upscale", ["remove_background"]),
    ],
)
def test_an_operation_the_model_lacks_is_refused_naming_what_it_can(
    stack: Stack, source: Image.Image, model: str, operation: str, allowed: list[str]
) -> None:
    with stack.client() as client:
        sha = upload(client, source)
        body: dict[str, Any] = {"operation": operation, "image": sha}
        if operation == "inpaint":
            body["mask"] = upload(client, disc_mask(SIZE, (0.2, 0.2, 0.5, 0.5)))
        assert refused(client, model, body) == allowed


def test_an_account_out_of_units_fails_the_variant_saying_so(
    stack: Stack, source: Image.Image
) -> None:
    stack.emulator.inject("no_credit")
    with stack.client() as client:
        sha = upload(client, source)
        job = run_job(client, "recraft/crispUpscale", {"operation": "upscale", "image": sha})
    (variant,) = job["variants"]
    assert job["status"] == "failed" and variant["image"] is None
    assert variant["error"]["code"] == "quota"
    assert "no API units left" in variant["error"]["message"]


def test_recraft_refuses_an_operation_without_its_image_as_recraft_does(stack: Stack) -> None:
    headers = {"Authorization": f"Bearer {stack.emulator.api_key}"}
    url = f"{stack.emulator.base_url}/v1/images/imageToImage"
    answer = httpx.post(url, headers=headers, data={"prompt": "x", "strength": "0.5"})
    assert answer.status_code == 400
    assert answer.json() == {"code": "missing_parameter", "message": "image is required"}
