"""Bounded input: request bodies are limited per route while they arrive (413 naming the
limit and the setting), every free-form field is bounded, and ``extra`` is checked
against the options the model declares and stored once per job."""

from __future__ import annotations

import io
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image

from emulators.bfl import BFLEmulator
from support.client import MODEL, wait_for_job
from support.server import ServerProcess, create_token

MB = 1024 * 1024
REFERENCE_LIMIT = 300_000
UPLOAD_LIMIT = 4 * REFERENCE_LIMIT + MB
FLUX = "bfl/flux-pro-1.1"


class Limited:
    def __init__(self, server: ServerProcess, token: str, bfl: BFLEmulator) -> None:
        self.server = server
        self.token = token
        self.bfl = bfl

    def client(self) -> httpx.Client:
        headers = {"Authorization": f"Bearer {self.token}"}
        return httpx.Client(base_url=self.server.url, headers=headers, timeout=60)

    def rss_kib(self) -> int:
        assert self.server.process is not None
        status = Path(f"/proc/{self.server.process.pid}/status").read_text()
        line = next(line for line in status.splitlines() if line.startswith("VmRSS"))
        return int(line.split()[1])


@pytest.fixture(scope="module")
def limited(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Limited]:
    with BFLEmulator() as bfl:
        bfl.state.task_seconds = 0.2
        env = {
            **bfl.easel_env(),
            "EASEL_MAX_REFERENCE_IMAGE_BYTES": str(REFERENCE_LIMIT),
            "EASEL_POLL_INTERVAL_SECONDS": "0.05",
        }
        server = ServerProcess(tmp_path_factory.mktemp("limits") / "data", env=env)
        server.start()
        try:
            yield Limited(server, create_token(server.data_dir, "ada"), bfl)  # type: ignore[arg-type]
        finally:
            server.stop()


def assert_too_large(response: httpx.Response, limit: int, setting: str) -> None:
    assert response.status_code == 413, response.text[:300]
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["limit_bytes"] == limit and problem["setting"] == setting
    assert setting in problem["hint"] and f"{limit:,}" in problem["detail"]


def chunks(total: int, size: int = 64 * 1024) -> Iterator[bytes]:
    """A JSON job whose ``extra`` is ``total`` bytes, sent chunked (no Content-Length)."""
    yield b'{"prompt": "x", "models": ["offline/procedural"], "extra": {"blob": "'
    sent = 0
    while sent < total:
        yield b"a" * size
        sent += size
    yield b'"}}'


def test_a_json_body_over_the_limit_is_refused_413(limited: Limited) -> None:
    body = {"prompt": "x", "models": [MODEL], "negative_prompt": "n" * (2 * MB)}
    with limited.client() as http:
        response = http.post("/api/v1/jobs", json=body)
    assert_too_large(response, MB, "EASEL_MAX_JSON_BODY_BYTES")


def test_a_chunked_100_mb_extra_is_refused_while_it_arrives(limited: Limited) -> None:
    """The case that once took 8 s, 1 GB of RSS and 600 MB of database: now refused after
    the first megabyte, without the server holding the rest."""
    before = limited.rss_kib()
    with limited.client() as http:
        jobs_before = http.get("/api/v1/jobs").json()["items"]
        started = time.monotonic()
        response = http.post(
            "/api/v1/jobs",
            content=chunks(100 * MB),
            headers={"Content-Type": "application/json"},
        )
        elapsed = time.monotonic() - started
        assert "content-length" not in response.request.headers
        assert_too_large(response, MB, "EASEL_MAX_JSON_BODY_BYTES")
        assert http.get("/api/v1/jobs").json()["items"] == jobs_before  # nothing was created
    assert limited.rss_kib() - before < 40 * 1024, "the body was buffered"
    assert elapsed < 60


def test_presets_are_limited_too(limited: Limited) -> None:
    big = {"name": "big", "models": [MODEL], "params": {"extra": {"blob": "a" * (5 * MB)}}}
    with limited.client() as http:
        assert_too_large(http.post("/api/v1/presets", json=big), MB, "EASEL_MAX_JSON_BODY_BYTES")
        for params, field in (
            ({"extra": {"blob": "a" * 2000}}, "extra"),
            ({"extra": {"steps": 4}}, "extra.steps"),
            ({"negative_prompt": "n" * 5000}, "negative_prompt"),
        ):
            body = {"name": "p", "models": [MODEL], "params": params}
            response = http.post("/api/v1/presets", json=body)
            assert response.status_code == 422, response.text
            assert field in response.text
        for models in ([""], ["m" * 101], ["has space/x"]):
            response = http.post("/api/v1/presets", json={"name": "p", "models": models})
            assert response.status_code == 422, response.text


BAD_FIELDS: list[tuple[str, dict[str, Any], str]] = [
    ("empty model id", {"models": [""]}, "models"),
    ("model id over 100 characters", {"models": ["m" * 101]}, "models"),
    ("empty model id in a choice", {"models": [{"model": "", "n": 1}]}, "models"),
    ("33 models", {"models": [MODEL] * 33}, "models"),
    ("negative prompt over the limit", {"negative_prompt": "n" * 4001}, "negative_prompt"),
    ("style over 60 characters", {"style": "s" * 61}, "style"),
    ("quality over 30 characters", {"quality": "q" * 31}, "quality"),
    ("preset id over 32 characters", {"preset_id": "p" * 33}, "preset_id"),
    ("extra the model does not take", {"extra": {"steps": 4}}, "extra.steps"),
    ("extra with 33 keys", {"extra": {f"k{i}": 1 for i in range(33)}}, "extra"),
    ("extra string over 1000", {"extra": {"k": "v" * 1001}}, "extra"),
    ("extra key not a name", {"extra": {"a b": 1}}, "extra"),
    ("extra nested object", {"extra": {"k": {"deep": 1}}}, "extra"),
]


@pytest.mark.parametrize(("case", "fields", "mentions"), BAD_FIELDS, ids=[c[0] for c in BAD_FIELDS])
def test_free_form_fields_are_bounded(
    limited: Limited, case: str, fields: dict[str, Any], mentions: str
) -> None:
    with limited.client() as http:
        response = http.post("/api/v1/jobs", json={"prompt": "x", "models": [MODEL], **fields})
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert mentions in response.text


def test_extra_is_checked_against_the_models_options(limited: Limited) -> None:
    with limited.client() as http:
        for extra, mentions in (
            ({"safety_tolerance": 9}, "between 0"),
            ({"safety_tolerance": "2"}, "integer"),
            ({"safety_tolerance": True}, "integer"),
            ({"prompt_upsampling": 1}, "boolean"),
            ({"raw": True}, "safety_tolerance"),  # Ultra only: the allowed ones are named
        ):
            body = {"prompt": "x", "models": [FLUX], "size": "1024x768", "extra": extra}
            response = http.post("/api/v1/jobs", json=body)
            assert response.status_code == 422, (extra, response.text)
            assert mentions in response.json()["detail"], response.json()
        models = {m["id"]: m for m in http.get("/api/v1/models").json()}
    options = models[FLUX]["capabilities"]["extra_options"]
    assert options["safety_tolerance"] == {
        "type": "integer",
        "description": "0 strictest, 6 least strict.",
        "choices": [],
        "minimum": 0.0,
        "maximum": 6.0,
        "max_length": 200,
    }
    assert models[MODEL]["capabilities"]["extra_options"] == {}


def test_extra_is_stored_once_per_job_and_reaches_the_provider(limited: Limited) -> None:
    extra = {"safety_tolerance": 4, "prompt_upsampling": True}
    body = {"prompt": "a heron", "models": [FLUX], "n": 3, "size": "1024x768", "extra": extra}
    with limited.client() as http:
        created = http.post("/api/v1/jobs", json=body)
        assert created.status_code == 202, created.text
        job = wait_for_job(http, created.json()["id"])
    assert job["status"] == "succeeded", job
    assert job["params"]["extra"] == extra
    assert all("extra" not in v["params"] for v in job["variants"])
    sent = [t.body for t in limited.bfl.tasks.values() if t.body["prompt"] == "a heron"]
    assert len(sent) == 3
    assert all(b["safety_tolerance"] == 4 and b["prompt_upsampling"] is True for b in sent)


def _png(size: int) -> bytes:
    """A PNG of about ``size`` bytes (noise does not compress)."""
    side = int((size / 3) ** 0.5)
    image = Image.frombytes("RGB", (side, side), bytes(range(256)) * (side * side * 3 // 256 + 1))
    out = io.BytesIO()
    image.save(out, "PNG", compress_level=0)
    return out.getvalue()


def test_multipart_edits_are_limited_from_the_image_limits(limited: Limited) -> None:
    with limited.client() as http:
        over = {"image[]": ("a.png", b"\0" * (UPLOAD_LIMIT + 1), "image/png")}
        response = http.post("/v1/images/edits", data={"prompt": "x"}, files=over)
        assert response.status_code == 413, response.text
        error = response.json()["error"]
        assert error["code"] == "request_too_large"
        assert "EASEL_MAX_UPLOAD_BODY_BYTES" in error["message"]

        big = {"image": ("a.png", _png(REFERENCE_LIMIT + 50_000), "image/png")}
        response = http.post("/v1/images/edits", data={"prompt": "x", "model": MODEL}, files=big)
        assert response.status_code == 400, response.text
        assert f"{REFERENCE_LIMIT:,}" in response.json()["error"]["message"]


def test_the_openapi_document_shows_the_body_limits(limited: Limited) -> None:
    with limited.client() as http:
        document = http.get("/openapi.json").json()
    edits = document["paths"]["/v1/images/edits"]["post"]
    assert edits["x-body-limit"]["env"] == "EASEL_MAX_UPLOAD_BODY_BYTES"
    schema = edits["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert schema["properties"]["image[]"]["items"]["format"] == "binary"
    assert json.dumps(document).count("x-body-limit") >= 1
