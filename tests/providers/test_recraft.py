"""Recraft V4 and V4.1 end to end: a real Easel server talks to the Recraft emulator over
HTTP; the test only uses Easel's public API. Each model generates at the size or aspect
ratio asked for, is stored, and costs its price per image; a vector model's SVG comes
back sanitised, served sandboxed, with a WebP thumbnail and the generation record."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from emulators.recraft import SVG, RecraftEmulator
from support.client import wait_for_job
from support.studio import Studio, picture, studio, submit

Stack = Studio[RecraftEmulator]
HOSTILE = (
    b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
    b'viewBox="0 0 64 32" onload="fetch(\'https://evil.invalid/\')">'
    b"<script>alert(document.cookie)</script>"
    b'<a href="https://evil.invalid/phish"><rect width="64" height="32" fill="#c33"/></a>'
    b'<use xlink:href="https://evil.invalid/sprite.svg#x"/>'
    b'<circle cx="32" cy="16" r="8" fill="#3c3"/></svg>'
)


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    data_dir: Path = tmp_path_factory.mktemp("recraft") / "data"
    with studio(RecraftEmulator(), data_dir) as running:
        yield running


@dataclass
class Case:
    remote: str
    params: dict[str, Any]
    usd: str
    sent_size: str
    """The ``size`` Recraft must have received: ``WxH``, or a ratio for vector models."""
    drawn: tuple[str, tuple[int, int]] | None = None
    """The raster the emulator draws (1/16 scale); None for SVG."""
    sent: dict[str, Any] = field(default_factory=dict)


CASES = [
    Case("recraftv4_1", {"size": "1344x768"}, "0.035", "1344x768", ("PNG", (84, 48))),
    Case("recraftv4_1", {}, "0.035", "1024x1024", ("PNG", (64, 64))),
    Case("recraftv4_1_vector", {"aspect_ratio": "16:9"}, "0.08", "16:9"),
    Case("recraftv4_1_pro", {"size": "1664x2688"}, "0.21", "1664x2688", ("PNG", (104, 168))),
    Case("recraftv4_1_utility", {"size": "1216x896"}, "0.035", "1216x896", ("PNG", (76, 56))),
    Case("recraftv4_1_utility_pro", {}, "0.21", "2048x2048", ("PNG", (128, 128))),
    Case("recraftv4", {"size": "896x1152"}, "0.04", "896x1152", ("PNG", (56, 72))),
    Case("recraftv4_vector", {}, "0.08", "1:1"),
    Case("recraftv4_pro", {}, "0.25", "2048x2048", ("PNG", (128, 128))),
    Case("recraftv4_pro_vector", {"aspect_ratio": "6:10"}, "0.30", "6:10"),
]


def test_every_recraft_v4_model_generates_stores_and_costs_its_price(stack: Stack) -> None:
    before = stack.emulator.state.creations.copy()
    with stack.client() as client:
        offered = {m["id"]: m for m in client.get("/api/v1/models").json()}
        prompts = [f"case {i}: a paper crane, {c.remote}" for i, c in enumerate(CASES)]
        jobs = [
            submit(client, p, f"recraft/{c.remote}", c.params)
            for p, c in zip(prompts, CASES, strict=True)
        ]
        for job_id, case, prompt in zip(jobs, CASES, prompts, strict=True):
            assert offered[f"recraft/{case.remote}"]["lifecycle"]["status"] == "active"
            (variant,) = wait_for_job(client, job_id, timeout=30)["variants"]
            assert variant["status"] == "succeeded", (case.remote, variant["error"])
            [sent] = [r for r in stack.emulator.requests if r["prompt"] == prompt]
            assert sent["model"] == case.remote and sent["size"] == case.sent_size
            # V4 takes neither V3's styles nor a negative prompt: nothing else is sent.
            assert set(sent) == {"prompt", "model", "size", "n", "response_format"}
            data = client.get(variant["image"]["url"]).raise_for_status().content
            if case.drawn is None:
                assert variant["image"]["mime_type"] == "image/svg+xml", case.remote
                assert etree.fromstring(data).tag == "{http://www.w3.org/2000/svg}svg"
            else:
                assert picture(data) == case.drawn, case.remote
            assert Decimal(variant["cost_usd"]) == Decimal(case.usd), case.remote
    assert stack.emulator.state.creations - before == Counter(c.remote for c in CASES)


def test_a_hostile_svg_from_a_vector_model_is_stored_clean_and_served_sandboxed(
    stack: Stack,
) -> None:
    stack.emulator.svg = HOSTILE
    try:
        with stack.client() as client:
            job_id = submit(client, "a hostile badge", "recraft/recraftv4_1_vector", {})
            (variant,) = wait_for_job(client, job_id, timeout=30)["variants"]
            assert variant["status"] == "succeeded", variant["error"]
            image = variant["image"]
            served = client.get(image["url"]).raise_for_status()
            thumbnail = client.get(image["thumbnail_url"]).raise_for_status()
    finally:
        stack.emulator.svg = SVG
    assert served.headers["content-type"].startswith("image/svg+xml")
    assert "sandbox" in served.headers["content-security-policy"].split(";")[0]
    assert served.headers["x-content-type-options"] == "nosniff"
    stored = served.content
    for banned in (b"<script", b"onload", b"evil.invalid", b"cookie"):
        assert banned not in stored, banned
    root = etree.fromstring(stored)
    drawn = {etree.QName(e).localname for e in root.iter() if isinstance(e.tag, str)}
    assert {"rect", "circle"} <= drawn and "a" not in drawn and "script" not in drawn
    # The generation record rides in the SVG's <metadata>, as in a raster image's XMP.
    [metadata] = root.findall("{http://www.w3.org/2000/svg}metadata")
    record = etree.tostring(metadata).decode()
    assert "a hostile badge" in record and "recraft/recraftv4_1_vector" in record
    assert thumbnail.headers["content-type"] == "image/webp"
    assert thumbnail.content[:4] == b"RIFF" and thumbnail.content[8:12] == b"WEBP"
    assert Decimal(variant["cost_usd"]) == Decimal("0.08")


@pytest.mark.parametrize(
    ("model", "params", "field_name"),
    [
        ("recraft/recraftv4_1", {"size": "1365x1024"}, "size"),  # a V3 size
        ("recraft/recraftv4_1", {"style": "realistic_image"}, "style"),
        ("recraft/recraftv4_pro", {"size": "1024x1024"}, "size"),  # 1K on a 2K model
        ("recraft/recraftv4_vector", {"aspect_ratio": "21:9"}, "aspect_ratio"),
        ("recraft/recraftv4_1_vector", {"negative_prompt": "text"}, "negative_prompt"),
    ],
)
def test_what_a_v4_model_does_not_take_is_refused_before_anything_is_paid(
    stack: Stack, model: str, params: dict[str, Any], field_name: str
) -> None:
    before = stack.emulator.total_creations
    with stack.client() as client:
        response = client.post("/api/v1/jobs", json={"prompt": "x", "models": [model], **params})
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["field"] == field_name, response.json()
    assert stack.emulator.total_creations == before
