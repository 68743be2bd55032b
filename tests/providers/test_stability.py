"""Stable Diffusion 3.5 end to end: a real Easel server talks to the Stability emulator
over HTTP; the test only uses Easel's public API. Each model is asked for through the
shared ``sd3`` endpoint by name, generates at the aspect ratio asked for, is stored, and
costs its price."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from emulators.stability import StabilityEmulator
from support.client import wait_for_job
from support.studio import Studio, picture, studio, submit

Stack = Studio[StabilityEmulator]
# (model, params, fields Stability must have received, size drawn at 16 px per ratio unit, USD)
CASES: list[tuple[str, dict[str, Any], dict[str, str], tuple[int, int], str]] = [
    (
        "sd3.5-large",
        {"aspect_ratio": "21:9", "seed": 77, "negative_prompt": "fog"},
        {"seed": "77", "negative_prompt": "fog", "aspect_ratio": "21:9"},
        (336, 144),
        "0.065",
    ),
    ("sd3.5-large-turbo", {"aspect_ratio": "4:5"}, {"aspect_ratio": "4:5"}, (64, 80), "0.04"),
    ("sd3.5-medium", {}, {"aspect_ratio": "1:1"}, (16, 16), "0.035"),
]


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    data_dir: Path = tmp_path_factory.mktemp("stability") / "data"
    with studio(StabilityEmulator(), data_dir) as running:
        yield running


def test_every_sd35_model_generates_stores_and_costs_its_price(stack: Stack) -> None:
    before = stack.emulator.state.creations.copy()
    with stack.client() as client:
        offered = {m["id"] for m in client.get("/api/v1/models").json()}
        assert {f"stability/{c[0]}" for c in CASES} <= offered
        prompts = [f"case {i}: a lighthouse in a storm" for i in range(len(CASES))]
        jobs = [
            submit(client, p, f"stability/{c[0]}", c[1])
            for p, c in zip(prompts, CASES, strict=True)
        ]
        for job_id, (remote, _, fields, size, usd), prompt in zip(
            jobs, CASES, prompts, strict=True
        ):
            (variant,) = wait_for_job(client, job_id, timeout=30)["variants"]
            assert variant["status"] == "succeeded", (remote, variant["error"])
            [sent] = [r for r in stack.emulator.requests if r["prompt"] == prompt]
            assert sent["endpoint"] == "sd3" and sent["model"] == remote
            assert fields.items() <= sent.items(), sent
            data = client.get(variant["image"]["url"]).raise_for_status().content
            assert picture(data) == ("PNG", size)
            assert Decimal(variant["cost_usd"]) == Decimal(usd), remote
    assert stack.emulator.state.creations - before == Counter(c[0] for c in CASES)


@pytest.mark.parametrize(
    ("model", "params", "field_name"),
    [
        ("stability/sd3.5-large-turbo", {"negative_prompt": "fog"}, "negative_prompt"),
        ("stability/sd3.5-large", {"style": "anime"}, "style"),
        ("stability/sd3.5-medium", {"aspect_ratio": "3:1"}, "aspect_ratio"),
    ],
)
def test_what_sd35_does_not_take_is_refused_before_anything_is_paid(
    stack: Stack, model: str, params: dict[str, Any], field_name: str
) -> None:
    before = stack.emulator.total_creations
    with stack.client() as client:
        response = client.post("/api/v1/jobs", json={"prompt": "x", "models": [model], **params})
    assert response.status_code == 422, response.text
    assert response.json()["field"] == field_name, response.json()
    assert stack.emulator.total_creations == before
