"""Operations on images through the public API, on the offline engine: what each must
show in its pixels, the lineage it leaves, and the refusals of bad requests."""

from __future__ import annotations

import io
from typing import Any

import httpx
import numpy as np
import pytest
from PIL import Image

from easel.imaging import default_feather
from easel.storage.records import read_png_record
from support.client import MODEL, wait_for_job
from support.image_jobs import upload
from support.pictures import beyond, disc_mask, painted, subject_on_backdrop

from .conftest import Studio


def _run(client: httpx.Client, body: dict[str, Any]) -> dict[str, Any]:
    answer = client.post("/api/v1/jobs", json={"models": [MODEL], **body})
    assert answer.status_code == 202, answer.text
    job = wait_for_job(client, answer.json()["id"])
    assert job["status"] == "succeeded", job
    return job


def _result(client: httpx.Client, job: dict[str, Any]) -> tuple[Image.Image, bytes]:
    data = client.get(job["variants"][0]["image"]["url"]).raise_for_status().content
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        return image.copy(), data


@pytest.fixture(scope="module")
def source() -> Image.Image:
    return painted(size=(256, 192))


def test_inpaint_changes_no_pixel_outside_the_mask_beyond_the_soft_edge(
    studio: Studio, source: Image.Image
) -> None:
    mask = disc_mask(source.size, (0.3, 0.3, 0.6, 0.7))
    with studio.client(studio.alice) as alice:
        image, mask_sha = upload(alice, source), upload(alice, mask)
        job = _run(alice, {"operation": "inpaint", "image": image, "mask": mask_sha})
        result, data = _result(alice, job)
    assert result.size == source.size
    outside = beyond(mask, default_feather(source.size))
    before, after = np.asarray(source), np.asarray(result.convert("RGB"))
    assert (before[outside] == after[outside]).all()
    inside = np.asarray(mask) == 255
    assert (before[inside] != after[inside]).any(axis=-1).mean() > 0.5
    # Lineage: the job says what it was made from, and the file carries it too.
    assert job["operation"] == "inpaint"
    assert {(s["role"], s["image"]["sha256"]) for s in job["made_from"]} == {
        ("image", image),
        ("mask", mask_sha),
    }
    _, record = read_png_record(data)
    assert record is not None and record["operation"] == "inpaint"
    assert record["sources"] == {"image": image, "mask": mask_sha}


def test_outpaint_keeps_the_original_pixels_in_place(studio: Studio, source: Image.Image) -> None:
    sides = {"left": 40, "top": 0, "right": 24, "bottom": 16}
    with studio.client(studio.alice) as alice:
        image = upload(alice, source)
        job = _run(alice, {"operation": "outpaint", "image": image, "extend": sides})
        result, _ = _result(alice, job)
    assert result.size == (256 + 64, 192 + 16)
    placed = np.asarray(result.convert("RGB"))[0:192, 40 : 40 + 256]
    assert (placed == np.asarray(source)).all()
    assert job["variants"][0]["image"]["width"] == 320


@pytest.mark.parametrize("factor", [2, 4])
def test_upscale_multiplies_each_side(studio: Studio, source: Image.Image, factor: int) -> None:
    with studio.client(studio.alice) as alice:
        image = upload(alice, source)
        job = _run(alice, {"operation": "upscale", "image": image, "factor": factor})
        result, _ = _result(alice, job)
    assert result.size == (256 * factor, 192 * factor)
    # Still the same picture: scaled back down it is close to the source.
    back = np.asarray(result.convert("RGB").resize(source.size), dtype=np.int16)
    assert np.abs(back - np.asarray(source, dtype=np.int16)).mean() < 6


def test_remove_background_gives_transparent_corners_and_an_opaque_subject(
    studio: Studio,
) -> None:
    with studio.client(studio.alice) as alice:
        image = upload(alice, subject_on_backdrop(200))
        job = _run(alice, {"operation": "remove_background", "image": image})
        result, _ = _result(alice, job)
    assert result.mode == "RGBA"
    alpha = np.asarray(result.getchannel("A"))
    for y, x in ((0, 0), (0, 199), (199, 0), (199, 199)):
        assert alpha[y, x] == 0
    assert alpha[90, 70] == 255  # on the red disc, away from its edge


def test_edit_variations_and_style_transfer_make_new_pictures_of_the_same_size(
    studio: Studio, source: Image.Image
) -> None:
    style = painted("a green forest", size=(128, 128), seed=9)
    with studio.client(studio.alice) as alice:
        image, style_sha = upload(alice, source), upload(alice, style)
        bodies = [
            {"operation": "edit", "image": image, "prompt": "as a mosaic"},
            {"operation": "variations", "image": image, "seed": 5},
            {"operation": "style_transfer", "image": image, "style_image": style_sha},
        ]
        for body in bodies:
            result, _ = _result(alice, _run(alice, body))
            assert result.size == source.size
            assert not (np.asarray(result.convert("RGB")) == np.asarray(source)).all()


def test_a_variation_of_a_painted_picture_paints_its_plan_again(studio: Studio) -> None:
    with studio.client(studio.alice) as alice:
        first = _run(alice, {"prompt": "a red boat on a lake", "size": "256x256", "seed": 1})
        sha = first["variants"][0]["image"]["sha256"]
        again = _run(alice, {"operation": "variations", "image": sha, "seed": 2})
        other = _run(alice, {"prompt": "a red boat on a lake", "size": "256x256", "seed": 2})
        # Made into: the source's variant names the job made from it.
        source_job = alice.get(first["url"]).json()
        made_into = source_job["variants"][0]["made_into"]
        assert [(u["job_id"], u["operation"]) for u in made_into] == [(again["id"], "variations")]
        # Same plan, new seed: what the painter makes from the prompt with that seed.
        assert _result(alice, again)[0].tobytes() == _result(alice, other)[0].tobytes()


def test_history_filters_an_images_descendants(studio: Studio, source: Image.Image) -> None:
    with studio.client(studio.bob) as bob:
        root = upload(bob, source.transpose(Image.Transpose.FLIP_LEFT_RIGHT))  # his alone
        child = _run(bob, {"operation": "upscale", "image": root})
        child_sha = child["variants"][0]["image"]["sha256"]
        grandchild = _run(bob, {"operation": "remove_background", "image": child_sha})
        _run(bob, {"prompt": "unrelated", "size": "64x64"})
        listed = bob.get("/api/v1/jobs", params={"descendants_of": root}).json()["items"]
        assert [j["id"] for j in listed] == [grandchild["id"], child["id"]]
        direct = bob.get("/api/v1/jobs", params={"descendants_of": child_sha}).json()["items"]
        assert [j["id"] for j in direct] == [grandchild["id"]]
        ups = bob.get("/api/v1/jobs", params={"operation": "upscale"}).json()["items"]
        assert child["id"] in [j["id"] for j in ups]
    with studio.client(studio.alice) as alice:  # another user's lineage is not visible
        assert alice.get("/api/v1/jobs", params={"descendants_of": root}).json()["items"] == []


def test_a_caller_only_uses_their_own_images(studio: Studio, source: Image.Image) -> None:
    with studio.client(studio.alice) as alice:
        hers = upload(alice, source.rotate(180))
    with studio.client(studio.bob) as bob:
        for body in (
            {"operation": "upscale", "image": hers},
            {"prompt": "x", "reference_images": [hers]},
        ):
            answer = bob.post("/api/v1/jobs", json={"models": [MODEL], **body})
            assert answer.status_code == 404, answer.text
            assert answer.headers["content-type"] == "application/problem+json"
            assert hers in answer.json()["detail"]
        assert bob.get("/api/v1/jobs", params={"descendants_of": hers}).json()["items"] == []


@pytest.mark.parametrize(
    ("body", "field", "allowed"),
    [
        ({"operation": "inpaint"}, "mask", None),
        ({"operation": "upscale", "factor": 3}, "factor", None),
        ({"operation": "upscale", "mask": "0" * 64}, "mask", ["factor", "image", "prompt"]),
        ({"operation": "generate"}, "prompt", None),
        ({"operation": "outpaint", "extend": {"left": -1}}, "extend", None),
        ({"operation": "upscale", "size": "512x512"}, "size", None),
        ({"operation": "paint"}, "operation", None),
    ],
)
def test_bad_operation_requests_say_what_to_change(
    studio: Studio,
    source: Image.Image,
    body: dict[str, Any],
    field: str,
    allowed: list[str] | None,
) -> None:
    with studio.client(studio.alice) as alice:
        image = upload(alice, source)
        if body.get("operation") != "generate":
            body = {"image": image, **body}
        answer = alice.post("/api/v1/jobs", json={"models": [MODEL], **body})
    assert answer.status_code == 422, answer.text
    problem = answer.json()
    assert answer.headers["content-type"] == "application/problem+json"
    assert field in (problem.get("field") or "") + problem["detail"]
    if allowed is not None:
        assert problem["allowed"] == allowed


def test_a_model_without_the_operation_is_refused_naming_what_it_can_do(
    studio: Studio, source: Image.Image
) -> None:
    with studio.client(studio.alice) as alice:
        models = alice.get("/api/v1/models").json()
        caps = {m["id"]: m["capabilities"]["operations"] for m in models}
        assert set(caps[MODEL]) >= {"inpaint", "outpaint", "upscale", "remove_background"}
        other = next(m for m, ops in caps.items() if ops == ["generate"])
        image = upload(alice, source)
        answer = alice.post(
            "/api/v1/jobs",
            json={"models": [other], "operation": "upscale", "image": image},
        )
    assert answer.status_code == 422, answer.text
    problem = answer.json()
    if problem["field"] == "operation":
        assert problem["allowed"] == ["generate"]
    else:  # the model is listed but has no key here
        assert problem["field"] == "models"
