"""Black Forest Labs' operations on an image end to end: a real Easel server, the BFL
emulator, and only Easel's public API. FLUX.2 edits through ``input_image`` and its
numbered siblings, FLUX.1 Fill inpaints with BFL's mask, FLUX.1 Expand outpaints by
sides; each runs the submit-then-poll flow and is stored with its lineage and the cost
BFL reported."""

from __future__ import annotations

import base64
import io
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
from PIL import Image

from emulators.bfl import PAINT, BFLEmulator, Task
from support.image_jobs import refused, result, run_job, stored, succeeded, upload
from support.pictures import disc_mask, painted
from support.studio import Studio, studio

Stack = Studio[BFLEmulator]
SIZE = (256, 192)


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    data_dir: Path = tmp_path_factory.mktemp("bfl-ops") / "data"
    with studio(BFLEmulator(), data_dir) as running:
        yield running


@pytest.fixture(scope="module")
def source() -> Image.Image:
    return painted(size=SIZE, seed=8)


def _last_task(stack: Stack) -> Task:
    return list(stack.emulator.tasks.values())[-1]


def _decoded(value: str) -> bytes:
    return base64.b64decode(value, validate=True)


def test_flux2_edits_with_the_image_first_and_references_after(
    stack: Stack, source: Image.Image
) -> None:
    with stack.client() as client:
        sha, ref = upload(client, source), upload(client, painted(size=(128, 128), seed=9))
        body = {"operation": "edit", "image": sha, "prompt": "at dusk", "reference_images": [ref]}
        job = run_job(client, "bfl/flux-2-pro", body)
        variant = succeeded(job)
        picture, sent_image, sent_ref = (
            result(client, job),
            stored(client, sha),
            stored(client, ref),
        )
    task = _last_task(stack)
    assert task.endpoint == "flux-2-pro"
    assert _decoded(task.body["input_image"]) == sent_image
    assert _decoded(task.body["input_image_2"]) == sent_ref
    assert "input_image_3" not in task.body
    assert (task.body["width"], task.body["height"]) == SIZE == picture.size
    assert {(s["role"], s["image"]["sha256"]) for s in job["made_from"]} == {
        ("image", sha),
        ("reference", ref),
    }
    # BFL's figure, two input megapixels included: 3 + 2 x 1.5 credits.
    assert Decimal(variant["cost_usd"]) == Decimal("0.06")


def test_klein_takes_three_references_beside_the_image(stack: Stack, source: Image.Image) -> None:
    with stack.client() as client:
        sha = upload(client, source)
        refs = [upload(client, painted(size=(64, 64), seed=s)) for s in range(30, 34)]
        body = {"operation": "edit", "image": sha, "prompt": "x", "reference_images": refs}
        answer = client.post("/api/v1/jobs", json={"models": ["bfl/flux-2-klein-4b"], **body})
    assert answer.status_code == 422, answer.text
    assert answer.json()["field"] == "reference_images" and "at most 3" in answer.json()["detail"]


def test_fill_inpaints_with_bfls_black_and_white_mask(stack: Stack, source: Image.Image) -> None:
    mask = disc_mask(SIZE, (0.25, 0.2, 0.65, 0.8))
    with stack.client() as client:
        sha, mask_sha = upload(client, source), upload(client, mask)
        body = {"operation": "inpaint", "image": sha, "mask": mask_sha, "prompt": "a lantern"}
        job = run_job(client, "bfl/flux-pro-1.0-fill", body)
        variant = succeeded(job)
        picture = np.asarray(result(client, job).convert("RGB"))
    task = _last_task(stack)
    assert task.endpoint == "flux-pro-1.0-fill" and task.body["prompt"] == "a lantern"
    assert {"width", "height", "input_image"}.isdisjoint(task.body)
    with Image.open(io.BytesIO(_decoded(task.body["mask"]))) as sent_mask:
        assert sent_mask.mode == "L" and sent_mask.size == SIZE
        assert (np.asarray(sent_mask) == np.asarray(mask)).all()  # white = inpaint
    inside = np.asarray(mask) == 255
    assert (picture[inside] == PAINT).all()
    assert (picture[~inside] == np.asarray(source)[~inside]).all()
    assert {s["role"] for s in job["made_from"]} == {"image", "mask"}
    assert Decimal(variant["cost_usd"]) == Decimal("0.05")


def test_expand_outpaints_by_the_pixels_asked_for(stack: Stack, source: Image.Image) -> None:
    extend = {"left": 32, "top": 0, "right": 48, "bottom": 16}
    with stack.client() as client:
        sha = upload(client, source)
        job = run_job(
            client,
            "bfl/flux-pro-1.0-expand",
            {"operation": "outpaint", "image": sha, "extend": extend},
        )
        variant = succeeded(job)
        picture = result(client, job)
    task = _last_task(stack)
    assert task.endpoint == "flux-pro-1.0-expand"
    assert {k: task.body[k] for k in extend} == extend
    assert picture.size == (SIZE[0] + 80, SIZE[1] + 16)
    inner = np.asarray(picture.convert("RGB"))[0 : SIZE[1], 32 : 32 + SIZE[0]]
    assert (inner == np.asarray(source)).all()  # the original stays in place
    assert [s["image"]["sha256"] for s in job["made_from"]] == [sha]
    assert Decimal(variant["cost_usd"]) == Decimal("0.05")


def test_expand_beyond_bfls_limit_fails_saying_how_far_it_goes(
    stack: Stack, source: Image.Image
) -> None:
    created = len(stack.emulator.tasks)
    with stack.client() as client:
        sha = upload(client, source)
        body = {"operation": "outpaint", "image": sha, "extend": {"right": 2100}}
        job = run_job(client, "bfl/flux-pro-1.0-expand", body)
    (variant,) = job["variants"]
    assert job["status"] == "failed" and variant["error"]["code"] == "unsupported"
    assert "at most 2048 px" in variant["error"]["message"]
    assert len(stack.emulator.tasks) == created  # refused before anything was paid for


@pytest.mark.parametrize(
    ("model", "operation", "allowed"),
    [
        ("bfl/flux-2-pro", "upscale", ["generate", "edit"]),
        ("bfl/flux-pro-1.0-fill", "edit", ["inpaint"]),
        ("bfl/flux-pro-1.1", "edit", ["generate"]),
    ],
)
def test_an_operation_the_model_lacks_is_refused_naming_what_it_can(
    stack: Stack, source: Image.Image, model: str, operation: str, allowed: list[str]
) -> None:
    with stack.client() as client:
        sha = upload(client, source)
        body: dict[str, Any] = {"operation": operation, "image": sha}
        if operation == "edit":
            body["prompt"] = "at dusk"
        assert refused(client, model, body) == allowed


def test_a_moderated_edit_fails_its_variant_saying_why(stack: Stack, source: Image.Image) -> None:
    stack.emulator.inject("moderation", stage="poll")
    with stack.client() as client:
        sha = upload(client, source)
        job = run_job(
            client, "bfl/flux-2-klein-9b", {"operation": "edit", "image": sha, "prompt": "x"}
        )
    (variant,) = job["variants"]
    assert job["status"] == "failed" and variant["image"] is None
    assert variant["error"]["code"] == "content-rejected"
    assert "moderated the generated image" in variant["error"]["message"]


def test_bfl_refuses_fill_without_its_image_as_bfl_does(stack: Stack) -> None:
    answer = httpx.post(
        f"{stack.emulator.base_url}/v1/flux-pro-1.0-fill",
        headers={"x-key": stack.emulator.api_key},
        json={"prompt": "a lantern", "mask": "AAAA"},
    )
    assert answer.status_code == 422
    assert answer.json() == {
        "detail": [{"loc": ["body", "image"], "msg": "Field required", "type": "missing"}]
    }
