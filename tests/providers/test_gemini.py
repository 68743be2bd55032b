"""Google's current Gemini image models end to end: a real Easel server talks to the Gemini
emulator over HTTP; the test only uses Easel's public API. Each model generates at the
aspect ratio and image size asked for, is stored, and costs what the usage Google reported
says; retired models are refused naming their replacement."""

from __future__ import annotations

import base64
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from easel.providers.gemini import ListedModel, served
from emulators._base import png_bytes
from emulators.gemini import GeminiEmulator
from support.client import wait_for_job
from support.studio import Studio, assert_retired, picture, studio, submit

REFERENCE = "data:image/png;base64," + base64.b64encode(png_bytes(32, 32, seed=9)).decode()
NEWEST = "google/gemini-nano-banana-2.1"
# USD per million tokens (text in, image in, text and thinking out, image out), from
# Google's pricing page and model pages.
PRICES = {
    "gemini-3-pro-image": (Decimal(2), Decimal(2), Decimal(12), Decimal(120)),
    "gemini-nano-banana-2.1": (Decimal("1.5"), Decimal("1.5"), Decimal("7.5"), Decimal(30)),
    "gemini-3.1-flash-image": (Decimal("0.5"), Decimal("0.5"), Decimal(3), Decimal(60)),
    "gemini-3.1-flash-lite-image": (Decimal("0.25"), Decimal("0.25"), Decimal("1.5"), Decimal(30)),
}


Stack = Studio[GeminiEmulator]


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    data_dir: Path = tmp_path_factory.mktemp("gemini") / "data"
    with studio(GeminiEmulator(), data_dir) as running:
        yield running


@dataclass
class Case:
    remote: str
    params: dict[str, Any]
    size: tuple[int, int]
    """What the emulator draws for the ratio and image size sent (16 px per ratio unit at 1K)."""
    image_config: dict[str, str]
    """The ``imageConfig`` Google must have received."""
    references: int = 0


CASES = [
    Case(
        "gemini-3-pro-image",
        {"aspect_ratio": "21:9", "extra": {"image_size": "4K"}, "reference_images": [REFERENCE]},
        (1344, 576),
        {"aspectRatio": "21:9", "imageSize": "4K"},
        references=1,
    ),
    Case(
        "gemini-3-pro-image",
        {"size": "1536x1024", "extra": {"image_size": "2K"}},
        (96, 64),
        {"aspectRatio": "3:2", "imageSize": "2K"},
    ),
    Case(
        "gemini-nano-banana-2.1",
        {"aspect_ratio": "1:8", "extra": {"image_size": "2K"}},
        (32, 256),
        {"aspectRatio": "1:8", "imageSize": "2K"},
    ),
    Case("gemini-nano-banana-2.1", {}, (16, 16), {"aspectRatio": "1:1"}),
    Case(
        "gemini-3.1-flash-image",
        {"aspect_ratio": "4:5", "reference_images": [REFERENCE, REFERENCE]},
        (64, 80),
        {"aspectRatio": "4:5"},
        references=2,
    ),
    Case(
        "gemini-3.1-flash-lite-image",
        {"aspect_ratio": "9:16", "extra": {"image_size": "1K"}},
        (144, 256),
        {"aspectRatio": "9:16", "imageSize": "1K"},
    ),
]


def sent_for(emulator: GeminiEmulator, prompt: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """What the emulator received for a prompt, and the usage it answered with."""
    found = [
        i
        for i, body in enumerate(emulator.requests)
        if body["contents"][0]["parts"][0]["text"] == prompt
    ]
    assert len(found) == 1, prompt
    return emulator.requests[found[0]], emulator.usages[found[0]]


def cost_of(remote: str, usage: dict[str, Any]) -> Decimal:
    """Google's ``usageMetadata`` priced: thinking is billed as text output."""
    text_in, image_in, text_out, image_out = PRICES[remote]
    prompt = {d["modality"]: d["tokenCount"] for d in usage["promptTokensDetails"]}
    answer = {d["modality"]: d["tokenCount"] for d in usage["candidatesTokensDetails"]}
    total = (
        prompt.get("TEXT", 0) * text_in
        + prompt.get("IMAGE", 0) * image_in
        + (answer.get("TEXT", 0) + usage["thoughtsTokenCount"]) * text_out
        + answer["IMAGE"] * image_out
    )
    return (total / 1_000_000).quantize(Decimal("0.000001"))


def test_every_current_model_generates_stores_and_costs_its_usage(stack: Stack) -> None:
    before = stack.emulator.state.creations.copy()
    with stack.client() as client:
        listed = {m["id"]: m for m in client.get("/api/v1/models").json()}
        google = {m for m, info in listed.items() if info["provider"] == "google"}
        assert google == {f"google/{c.remote}" for c in CASES}  # every model on offer is here
        prompts = [f"case {i}: a harbour at dawn, {case.remote}" for i, case in enumerate(CASES)]
        jobs = [
            submit(client, p, f"google/{c.remote}", c.params)
            for p, c in zip(prompts, CASES, strict=True)
        ]
        for job_id, case, prompt in zip(jobs, CASES, prompts, strict=True):
            (variant,) = wait_for_job(client, job_id, timeout=30)["variants"]
            assert variant["status"] == "succeeded", (case.remote, variant["error"])
            data = client.get(variant["image"]["url"]).raise_for_status().content
            # The final image, never the interim draft Gemini 3 Pro Image thinks with.
            assert picture(data) == ("PNG", case.size), case.remote
            sent, usage = sent_for(stack.emulator, prompt)
            assert sent["generationConfig"] == {
                "responseModalities": ["TEXT", "IMAGE"],
                "imageConfig": case.image_config,
            }
            references = [p for p in sent["contents"][0]["parts"] if "inlineData" in p]
            assert len(references) == case.references, case.remote
            assert Decimal(variant["cost_usd"]) == cost_of(case.remote, usage), case.remote
    made = stack.emulator.state.creations - before
    assert made == Counter(c.remote for c in CASES)  # each paid for exactly once


def test_the_deprecated_flash_model_is_offered_with_its_successor(
    stack: Stack,
) -> None:
    with stack.client() as client:
        listed = {m["id"]: m for m in client.get("/api/v1/models").json()}
    assert listed["google/gemini-3.1-flash-image"]["lifecycle"] == {
        "status": "deprecated",
        "shutdown_date": None,  # Google announced none yet
        "replacement": NEWEST,
        "source": "https://ai.google.dev/gemini-api/docs/changelog",
    }
    assert listed[NEWEST]["lifecycle"]["status"] == "active"
    assert listed["google/gemini-3-pro-image"]["lifecycle"]["status"] == "active"


@pytest.mark.parametrize(
    ("model", "params", "field", "words"),
    [
        (
            "google/gemini-3.1-flash-lite-image",
            {"extra": {"image_size": "2K"}},
            "extra.image_size",
            "has no image_size '2K'",
        ),
        ("google/gemini-3-pro-image", {"extra": {"image_size": "8K"}}, "extra.image_size", "8K"),
        ("google/gemini-3-pro-image", {"aspect_ratio": "8:1"}, "aspect_ratio", "8:1"),
        ("google/gemini-nano-banana-2.1", {"size": "1024x700"}, "size", "takes aspect ratios"),
    ],
)
def test_ratios_and_sizes_are_checked_before_anything_is_paid(
    stack: Stack, model: str, params: dict[str, Any], field: str, words: str
) -> None:
    before = stack.emulator.total_creations
    with stack.client() as client:
        response = client.post("/api/v1/jobs", json={"prompt": "x", "models": [model], **params})
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["field"] == field and words in problem["detail"], problem
    assert stack.emulator.total_creations == before


@pytest.mark.parametrize(
    ("prompt", "code", "words"),
    [
        ("TEXT ONLY please", "invalid-output", "text instead of an image"),
        ("WITHHOLD the picture", "content-rejected", "withheld the image (IMAGE_SAFETY)"),
    ],
)
def test_refusals_inside_a_200_fail_the_variant(
    stack: Stack, prompt: str, code: str, words: str
) -> None:
    before = stack.emulator.total_creations
    with stack.client() as client:
        job = wait_for_job(client, submit(client, prompt, NEWEST, {}), timeout=30)
    (variant,) = job["variants"]
    assert variant["status"] == "failed" and variant["error"]["code"] == code
    assert words in variant["error"]["message"] and "Rephrase" in variant["error"]["message"]
    assert stack.emulator.total_creations == before + 1  # billed once, never retried


@pytest.mark.parametrize(
    "model", ["google/imagen-4", "google/imagen-3", "google/gemini-2.5-flash-image"]
)
def test_a_retired_model_is_a_410_naming_its_replacement(stack: Stack, model: str) -> None:
    before = stack.emulator.total_creations
    with stack.client() as client:
        response = client.post("/api/v1/jobs", json={"prompt": "x", "models": [model]})
        listed = {m["id"] for m in client.get("/api/v1/models").json()}
        kept = {m["id"]: m for m in client.get("/api/v1/models?include_retired=true").json()}
    assert_retired(response, model, NEWEST)
    assert model not in listed and NEWEST in listed
    assert kept[model]["lifecycle"]["status"] == "shutdown"
    assert stack.emulator.total_creations == before


def test_a_model_google_withdrew_early_fails_saying_so(stack: Stack) -> None:
    stack.emulator.withdraw("gemini-3-pro-image")
    try:
        with stack.client() as client:
            job = wait_for_job(client, submit(client, "a kite", "google/gemini-3-pro-image", {}))
    finally:
        stack.emulator.serve("gemini-3-pro-image")
    (variant,) = job["variants"]
    assert variant["status"] == "failed" and variant["error"]["code"] == "unsupported"
    message = variant["error"]["message"]
    assert "no longer serves this model" in message and "NOT_FOUND" not in message
    assert "models/gemini-3-pro-image is not found" in message
    assert "easel models check" in message


@pytest.mark.parametrize(
    ("name", "methods", "image", "snapshot_of"),
    [
        ("models/gemini-3-pro-image", ["generateContent", "countTokens"], True, None),
        ("models/gemini-3.1-flash-lite-image", ["generateContent"], True, None),
        ("models/gemini-nano-banana-2.1", ["generateContent"], True, None),
        ("models/nano-banana-pro-preview", ["generateContent"], True, None),
        ("models/imagen-4.0-generate-001", ["predict"], True, "imagen-4.0-generate"),
        (
            "models/gemini-2.5-flash-image-preview-09-2025",
            ["generateContent"],
            True,
            "gemini-2.5-flash-image",
        ),
        ("models/gemini-3.1-flash-lite", ["generateContent", "countTokens"], False, None),
        ("models/gemini-omni-1.2-flash", ["generateContent"], False, None),
        ("models/gemini-embedding-001", ["embedContent"], False, "gemini-embedding"),
        ("models/gemini-3.5-flash-image", ["countTokens"], False, None),  # cannot generate
    ],
)
def test_which_listed_models_are_image_models(
    name: str, methods: list[str], image: bool, snapshot_of: str | None
) -> None:
    listed = served(ListedModel(name=name, supportedGenerationMethods=methods))
    assert listed.remote_name == name.removeprefix("models/")
    assert (listed.image, listed.snapshot_of) == (image, snapshot_of)
