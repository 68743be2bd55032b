"""OpenAI edits and inpainting end to end: a real Easel server, the OpenAI emulator, and
only Easel's public API. The emulated model treats the mask as a hint (it re-renders
every pixel), so only Easel's compositing can keep the pixels outside the mask."""

from __future__ import annotations

import io
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
from PIL import Image

from easel.imaging import default_feather
from emulators.openai import MAGENTA, OpenAIEmulator
from support.client import wait_for_job
from support.image_jobs import stored, upload
from support.pictures import beyond, disc_mask, painted
from support.server import FAST_PROVIDERS
from support.studio import Studio, studio

MODEL = "openai/gpt-image-2"
Stack = Studio[OpenAIEmulator]


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    data_dir: Path = tmp_path_factory.mktemp("openai-edits") / "data"
    env = {**FAST_PROVIDERS, "EASEL_PROVIDER_TIMEOUT_SECONDS": "15"}
    with studio(OpenAIEmulator(), data_dir, env) as running:
        yield running


def _finish(client: httpx.Client, body: dict[str, Any]) -> dict[str, Any]:
    answer = client.post("/api/v1/jobs", json={"models": [MODEL], **body})
    assert answer.status_code == 202, answer.text
    return wait_for_job(client, answer.json()["id"])


def _picture(client: httpx.Client, job: dict[str, Any]) -> np.ndarray:
    data = client.get(job["variants"][0]["image"]["url"]).raise_for_status().content
    with Image.open(io.BytesIO(data)) as image:
        return np.asarray(image.convert("RGB"))


@pytest.fixture(scope="module")
def source() -> Image.Image:
    return painted(size=(256, 192), seed=11)


@pytest.fixture(scope="module")
def mask() -> Image.Image:
    return disc_mask((256, 192), (0.3, 0.3, 0.6, 0.7))


def test_inpaint_sends_openais_mask_and_composites_the_original_back(
    stack: Stack, source: Image.Image, mask: Image.Image
) -> None:
    with stack.client() as client:
        image, mask_sha = upload(client, source), upload(client, mask)
        job = _finish(client, {"operation": "inpaint", "image": image, "mask": mask_sha})
        assert job["status"] == "succeeded", job
        result = _picture(client, job)
        sent_image = stored(client, image)
    # OpenAI got the image first and the mask in its convention: transparent = edit.
    sent = Image.open(io.BytesIO(stack.emulator.masks[-1]))
    assert sent.size == source.size and sent.mode == "RGBA"
    alpha = np.asarray(sent.getchannel("A"))
    marked = np.asarray(mask) == 255
    assert (alpha[marked] == 0).all() and (alpha[~marked] == 255).all()
    assert stack.emulator.first_images[-1] == sent_image
    # The emulated model brightened everything; outside the mask the original is back.
    assert result.shape[:2] == (192, 256)
    outside = beyond(mask, default_feather(source.size))
    assert (result[outside] == np.asarray(source)[outside]).all()
    inside = np.asarray(mask.point(lambda v: 255 if v else 0).resize(mask.size)) == 255
    core = inside & beyond(Image.fromarray(~inside * np.uint8(255)), 4)
    assert (np.abs(result[core].astype(int) - MAGENTA).max(axis=1) < 40).mean() > 0.9
    # Lineage and cost are stored as for any job.
    assert {s["role"] for s in job["made_from"]} == {"image", "mask"}
    assert Decimal(job["cost_usd"]) > 0


def test_without_compositing_the_sloppy_edit_shows(
    stack: Stack, source: Image.Image, mask: Image.Image
) -> None:
    """The check above can fail: turned off, the model's re-rendering stays."""
    with stack.client() as client:
        image, mask_sha = upload(client, source), upload(client, mask)
        body = {"operation": "inpaint", "image": image, "mask": mask_sha, "composite": False}
        job = _finish(client, body)
        assert job["status"] == "succeeded", job
        result = _picture(client, job)
    assert job["variants"][0]["params"]["width"] % 16 == 0  # a size OpenAI takes
    assert result.shape[:2] != (192, 256) or not (result == np.asarray(source)).all()


def test_edit_sends_the_image_first_with_the_prompt(stack: Stack, source: Image.Image) -> None:
    with stack.client() as client:
        image = upload(client, source)
        job = _finish(client, {"operation": "edit", "image": image, "prompt": "make it night"})
        assert job["status"] == "succeeded", job
        sent_image = stored(client, image)
    assert stack.emulator.first_images[-1] == sent_image
    assert stack.emulator.requests[-1]["prompt"] == "make it night"
    assert "mask" not in stack.emulator.requests[-1]


def test_openai_cannot_upscale_and_says_what_it_can(stack: Stack, source: Image.Image) -> None:
    with stack.client() as client:
        image = upload(client, source)
        answer = client.post(
            "/api/v1/jobs", json={"models": [MODEL], "operation": "upscale", "image": image}
        )
    assert answer.status_code == 422
    assert answer.json()["allowed"] == ["generate", "edit", "inpaint"]


def test_a_refused_inpaint_fails_its_variant_saying_why(
    stack: Stack, source: Image.Image, mask: Image.Image
) -> None:
    stack.emulator.inject("moderation")
    with stack.client() as client:
        image, mask_sha = upload(client, source), upload(client, mask)
        job = _finish(client, {"operation": "inpaint", "image": image, "mask": mask_sha})
    variant = job["variants"][0]
    assert job["status"] == "failed" and variant["image"] is None
    assert variant["error"]["code"] == "content-rejected", variant
