"""Ideogram 4.0 end to end: a real Easel server talks to the Ideogram emulator over HTTP;
the test only uses Easel's public API. Each rendering speed generates at the 2K resolution
asked for, is stored, and costs its price; what 4.0 does not take is refused unpaid."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from emulators.ideogram import IdeogramEmulator
from support.client import wait_for_job
from support.studio import Studio, picture, studio, submit

Stack = Studio[IdeogramEmulator]
MODEL = "ideogram/ideogram-v4"
# (params, resolution sent, rendering speed sent, USD per image)
CASES = [
    ({"size": "2560x1440", "quality": "turbo"}, "2560x1440", "TURBO", "0.03"),
    ({}, "2048x2048", "DEFAULT", "0.06"),
    ({"size": "1296x3168", "quality": "quality"}, "1296x3168", "QUALITY", "0.10"),
    ({"aspect_ratio": "2:3"}, "1664x2496", "DEFAULT", "0.06"),
]


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    data_dir: Path = tmp_path_factory.mktemp("ideogram") / "data"
    with studio(IdeogramEmulator(), data_dir) as running:
        yield running


def test_ideogram_4_generates_at_each_speed_stores_and_costs_its_price(stack: Stack) -> None:
    before = stack.emulator.state.creations.copy()
    with stack.client() as client:
        offered = {m["id"]: m for m in client.get("/api/v1/models").json()}
        assert offered[MODEL]["lifecycle"]["status"] == "active"
        prompts = [f"case {i}: a poster reading OPEN LATE" for i in range(len(CASES))]
        jobs = [submit(client, p, MODEL, c[0]) for p, c in zip(prompts, CASES, strict=True)]
        for job_id, (params, resolution, speed, usd), prompt in zip(
            jobs, CASES, prompts, strict=True
        ):
            (variant,) = wait_for_job(client, job_id, timeout=30)["variants"]
            assert variant["status"] == "succeeded", (params, variant["error"])
            [sent] = [r for r in stack.emulator.requests if r.get("text_prompt") == prompt]
            # 4.0 speaks text_prompt and resolution; nothing 3.0-only is sent.
            assert {k: v for k, v in sent.items() if k not in ("model", "prompt")} == {
                "text_prompt": prompt,
                "resolution": resolution,
                "rendering_speed": speed,
            }
            data = client.get(variant["image"]["url"]).raise_for_status().content
            width, height = (int(side) // 32 for side in resolution.split("x"))
            assert picture(data) == ("PNG", (width, height))
            assert Decimal(variant["cost_usd"]) == Decimal(usd), params
    assert stack.emulator.state.creations - before == Counter({"V_4": len(CASES)})


def test_an_image_withheld_by_the_safety_check_fails_billed(stack: Stack) -> None:
    with stack.client() as client:
        job_id = submit(client, "UNSAFE poster", MODEL, {"quality": "turbo"})
        (variant,) = wait_for_job(client, job_id, timeout=30)["variants"]
    assert variant["status"] == "failed" and variant["error"]["code"] == "content-rejected"
    assert Decimal(variant["cost_usd"]) == Decimal("0.03")


@pytest.mark.parametrize(
    ("params", "field_name"),
    [
        ({"size": "1024x1024"}, "size"),  # a 1K size: 4.0 renders at 2K
        ({"seed": 5}, "seed"),
        ({"negative_prompt": "blur"}, "negative_prompt"),
        ({"style": "design"}, "style"),
        ({"quality": "flash"}, "quality"),
    ],
)
def test_what_ideogram_4_does_not_take_is_refused_before_anything_is_paid(
    stack: Stack, params: dict[str, Any], field_name: str
) -> None:
    before = stack.emulator.total_creations
    with stack.client() as client:
        response = client.post("/api/v1/jobs", json={"prompt": "x", "models": [MODEL], **params})
    assert response.status_code == 422, response.text
    assert response.json()["field"] == field_name, response.json()
    assert stack.emulator.total_creations == before
