"""Seedream through BytePlus ModelArk end to end: a real Easel server talks to the
ModelArk emulator over HTTP and the test only uses Easel's public API. Each model
generates at the size asked for, is stored in the format asked for, and costs its price."""

from __future__ import annotations

import base64
import io
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image

from easel.config import Settings
from easel.providers import Catalog
from emulators._base import png_bytes
from emulators.byteplus import BytePlusEmulator
from support.client import wait_for_job
from support.server import FAST_PROVIDERS, ServerProcess, create_token

REFERENCE = "data:image/png;base64," + base64.b64encode(png_bytes(32, 32, seed=4)).decode()


@dataclass
class Stack:
    server: ServerProcess
    token: str
    ark: BytePlusEmulator

    def client(self) -> httpx.Client:
        headers = {"Authorization": f"Bearer {self.token}"}
        return httpx.Client(base_url=self.server.url, timeout=30, headers=headers)

    def sent(self, prompt: str) -> dict[str, Any]:
        [body] = [r for r in self.ark.requests if r["prompt"] == prompt]
        return body


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    emulator = BytePlusEmulator().start()
    data_dir: Path = tmp_path_factory.mktemp("byteplus") / "data"
    server = ServerProcess(data_dir, env={**emulator.easel_env(), **FAST_PROVIDERS})
    try:
        server.start()
        yield Stack(server, create_token(data_dir, "mei"), emulator)  # type: ignore[arg-type]
    finally:
        server.stop()
        emulator.stop()


@dataclass
class Case:
    remote: str
    params: dict[str, Any]
    picture: tuple[str, tuple[int, int]]
    """The format and size the emulator draws (1/32 scale)."""
    usd: str
    sent: dict[str, Any] = field(default_factory=dict)


CASES = [
    Case(
        "seedream-5-0-260128",
        {"size": "2848x1600", "reference_images": [REFERENCE]},
        ("PNG", (89, 50)),
        "0.035",
        {"output_format": "png", "image": [REFERENCE], "size": "2848x1600"},
    ),
    Case(
        "seedream-5-0-260128",
        {"aspect_ratio": "9:16", "extra": {"output_format": "jpeg", "watermark": "true"}},
        ("JPEG", (45, 80)),
        "0.035",
        {"output_format": "jpeg", "watermark": True, "size": "1440x2560"},
    ),
    Case("seedream-5-0-260128", {"size": "4704x2016"}, ("PNG", (147, 63)), "0.035"),
    Case("seedream-4-5-251128", {}, ("JPEG", (64, 64)), "0.04", {"size": "2048x2048"}),
    Case("seedream-4-0-250828", {"aspect_ratio": "3:2"}, ("JPEG", (78, 52)), "0.03"),
]


def submit(client: httpx.Client, prompt: str, model: str, params: dict[str, Any]) -> str:
    response = client.post("/api/v1/jobs", json={"prompt": prompt, "models": [model], **params})
    assert response.status_code == 202, response.text
    return str(response.json()["id"])


def picture(data: bytes) -> tuple[str, tuple[int, int]]:
    with Image.open(io.BytesIO(data)) as image:
        return str(image.format), image.size


def test_every_seedream_model_generates_stores_and_costs_its_price(stack: Stack) -> None:
    before = stack.ark.state.creations.copy()
    with stack.client() as client:
        offered = {m["id"] for m in client.get("/api/v1/models").json()}
        assert {f"byteplus/{c.remote}" for c in CASES} <= offered
        prompts = [f"case {i}: a paper lantern, {c.remote}" for i, c in enumerate(CASES)]
        jobs = [
            submit(client, p, f"byteplus/{c.remote}", c.params)
            for p, c in zip(prompts, CASES, strict=True)
        ]
        for job_id, case, prompt in zip(jobs, CASES, prompts, strict=True):
            (variant,) = wait_for_job(client, job_id, timeout=30)["variants"]
            assert variant["status"] == "succeeded", (case.remote, variant["error"])
            data = client.get(variant["image"]["url"]).raise_for_status().content
            assert picture(data) == case.picture, case.remote
            sent = stack.sent(prompt)
            # One image, as base64, without BytePlus' visible watermark unless asked for.
            assert sent["response_format"] == "b64_json"
            assert sent["sequential_image_generation"] == "disabled"
            assert sent["watermark"] is case.sent.get("watermark", False)
            assert case.sent.items() <= sent.items(), (case.remote, sent)
            assert ("output_format" in sent) == case.remote.startswith("seedream-5")
            assert Decimal(variant["cost_usd"]) == Decimal(case.usd), case.remote
    made = stack.ark.state.creations - before
    assert made == Counter(c.remote for c in CASES)  # each paid for exactly once


@pytest.mark.parametrize(
    ("model", "params", "field_name", "words"),
    [
        ("byteplus/seedream-4-5-251128", {"size": "1024x1024"}, "size", "does not take size"),
        ("byteplus/seedream-4-0-250828", {"size": "3072x3072"}, "size", "does not take size"),
        (
            "byteplus/seedream-4-0-250828",
            {"reference_images": [REFERENCE] * 11},
            "reference_images",
            "at most 10 reference images",
        ),
        (
            "byteplus/seedream-5-0-260128",
            {"extra": {"output_format": "webp"}},
            "extra.output_format",
            "has no output_format 'webp'",
        ),
        ("byteplus/seedream-5-0-260128", {"seed": 7}, "seed", "does not take a seed"),
    ],
)
def test_sizes_and_options_are_checked_before_anything_is_paid(
    stack: Stack, model: str, params: dict[str, Any], field_name: str, words: str
) -> None:
    before = stack.ark.total_creations
    with stack.client() as client:
        response = client.post("/api/v1/jobs", json={"prompt": "x", "models": [model], **params})
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["field"] == field_name and words in problem["detail"], problem
    assert stack.ark.total_creations == before


def test_a_refused_output_inside_a_200_fails_the_variant_unpaid(stack: Stack) -> None:
    before = stack.ark.total_creations
    with stack.client() as client:
        job_id = submit(client, "FLAG OUTPUT lantern", "byteplus/seedream-4-5-251128", {})
        (variant,) = wait_for_job(client, job_id, timeout=30)["variants"]
    assert variant["status"] == "failed" and variant["error"]["code"] == "content-rejected"
    assert "refused the generated image" in variant["error"]["message"]
    assert "Request id" not in variant["error"]["message"]
    assert stack.ark.total_creations == before


def test_a_model_byteplus_does_not_serve_fails_saying_so(stack: Stack) -> None:
    stack.ark.withdraw("seedream-4-0-250828")
    try:
        with stack.client() as client:
            job_id = submit(client, "withdrawn", "byteplus/seedream-4-0-250828", {})
            (variant,) = wait_for_job(client, job_id, timeout=30)["variants"]
    finally:
        stack.ark.serve("seedream-4-0-250828")
    assert variant["status"] == "failed" and variant["error"]["code"] == "unsupported"
    assert "does not serve this model" in variant["error"]["message"]
    assert "ModelArk console" in variant["error"]["message"]


def test_without_ark_api_key_the_models_are_unavailable_naming_it() -> None:
    entries = {e.model.id: e for e in Catalog.load(Settings(environ={})).entries()}
    reason = str(entries["byteplus/seedream-5-0-260128"].unavailable_reason)
    assert "ARK_API_KEY" in reason
