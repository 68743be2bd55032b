"""Malformed or out-of-range input gets a 4xx problem+json that says what to fix."""

from __future__ import annotations

from typing import Any

import pytest

from support.client import MODEL, wait_for_job

from .conftest import Studio

BAD_JOBS: list[tuple[str, Any, int, str]] = [
    ("not json", b"{prompt:", 422, "json"),
    ("a list, not an object", [1, 2], 422, "object"),
    ("no prompt", {"models": [MODEL]}, 422, "prompt"),
    ("blank prompt", {"prompt": "   ", "models": [MODEL]}, 422, "blank"),
    ("unknown field", {"prompt": "x", "models": [MODEL], "colour": "red"}, 422, "colour"),
    ("unknown model", {"prompt": "x", "models": ["nope/never"]}, 404, "nope/never"),
    ("retired model", {"prompt": "x", "models": ["openai/dall-e-3"]}, 410, "gpt-image-2.6-flare"),
    ("n too large", {"prompt": "x", "models": [MODEL], "n": 500}, 422, "n"),
    ("n zero", {"prompt": "x", "models": [MODEL], "n": 0}, 422, "n"),
    ("size malformed", {"prompt": "x", "models": [MODEL], "size": "big"}, 422, "size"),
    ("size too large", {"prompt": "x", "models": [MODEL], "size": "9000x9000"}, 422, "9000"),
    ("size too small", {"prompt": "x", "models": [MODEL], "size": "8x8"}, 422, "width"),
    ("odd ratio", {"prompt": "x", "models": [MODEL], "aspect_ratio": "7:5"}, 422, "aspect"),
    ("seed negative", {"prompt": "x", "models": [MODEL], "seed": -1}, 422, "seed"),
    ("seed huge", {"prompt": "x", "models": [MODEL], "seed": 2**40}, 422, "seed"),
    ("style unknown", {"prompt": "x", "models": [MODEL], "style": "baroque-xyz"}, 422, "style"),
    ("quality unsupported", {"prompt": "x", "models": [MODEL], "quality": "hd"}, 422, "quality"),
    ("prompt too long", {"prompt": "x" * 5000, "models": [MODEL]}, 422, "prompt"),
    (
        "reference not base64",
        {"prompt": "x", "models": [MODEL], "reference_images": ["zz"]},
        422,
        "reference",
    ),
    ("preset missing", {"prompt": "x", "preset_id": "nope"}, 404, "preset"),
]


@pytest.mark.parametrize(
    ("case", "body", "status", "mentions"), BAD_JOBS, ids=[c[0] for c in BAD_JOBS]
)
def test_bad_job_requests(studio: Studio, case: str, body: Any, status: int, mentions: str) -> None:
    with studio.client(studio.alice) as client:
        if isinstance(body, bytes):
            response = client.post(
                "/api/v1/jobs", content=body, headers={"Content-Type": "application/json"}
            )
        else:
            response = client.post("/api/v1/jobs", json=body)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == status
    assert problem["title"] and problem["detail"]
    assert mentions.lower() in response.text.lower(), problem


def test_size_error_names_the_allowed_ratios(studio: Studio) -> None:
    with studio.client(studio.alice) as client:
        response = client.post(
            "/api/v1/jobs", json={"prompt": "x", "models": [MODEL], "aspect_ratio": "7:5"}
        )
    problem = response.json()
    assert problem["field"] == "aspect_ratio"
    assert "16:9" in problem["allowed"]


@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        ("GET", "/api/v1/jobs?limit=0", None, 422),
        ("GET", "/api/v1/jobs?limit=abc", None, 422),
        ("GET", "/api/v1/jobs?status=sleeping", None, 422),
        ("GET", "/api/v1/jobs?since=yesterday", None, 422),
        ("GET", "/api/v1/jobs?favorite=maybe", None, 422),
        ("GET", "/api/v1/jobs/unknown-job", None, 404),
        ("PUT", "/api/v1/jobs/unknown-job/favorite", {"favorite": "yes please"}, 422),
        ("POST", "/api/v1/jobs/unknown-job/cancel", None, 404),
        ("POST", "/api/v1/jobs/unknown-job/variants/v/retry", None, 404),
        ("DELETE", "/api/v1/jobs/unknown-job", None, 404),
        ("GET", "/api/v1/images/" + "0" * 64, None, 404),
        ("POST", "/api/v1/presets", {"name": ""}, 422),
        ("POST", "/api/v1/presets", {"name": "p", "params": {"prompt": "no"}}, 422),
        ("POST", "/api/v1/presets", {"name": "p", "models": ["nope/never"]}, 404),
        ("POST", "/api/v1/presets", {"name": "p", "params": {"n": "many"}}, 422),
        ("GET", "/api/v1/no-such-thing", None, 404),
        ("PATCH", "/api/v1/jobs", None, 405),
    ],
)
def test_other_bad_requests(studio: Studio, method: str, path: str, body: Any, status: int) -> None:
    with studio.client(studio.alice) as client:
        response = client.request(method, path, json=body)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"]


def test_missing_or_wrong_token(studio: Studio) -> None:
    with studio.client() as client:
        missing = client.get("/api/v1/jobs")
    with studio.client("esl_wrong") as client:
        wrong = client.get("/api/v1/jobs")
    for response in (missing, wrong):
        assert response.status_code == 401
        assert response.headers["content-type"] == "application/problem+json"
        assert "easel token create" in response.json()["hint"]


def test_retrying_a_running_or_succeeded_variant_is_a_conflict(studio: Studio) -> None:
    with studio.client(studio.alice) as client:
        job = client.post(
            "/api/v1/jobs", json={"prompt": "x", "models": [MODEL], "size": "128x128"}
        ).json()
        done = wait_for_job(client, job["id"])
        variant = done["variants"][0]["id"]
        retry = client.post(f"/api/v1/jobs/{job['id']}/variants/{variant}/retry")
        cancel = client.post(f"/api/v1/jobs/{job['id']}/variants/{variant}/cancel")
    assert retry.status_code == 409 and "only failed or canceled" in retry.json()["detail"]
    assert cancel.status_code == 409
