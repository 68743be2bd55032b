"""Stability AI's image tools end to end: a real Easel server, the Stability emulator and
only Easel's public API. Each operation runs on its own catalog entry, sends the fields
Stability documents, stores a result of the right size with its lineage and price, and
a refusal or server error fails the variant saying why."""

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

from emulators.stability import StabilityEmulator
from emulators.stability_tools import MAGENTA, Form
from support import image_jobs
from support.pictures import disc_mask, painted, subject_on_backdrop
from support.studio import Studio, studio

Stack = Studio[StabilityEmulator]
SIZE = (256, 192)


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    data_dir: Path = tmp_path_factory.mktemp("stability-ops") / "data"
    with studio(StabilityEmulator(), data_dir) as running:
        yield running


@pytest.fixture(scope="module")
def source() -> Image.Image:
    return painted(size=SIZE, seed=5)


def _run(client: httpx.Client, model: str, body: dict[str, Any]) -> dict[str, Any]:
    return image_jobs.run_job(client, f"stability/{model}", body)


def _result(client: httpx.Client, job: dict[str, Any], usd: str) -> Image.Image:
    """The succeeded job's one picture, after checking its price."""
    (variant,) = job["variants"]
    assert job["status"] == "succeeded" and variant["status"] == "succeeded", variant["error"]
    assert Decimal(variant["cost_usd"]) == Decimal(usd)
    return image_jobs.result(client, job)


def _sources(job: dict[str, Any]) -> dict[str, str]:
    return {s["role"]: s["image"]["sha256"] for s in job["made_from"]}


def _last(stack: Stack, endpoint: str) -> Form:
    return [f for f in stack.emulator.tool_requests if f.endpoint == endpoint][-1]


def test_inpaint_sends_a_white_is_change_mask_and_keeps_the_rest(
    stack: Stack, source: Image.Image
) -> None:
    mask = disc_mask(SIZE, (0.3, 0.3, 0.6, 0.7))
    with stack.client() as client:
        image, mask_sha = image_jobs.upload(client, source), image_jobs.upload(client, mask)
        body = {"operation": "inpaint", "image": image, "mask": mask_sha, "prompt": "a moon"}
        job = _run(client, "inpaint", {**body, "seed": 9})
        result = _result(client, job, "0.05")
        stored = image_jobs.stored(client, image)
    sent = _last(stack, "edit/inpaint")
    assert sent.fields == {"prompt": "a moon", "seed": "9", "output_format": "png"}
    assert sent.files["image"] == stored
    # Stability's convention: greyscale, white where to repaint, black where to keep.
    vendor = Image.open(io.BytesIO(sent.files["mask"]))
    assert vendor.mode == "L" and vendor.size == SIZE
    marked = np.asarray(mask) == 255
    assert (np.asarray(vendor)[marked] == 255).all() and (np.asarray(vendor)[~marked] < 128).all()
    pixels = np.asarray(result.convert("RGB"))
    assert result.size == SIZE
    assert (pixels[marked] == MAGENTA).all()
    assert (pixels[np.asarray(mask) == 0] == np.asarray(source)[np.asarray(mask) == 0]).all()
    assert _sources(job) == {"image": image, "mask": mask_sha}


def test_inpaint_without_a_prompt_erases(stack: Stack, source: Image.Image) -> None:
    mask = disc_mask(SIZE, (0.1, 0.1, 0.3, 0.3))
    with stack.client() as client:
        image, mask_sha = image_jobs.upload(client, source), image_jobs.upload(client, mask)
        job = _run(client, "inpaint", {"operation": "inpaint", "image": image, "mask": mask_sha})
        assert _result(client, job, "0.05").size == SIZE
    sent = _last(stack, "edit/erase")
    assert set(sent.files) == {"image", "mask"} and "prompt" not in sent.fields


def test_outpaint_grows_the_canvas_by_the_extension(stack: Stack, source: Image.Image) -> None:
    with stack.client() as client:
        image = image_jobs.upload(client, source)
        extend = {"left": 40, "top": 0, "right": 8, "bottom": 24}
        body = {"operation": "outpaint", "image": image, "extend": extend, "prompt": "more sea"}
        job = _run(client, "outpaint", body)
        result = _result(client, job, "0.04")
    assert result.size == (256 + 48, 192 + 24)
    sent = _last(stack, "edit/outpaint")
    expected = {"left": "40", "right": "8", "down": "24", "prompt": "more sea"}
    assert sent.fields.items() >= (expected | {"output_format": "png"}).items()
    assert sent.fields.keys() <= {*expected, "output_format", "seed"}  # no "up": it is 0
    # The original stays in place.
    kept = np.asarray(result.convert("RGB"))[0:192, 40 : 40 + 256]
    assert (kept == np.asarray(source)).all()
    assert _sources(job) == {"image": image}


def test_upscale_fast_makes_each_side_four_times_larger(stack: Stack) -> None:
    small = painted(size=(96, 64), seed=8)
    with stack.client() as client:
        image = image_jobs.upload(client, small)
        job = _run(client, "upscale-fast", {"operation": "upscale", "image": image})
        assert _result(client, job, "0.02").size == (384, 256)
        assert job["variants"][0]["params"]["width"] == 384
        stored = image_jobs.stored(client, image)
        # Stability's fast upscaler has one factor; the other is refused before paying.
        before = stack.emulator.total_creations
        refused = client.post(
            "/api/v1/jobs",
            json={"models": ["stability/upscale-fast"], "operation": "upscale"}
            | {"image": image, "factor": 2},
        )
    assert refused.status_code == 422, refused.text
    assert refused.json()["field"] == "factor" and refused.json()["allowed"] == ["4"]
    assert stack.emulator.total_creations == before
    sent = _last(stack, "upscale/fast")
    assert sent.files == {"image": stored} and sent.fields == {"output_format": "png"}
    assert _sources(job) == {"image": image}


def test_remove_background_gives_transparent_pixels(stack: Stack) -> None:
    with stack.client() as client:
        image = image_jobs.upload(client, subject_on_backdrop(128))
        job = _run(client, "remove-background", {"operation": "remove_background", "image": image})
        result = _result(client, job, "0.05")
    assert result.mode == "RGBA" and result.size == (128, 128)
    alpha = np.asarray(result.getchannel("A"))
    assert alpha[0, 0] == 0 and alpha[64, 64] == 255  # the backdrop went, the subject stayed
    assert set(_last(stack, "edit/remove-background").files) == {"image"}
    assert _sources(job) == {"image": image}


def test_style_transfer_sends_the_picture_and_the_style(stack: Stack, source: Image.Image) -> None:
    style = Image.new("RGB", (96, 96), (20, 40, 200))
    with stack.client() as client:
        image, style_sha = image_jobs.upload(client, source), image_jobs.upload(client, style)
        body = {"operation": "style_transfer", "image": image, "style_image": style_sha}
        job = _run(client, "style-transfer", body)
        assert _result(client, job, "0.08").size == SIZE
        stored, stored_style = (
            image_jobs.stored(client, image),
            image_jobs.stored(client, style_sha),
        )
    sent = _last(stack, "control/style-transfer")
    assert sent.files == {"init_image": stored, "style_image": stored_style}
    assert "prompt" not in sent.fields
    assert _sources(job) == {"image": image, "style_image": style_sha}


@pytest.mark.parametrize(
    ("fault", "code", "words"),
    [
        ("moderation", "content-rejected", "content moderation"),
        ("server_error", "unavailable", "server error"),
    ],
)
def test_a_refused_or_failed_tool_fails_its_variant_saying_why(
    stack: Stack, source: Image.Image, fault: str, code: str, words: str
) -> None:
    stack.emulator.inject(fault, times=10)  # more than the engine's retries
    try:
        with stack.client() as client:
            image = image_jobs.upload(client, source)
            body = {"operation": "outpaint", "image": image, "extend": {"top": 16}}
            job = _run(client, "outpaint", body)
    finally:
        stack.emulator.state.faults.clear()
    (variant,) = job["variants"]
    assert job["status"] == "failed" and variant["image"] is None
    assert variant["error"]["code"] == code, variant
    assert (
        words in variant["error"]["message"].lower()
        and "Stability AI" in (variant["error"]["message"])
    )


def test_an_image_stability_refuses_fails_the_variant_with_its_limit(stack: Stack) -> None:
    before = stack.emulator.total_creations
    with stack.client() as client:
        image = image_jobs.upload(client, painted(size=(1600, 64), seed=2))
        job = _run(client, "upscale-fast", {"operation": "upscale", "image": image})
    (variant,) = job["variants"]
    assert job["status"] == "failed" and variant["image"] is None
    assert variant["error"]["code"] == "unsupported", variant
    assert "image: sides must be 32 to 1536 px" in variant["error"]["message"], variant
    assert stack.emulator.total_creations == before  # a refusal is not billed


@pytest.mark.parametrize(
    ("model", "operation", "allowed"),
    [
        ("upscale-fast", "remove_background", ["upscale"]),
        ("sd3.5-large", "upscale", ["generate"]),
    ],
)
def test_an_operation_the_model_lacks_is_refused_naming_what_it_can(
    stack: Stack, source: Image.Image, model: str, operation: str, allowed: list[str]
) -> None:
    with stack.client() as client:
        image = image_jobs.upload(client, source)
        body = {"models": [f"stability/{model}"], "operation": operation, "image": image}
        answer = client.post("/api/v1/jobs", json=body)
    assert answer.status_code == 422, answer.text
    assert answer.json()["field"] == "operation" and answer.json()["allowed"] == allowed


def test_the_emulator_refuses_what_stability_refuses(stack: Stack, source: Image.Image) -> None:
    """The emulator's own checks, so the tests above cannot pass on a lax fake."""
    url = f"{stack.emulator.base_url}/v2beta/stable-image"
    headers = {"Authorization": f"Bearer {stack.emulator.api_key}", "Accept": "image/*"}
    png = ("in.png", image_jobs.png(source), "image/png")
    too_wide = ("wide.png", image_jobs.png(painted(size=(1600, 64))), "image/png")
    cases = [
        ("edit/inpaint", {"image": png}, {"prompt": "x"}, "mask"),
        ("edit/inpaint", {"mask": png}, {"prompt": "x"}, "image"),
        ("edit/outpaint", {"image": png}, {"left": "2001"}, "left"),
        ("control/style-transfer", {"init_image": png}, {}, "style_image"),
        ("upscale/fast", {"image": too_wide}, {}, "image"),
    ]
    for endpoint, files, fields, named in cases:
        parts = [*files.items(), *((k, (None, v)) for k, v in fields.items())]
        answer = httpx.post(f"{url}/{endpoint}", headers=headers, files=parts, timeout=10)
        assert answer.status_code == 400, (endpoint, answer.text)
        body = answer.json()
        assert body["name"] == "bad_request" and body["errors"][0].startswith(named), body
    answer = httpx.post(f"{url}/upscale/fast", headers=headers, files=[("image", png)], timeout=10)
    assert answer.status_code == 200 and answer.headers["finish-reason"] == "SUCCESS"
    json_answer = httpx.post(
        f"{url}/upscale/fast",
        headers={**headers, "Accept": "application/json"},
        files=[("image", png)],
        timeout=10,
    ).json()
    assert set(json_answer) == {"image", "finish_reason", "seed"}
