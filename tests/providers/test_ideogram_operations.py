"""Ideogram's operations end to end: a real Easel server, the Ideogram emulator speaking
Ideogram's Remix, Inpaint, Reframe and Remove Background endpoints, and only Easel's
public API. Each operation's result is stored with its lineage and cost, at the size
Ideogram answers with; the inpaint mask reaches Ideogram black where to change."""

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

from easel.providers.ideogram_operations import VARIATION_PROMPT
from emulators.ideogram import MAGENTA, IdeogramEmulator
from support.image_jobs import png, result, run_job, stored, upload
from support.pictures import disc_mask, painted, subject_on_backdrop
from support.studio import Studio, studio

V4, V3 = "ideogram/ideogram-v4", "ideogram/ideogram-v3"
Stack = Studio[IdeogramEmulator]


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    data_dir: Path = tmp_path_factory.mktemp("ideogram-operations") / "data"
    with studio(IdeogramEmulator(), data_dir) as running:
        yield running


@pytest.fixture(scope="module")
def source() -> Image.Image:
    return painted(size=(256, 192), seed=5)


@pytest.fixture(scope="module")
def mask() -> Image.Image:
    return disc_mask((256, 192), (0.3, 0.3, 0.6, 0.7))


def _result(client: httpx.Client, job: dict[str, Any]) -> Image.Image:
    assert job["status"] == "succeeded", job["variants"][0]["error"]
    return result(client, job)


def _made_from(job: dict[str, Any]) -> dict[str, str]:
    return {s["role"]: s["image"]["sha256"] for s in job["made_from"]}


NIGHT = "make it night"
REMIXES = [
    # 4.0 remixes at the 2K resolution nearest the 4:3 source (the emulator answers /32).
    (V4, "edit", NIGHT, {"text_prompt": NIGHT, "resolution": "2304x1728"}, (72, 54), "0.06"),
    # 3.0 crops to the aspect ratio it is sent: the source's own.
    (V3, "edit", NIGHT, {"prompt": NIGHT, "aspect_ratio": "4x3"}, (64, 48), "0.06"),
    # A variation without a prompt: Easel's neutral prompt, weighted towards the source.
    (V3, "variations", "", {"prompt": VARIATION_PROMPT, "image_weight": "70"}, (64, 48), "0.06"),
    (V4, "variations", "in autumn", {"text_prompt": "in autumn", "image_weight": "70"}, None, ""),
]


@pytest.mark.parametrize(("model", "operation", "prompt", "sent", "size", "usd"), REMIXES)
def test_remix_edits_and_varies_the_image_with_lineage_and_cost(
    stack: Stack,
    source: Image.Image,
    model: str,
    operation: str,
    prompt: str,
    sent: dict[str, str],
    size: tuple[int, int] | None,
    usd: str,
) -> None:
    with stack.client() as client:
        image = upload(client, source)
        body = {"operation": operation, "image": image, **({"prompt": prompt} if prompt else {})}
        job = run_job(client, model, {**body, **({"quality": "quality"} if not usd else {})})
        result = _result(client, job)
        original = stored(client, image)
    version = "v4" if model == V4 else "v3"
    assert stack.emulator.paths[-1] == f"/v1/ideogram-{version}/remix"
    request = stack.emulator.requests[-1]
    assert {k: request.get(k) for k in sent} == sent
    assert stack.emulator.images[-1] == original  # the stored source, byte for byte
    assert result.size == (size or (72, 54))
    assert _made_from(job) == {"image": image}
    assert Decimal(job["variants"][0]["cost_usd"]) == Decimal(usd or "0.10")


def test_a_3_0_remix_carries_its_negative_prompt_and_style(
    stack: Stack, source: Image.Image
) -> None:
    with stack.client() as client:
        image = upload(client, source)
        body = {"operation": "edit", "image": image, "prompt": NIGHT, "seed": 7}
        job = run_job(client, V3, {**body, "negative_prompt": "people", "style": "design"})
        assert job["status"] == "succeeded", job["variants"][0]["error"]
    request = stack.emulator.requests[-1]
    sent = {k: request.get(k) for k in ("negative_prompt", "style_type", "seed")}
    assert sent == {"negative_prompt": "people", "style_type": "DESIGN", "seed": "7"}


def test_inpaint_sends_the_mask_black_where_to_change(
    stack: Stack, source: Image.Image, mask: Image.Image
) -> None:
    with stack.client() as client:
        image, mask_sha = upload(client, source), upload(client, mask)
        body = {"operation": "inpaint", "image": image, "mask": mask_sha, "prompt": "a moon"}
        job = run_job(client, V3, {**body, "quality": "turbo"})
        result = np.asarray(_result(client, job).convert("RGB"))
    sent = np.asarray(Image.open(io.BytesIO(stack.emulator.masks[-1])))
    marked = np.asarray(mask) == 255
    assert sent.shape == marked.shape
    assert (sent[marked] == 0).all() and (sent[~marked] == 255).all()
    request = stack.emulator.requests[-1]
    assert (request["prompt"], request["rendering_speed"]) == ("a moon", "TURBO")
    assert result.shape[:2] == (192, 256)
    assert (np.abs(result[marked].astype(int) - MAGENTA).max(axis=1) < 40).mean() > 0.9
    assert _made_from(job) == {"image": image, "mask": mask_sha}
    assert Decimal(job["variants"][0]["cost_usd"]) == Decimal("0.03")


def test_outpaint_reframes_to_the_resolution_nearest_the_extended_shape(
    stack: Stack, source: Image.Image
) -> None:
    with stack.client() as client:
        image = upload(client, source)
        extend = {"left": 128, "right": 128}  # 512x192: wider than any resolution on offer
        job = run_job(client, V3, {"operation": "outpaint", "image": image, "extend": extend})
        result = _result(client, job)
    assert stack.emulator.requests[-1]["resolution"] == "1536x640"
    assert result.size == (1536, 640)
    # Ideogram keeps the source centred, scaled into the height, and fills the sides.
    pixels = np.asarray(result.convert("RGB")).astype(int)
    assert (pixels[:, :300] == MAGENTA).all() and (pixels[:, -300:] == MAGENTA).all()
    assert (np.abs(pixels[:, 400:1100] - MAGENTA).max(axis=-1) > 40).mean() > 0.95
    assert _made_from(job) == {"image": image}
    assert Decimal(job["variants"][0]["cost_usd"]) == Decimal("0.06")


def test_remove_background_returns_the_subject_on_transparency_for_a_cent(
    stack: Stack,
) -> None:
    subject = subject_on_backdrop(128)
    with stack.client() as client:
        image = upload(client, subject)
        job = run_job(client, V4, {"operation": "remove_background", "image": image})
        result = _result(client, job)
    assert stack.emulator.requests[-1]["model"] == "remove-background"
    assert result.size == (128, 128) and result.mode == "RGBA"
    alpha = np.asarray(result.getchannel("A"))
    assert alpha[0, 0] == 0 and alpha[64, 50] == 255  # backdrop gone, the red disc kept
    assert _made_from(job) == {"image": image}
    assert Decimal(job["variants"][0]["cost_usd"]) == Decimal("0.01")


def test_a_refused_remix_fails_its_variant_saying_why(stack: Stack, source: Image.Image) -> None:
    stack.emulator.inject("moderation")
    with stack.client() as client:
        image = upload(client, source)
        job = run_job(client, V4, {"operation": "edit", "image": image, "prompt": "x"})
    variant = job["variants"][0]
    assert job["status"] == "failed" and variant["image"] is None
    assert variant["error"]["code"] == "content-rejected"
    assert "safety check" in variant["error"]["message"]


def test_an_operation_the_model_lacks_is_refused_naming_what_it_can(
    stack: Stack, source: Image.Image, mask: Image.Image
) -> None:
    before = stack.emulator.total_creations
    with stack.client() as client:
        image, mask_sha = upload(client, source), upload(client, mask)
        body = {"models": [V4], "operation": "inpaint", "image": image, "mask": mask_sha}
        answer = client.post("/api/v1/jobs", json=body)
    assert answer.status_code == 422, answer.text
    assert answer.json()["allowed"] == ["generate", "edit", "variations", "remove_background"]
    assert stack.emulator.total_creations == before


def test_the_emulator_refuses_an_inpaint_without_a_fitting_mask_as_ideogram_does(
    stack: Stack, source: Image.Image, mask: Image.Image
) -> None:
    url = f"{stack.emulator.base_url}/v1/ideogram-v3/inpaint"
    headers = {"Api-Key": stack.emulator.api_key}
    image = ("image", ("in.png", png(source), "image/png"))
    prompt = ("prompt", (None, "a moon"))
    missing = httpx.post(url, headers=headers, files=[image, prompt])
    small = ("mask", ("m.png", png(mask.resize((128, 96))), "image/png"))
    mismatched = httpx.post(url, headers=headers, files=[image, small, prompt])
    for answer in (missing, mismatched):
        assert answer.status_code == 400 and set(answer.json()) == {"error"}, answer.text
    assert "mask" in missing.json()["error"] and "(128, 96)" in mismatched.json()["error"]
