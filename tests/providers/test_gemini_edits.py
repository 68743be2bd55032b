"""Gemini image editing end to end: the image worked on goes to ``generateContent`` as an
inline image part after the prompt; the result is stored with its lineage and cost."""

from __future__ import annotations

import base64
import io
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from PIL import Image

from emulators.gemini import GeminiEmulator
from support.client import wait_for_job
from support.pictures import painted
from support.studio import Studio, studio

MODEL = "google/gemini-3.1-flash-image"
Stack = Studio[GeminiEmulator]


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    data_dir: Path = tmp_path_factory.mktemp("gemini-edits") / "data"
    with studio(GeminiEmulator(), data_dir) as running:
        yield running


def test_edit_sends_the_image_as_a_part_after_the_prompt(stack: Stack) -> None:
    buf = io.BytesIO()
    painted(size=(192, 108), seed=5).save(buf, "PNG")
    with stack.client() as client:
        upload = client.post("/api/v1/uploads", files={"file": ("p.png", buf.getvalue())})
        sha = upload.json()["sha256"]
        answer = client.post(
            "/api/v1/jobs",
            json={"models": [MODEL], "operation": "edit", "image": sha, "prompt": "at night"},
        )
        assert answer.status_code == 202, answer.text
        job = wait_for_job(client, answer.json()["id"])
        stored = client.get(f"/api/v1/images/{sha}").content
    assert job["status"] == "succeeded", job
    parts = stack.emulator.requests[-1]["contents"][0]["parts"]
    assert parts[0] == {"text": "at night"}
    assert base64.b64decode(parts[1]["inlineData"]["data"]) == stored
    config = stack.emulator.requests[-1]["generationConfig"]["imageConfig"]
    assert config["aspectRatio"] == "16:9"  # the offered ratio nearest the image's shape
    assert [s["image"]["sha256"] for s in job["made_from"]] == [sha]
    assert Decimal(job["cost_usd"]) > 0
    result = job["variants"][0]["image"]
    assert result["sha256"] != sha and Image.open(io.BytesIO(stored)).size == (192, 108)


def test_gemini_cannot_inpaint_and_says_what_it_can(stack: Stack) -> None:
    buf = io.BytesIO()
    painted(size=(64, 64), seed=6).save(buf, "PNG")
    with stack.client() as client:
        sha = client.post("/api/v1/uploads", files={"file": ("p.png", buf.getvalue())}).json()[
            "sha256"
        ]
        answer = client.post(
            "/api/v1/jobs",
            json={"models": [MODEL], "operation": "inpaint", "image": sha, "mask": sha},
        )
    assert answer.status_code == 422
    assert answer.json()["allowed"] == ["generate", "edit"]
