"""Black Forest Labs' FLUX.2 models end to end: a real Easel server talks to the BFL
emulator over HTTP and the test only uses Easel's public API. Each model generates at
the size asked for, is stored, and costs what BFL reported for it (by megapixel)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from emulators.bfl import ENDPOINTS, BFLEmulator, Task, credits
from support.client import wait_for_job
from support.server import FAST_PROVIDERS, ServerProcess, create_token

# (model, size, extra): every size is a different number of whole megapixels.
CASES = [
    ("flux-2-pro", "1536x1024", {"output_format": "jpeg"}),
    ("flux-2-max", "1024x1024", {"safety_tolerance": 4}),
    ("flux-2-flex", "2048x1024", {"steps": 28, "guidance": 6.5}),
    ("flux-2-klein-4b", "1920x1088", {}),
    ("flux-2-klein-9b", "704x1408", {}),
]


@dataclass
class Stack:
    server: ServerProcess
    token: str
    bfl: BFLEmulator

    def client(self) -> httpx.Client:
        headers = {"Authorization": f"Bearer {self.token}"}
        return httpx.Client(base_url=self.server.url, timeout=30, headers=headers)

    def sent(self, prompt: str) -> Task:
        [task] = [t for t in self.bfl.tasks.values() if t.body["prompt"] == prompt]
        return task


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    emulator = BFLEmulator().start()
    data_dir: Path = tmp_path_factory.mktemp("bfl") / "data"
    server = ServerProcess(data_dir, env={**emulator.easel_env(), **FAST_PROVIDERS})
    try:
        server.start()
        yield Stack(server, create_token(data_dir, "flo"), emulator)  # type: ignore[arg-type]
    finally:
        server.stop()
        emulator.stop()


def submit(client: httpx.Client, prompt: str, model: str, **params: Any) -> str:
    response = client.post("/api/v1/jobs", json={"prompt": prompt, "models": [model], **params})
    assert response.status_code == 202, response.text
    return str(response.json()["id"])


def test_every_flux2_model_generates_at_its_size_and_costs_what_bfl_reports(
    stack: Stack,
) -> None:
    with stack.client() as client:
        offered = {m["id"]: m for m in client.get("/api/v1/models").json()}
        jobs = [
            (submit(client, f"a glacier, {c[0]}", f"bfl/{c[0]}", size=c[1], extra=c[2]), c)
            for c in CASES
        ]
        for job_id, (remote, size, extra) in jobs:
            assert offered[f"bfl/{remote}"]["lifecycle"]["status"] == "active"
            (variant,) = wait_for_job(client, job_id, timeout=30)["variants"]
            assert variant["status"] == "succeeded", (remote, variant["error"])
            width, height = (int(side) for side in size.split("x"))
            task = stack.sent(f"a glacier, {remote}")
            assert task.endpoint == remote
            assert (task.body["width"], task.body["height"]) == (width, height)
            assert {k: task.body[k] for k in extra} == extra
            assert task.body["output_format"] == extra.get("output_format", "png")
            reported = credits(ENDPOINTS[remote][1], width * height / 1e6, 0)
            assert Decimal(variant["cost_usd"]) == Decimal(str(reported)) / 100, remote
            data = client.get(variant["image"]["url"]).raise_for_status().content
            assert data.startswith(b"\x89PNG")
    # Above one megapixel BFL charges more than the one-megapixel figure in the table.
    assert Decimal(offered["bfl/flux-2-pro"]["price"]["per_image_usd"]) == Decimal("0.03")


@pytest.mark.parametrize(
    ("size", "words"),
    [
        ("4096x2048", "at most 4,194,304 pixels"),
        ("1000x1000", "multiples of 16"),
        ("48x1024", "each side in 64..4096"),
    ],
)
def test_sizes_beyond_flux2s_limits_are_refused_before_anything_is_paid(
    stack: Stack, size: str, words: str
) -> None:
    before = stack.bfl.total_creations
    with stack.client() as client:
        response = client.post(
            "/api/v1/jobs", json={"prompt": "x", "models": ["bfl/flux-2-pro"], "size": size}
        )
    assert response.status_code == 422, response.text
    assert response.json()["field"] == "size" and words in response.json()["detail"]
    assert stack.bfl.total_creations == before


def test_an_option_the_model_does_not_take_is_refused_before_anything_is_paid(
    stack: Stack,
) -> None:
    """[klein] takes no steps: Easel refuses it from the declared options (BFL would
    answer 422 "Extra inputs are not permitted"), so nothing reaches BFL."""
    before = sum(stack.bfl.state.creations.values())
    with stack.client() as client:
        response = client.post(
            "/api/v1/jobs",
            json={"prompt": "klein", "models": ["bfl/flux-2-klein-4b"], "extra": {"steps": 9}},
        )
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["field"] == "extra.steps"
    assert problem["allowed"] == ["output_format", "safety_tolerance"]
    assert sum(stack.bfl.state.creations.values()) == before


def test_an_endpoint_bfl_withdrew_fails_saying_so(stack: Stack) -> None:
    stack.bfl.withdraw("flux-2-flex")
    try:
        with stack.client() as client:
            job_id = submit(client, "gone", "bfl/flux-2-flex")
            (variant,) = wait_for_job(client, job_id, timeout=30)["variants"]
    finally:
        stack.bfl.serve("flux-2-flex")
    assert variant["status"] == "failed" and variant["error"]["code"] == "unsupported"
    assert "does not serve /v1/flux-2-flex (404)" in variant["error"]["message"]
    assert "easel models check" in variant["error"]["message"]
