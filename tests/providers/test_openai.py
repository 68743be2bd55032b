"""OpenAI's current GPT image models end to end: a real Easel server talks to the OpenAI
emulator over HTTP; the test only uses Easel's public API. Each model generates, is
stored in the format asked for, and costs what the usage OpenAI reported says."""

from __future__ import annotations

import asyncio
import base64
import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from httpx_sse import aconnect_sse

from emulators._base import png_bytes
from emulators.openai import OpenAIEmulator, usage_for
from support.client import LIVE, Received, collect_events, wait_for_job
from support.server import FAST_PROVIDERS
from support.studio import Studio, assert_retired, picture, studio, submit

# Nothing here tests a provider timeout; eight streamed generations at once may take a
# while on a busy machine.
FAST = {**FAST_PROVIDERS, "EASEL_PROVIDER_TIMEOUT_SECONDS": "15"}
REFERENCE = "data:image/png;base64," + base64.b64encode(png_bytes(32, 32, seed=9)).decode()
# USD per million tokens (text in, image in, image out), from OpenAI's model pages.
GPT_IMAGE_2 = (Decimal(5), Decimal(8), Decimal(30))
PRICES = {
    "gpt-image-2.6-sunburst": GPT_IMAGE_2,
    "gpt-image-2.6-flare": GPT_IMAGE_2,
    "gpt-image-2.5-sunburst": GPT_IMAGE_2,
    "gpt-image-2.5-flare": GPT_IMAGE_2,
    "gpt-image-2": GPT_IMAGE_2,
    "gpt-image-1.5": (Decimal(5), Decimal(8), Decimal(32)),
    "chatgpt-image-latest": (Decimal(5), Decimal(8), Decimal(32)),
    "gpt-image-1-mini": (Decimal(2), Decimal("2.5"), Decimal(8)),
}


Stack = Studio[OpenAIEmulator]


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    data_dir: Path = tmp_path_factory.mktemp("openai") / "data"
    with studio(OpenAIEmulator(), data_dir, FAST) as running:
        yield running


@dataclass
class Case:
    remote: str
    params: dict[str, Any]
    picture: tuple[str, tuple[int, int]]
    """The format and size the emulator draws for what the adapter sent (1/16 scale)."""
    sent: dict[str, Any] = field(default_factory=dict)
    """Fields OpenAI must have received."""


CASES = [
    Case(
        "gpt-image-2.6-sunburst",
        {
            "size": "1536x1024",
            "quality": "high",
            "extra": {"output_format": "webp", "background": "transparent"},
        },
        ("WEBP", (96, 64)),
        {"output_format": "webp", "background": "transparent", "quality": "high"},
    ),
    Case("gpt-image-2.6-flare", {"quality": "low"}, ("PNG", (64, 64)), {"size": "1024x1024"}),
    Case(
        "gpt-image-2.5-sunburst",
        {"size": "3840x2160", "quality": "max", "extra": {"moderation": "low"}},
        ("PNG", (240, 135)),
        {"size": "3840x2160", "quality": "max", "moderation": "low"},
    ),
    Case(
        "gpt-image-2.5-flare",
        {"aspect_ratio": "16:9", "quality": "xhigh"},
        ("PNG", (84, 48)),
        {"size": "1344x768", "quality": "xhigh"},
    ),
    Case(
        "gpt-image-2",
        {"size": "1024x1536", "extra": {"output_format": "jpeg"}, "reference_images": [REFERENCE]},
        ("JPEG", (64, 96)),
        {"output_format": "jpeg", "size": "1024x1536"},
    ),
    Case(
        "gpt-image-1.5",
        {"quality": "medium", "extra": {"input_fidelity": "high"}, "reference_images": [REFERENCE]},
        ("PNG", (64, 64)),
        {"input_fidelity": "high"},
    ),
    Case("gpt-image-1-mini", {"size": "1536x1024"}, ("PNG", (96, 64)), {"size": "1536x1024"}),
    Case("chatgpt-image-latest", {}, ("PNG", (64, 64)), {"stream": True}),
]


def sent_for(emulator: OpenAIEmulator, prompt: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """What the emulator received for a prompt, and the usage it answered with."""
    found = [i for i, r in enumerate(emulator.requests) if r.get("prompt") == prompt]
    assert len(found) == 1, prompt
    return emulator.requests[found[0]], emulator.usages[found[0]]


def cost_of(remote: str, usage: dict[str, Any]) -> Decimal:
    text_in, image_in, image_out = PRICES[remote]
    details = usage["input_tokens_details"]
    total = (
        details["text_tokens"] * text_in
        + details["image_tokens"] * image_in
        + usage["output_tokens"] * image_out
    )
    return (total / 1_000_000).quantize(Decimal("0.000001"))


def test_every_current_model_generates_stores_and_costs_its_usage(stack: Stack) -> None:
    before = stack.emulator.state.creations.copy()
    with stack.client() as client:
        models = {m["id"] for m in client.get("/api/v1/models").json() if m["provider"] == "openai"}
        assert models == {f"openai/{c.remote}" for c in CASES}  # every model on offer is here
        prompts = [f"case {i}: a harbour at dawn, {case.remote}" for i, case in enumerate(CASES)]
        # Submitted asking for previews: streamed with partial images though no one watches.
        jobs = [
            submit(client, p, f"openai/{c.remote}", {**c.params, "previews": True})
            for p, c in zip(prompts, CASES, strict=True)
        ]
        for job_id, case, prompt in zip(jobs, CASES, prompts, strict=True):
            (variant,) = wait_for_job(client, job_id, timeout=30)["variants"]
            assert variant["status"] == "succeeded", (case.remote, variant["error"])
            data = client.get(variant["image"]["url"]).raise_for_status().content
            assert picture(data) == case.picture, case.remote
            sent, usage = sent_for(stack.emulator, prompt)
            assert case.sent.items() <= sent.items(), (case.remote, sent)
            assert str(sent["partial_images"]) == "2"
            assert Decimal(variant["cost_usd"]) == cost_of(case.remote, usage), case.remote
            assert usage["output_tokens"] > 2 * 100  # the two partial images are billed too
    made = stack.emulator.state.creations - before
    assert made == Counter(c.remote for c in CASES)  # each paid for exactly once
    assert stack.emulator.reference_counts.count(1) == 2


@pytest.mark.parametrize(
    ("model", "params", "field", "words"),
    [
        ("openai/gpt-image-2", {"size": "4096x1024"}, "size", "width is 4096"),
        ("openai/gpt-image-2", {"size": "640x640"}, "size", "at least 655,360 pixels"),
        ("openai/gpt-image-2", {"size": "3200x800"}, "size", "between 1:3 and 3:1"),
        ("openai/gpt-image-2", {"size": "1000x1008"}, "size", "multiples of 16"),
        ("openai/gpt-image-2.6-flare", {"size": "1536x864"}, "size", "does not take size"),
        ("openai/gpt-image-1.5", {"quality": "max"}, "quality", "has no quality 'max'"),
        (
            "openai/gpt-image-2",
            {"extra": {"background": "transparent"}},
            "extra.background",
            "has no background 'transparent'",
        ),
        (
            "openai/gpt-image-2.5-flare",
            {"extra": {"output_format": "gif"}},
            "extra.output_format",
            "has no output_format 'gif'",
        ),
    ],
)
def test_sizes_and_options_are_checked_before_anything_is_paid(
    stack: Stack, model: str, params: dict[str, Any], field: str, words: str
) -> None:
    before = stack.emulator.total_creations
    with stack.client() as client:
        response = client.post("/api/v1/jobs", json={"prompt": "x", "models": [model], **params})
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["field"] == field and words in problem["detail"], problem
    assert stack.emulator.total_creations == before


def test_partial_images_stream_only_while_someone_watches(stack: Stack) -> None:
    model = "openai/gpt-image-2.6-flare"

    async def watched(prompt: str) -> list[Received]:
        """Submit while an account-wide stream is open; its frames of the job."""
        frames: list[Received] = []
        headers = {"Authorization": f"Bearer {stack.token}"}
        async with (
            httpx.AsyncClient(base_url=stack.server.url, timeout=30, headers=headers) as c,
            aconnect_sse(c, "GET", "/api/v1/events") as source,
        ):
            created = await c.post(
                "/api/v1/jobs", json={"prompt": prompt, "models": [model], "quality": "medium"}
            )
            job_id = created.json()["id"]
            async for sse in source.aiter_sse():
                data = json.loads(sse.data) if sse.data else {}
                if data.get("job_id") == job_id:
                    frames.append(Received(sse.id, sse.event, data, 0.0))
                if sse.event == "job.finished" and data.get("job_id") == job_id:
                    return frames
        raise AssertionError("the stream ended before the job")

    frames = asyncio.run(watched("a fox, streamed"))
    assert stack.emulator.streamed["a fox, streamed"] is True
    previews = [e.data for e in frames if e.event == "variant.preview"]
    assert [p["message"] for p in previews] == ["Partial image 1", "Partial image 2"]
    assert [round(p["progress"], 2) for p in previews] == [0.33, 0.67]
    # The emulator streams 256 px partials of ~200 kB; events carry a small WebP of them.
    assert all(p["preview"].startswith("data:image/webp;base64,") for p in previews)
    assert all(len(p["preview"]) < 64 * 1024 * 4 / 3 for p in previews)
    assert frames[-2].event == "variant.succeeded"

    # The log keeps the state changes only: the previews are not replayed.
    async def replay(job_id: str) -> list[Received]:
        headers = {"Authorization": f"Bearer {stack.token}"}
        async with httpx.AsyncClient(base_url=stack.server.url, timeout=30, headers=headers) as c:
            return await collect_events(c, f"/api/v1/jobs/{job_id}/events")

    replayed = asyncio.run(replay(frames[0].data["job_id"]))
    assert [e.event for e in replayed if e.event in LIVE] == []

    # Nobody watching and no previews asked for: the plain JSON answer, no partials paid.
    with stack.client() as client:
        job = wait_for_job(client, submit(client, "a fox, unwatched", model, {}), timeout=30)
    assert job["status"] == "succeeded"
    assert stack.emulator.streamed["a fox, unwatched"] is False
    sent, usage = sent_for(stack.emulator, "a fox, unwatched")
    assert "partial_images" not in sent
    assert usage == usage_for("a fox, unwatched", "medium", "1024x1024", references=0)


def test_a_stream_cut_mid_event_fails_without_paying_twice(stack: Stack) -> None:
    before = stack.emulator.state.creations["gpt-image-2"]
    with stack.client() as client:
        # Submitted asking for previews, so the image is streamed though no one watches.
        job_id = submit(client, "CUT STREAM fox", "openai/gpt-image-2", {"previews": True})
        job = wait_for_job(client, job_id)
    assert stack.emulator.streamed["CUT STREAM fox"] is True
    (variant,) = job["variants"]
    assert variant["status"] == "failed" and variant["error"]["code"] == "invalid-output"
    assert "stream broke off" in variant["error"]["message"]
    assert "dashboard" in variant["error"]["message"]
    assert stack.emulator.state.creations["gpt-image-2"] == before + 1


@pytest.mark.parametrize(
    ("model", "replacement"),
    [
        ("openai/dall-e-3", "openai/gpt-image-2.6-flare"),
        ("openai/dall-e-2", "openai/gpt-image-2.6-flare"),
        ("openai/gpt-image-1", "openai/gpt-image-2.5-sunburst"),
    ],
)
def test_a_retired_model_is_a_410_naming_its_replacement(
    stack: Stack, model: str, replacement: str
) -> None:
    before = stack.emulator.total_creations
    with stack.client() as client:
        response = client.post("/api/v1/jobs", json={"prompt": "x", "models": [model]})
        listed = {m["id"] for m in client.get("/api/v1/models").json()}
    assert_retired(response, model, replacement)
    assert model not in listed and replacement in listed
    assert stack.emulator.total_creations == before


def test_a_model_openai_withdrew_early_fails_saying_so(stack: Stack) -> None:
    stack.emulator.withdraw("gpt-image-2.5-flare")
    try:
        with stack.client() as client:
            job = wait_for_job(client, submit(client, "a kite", "openai/gpt-image-2.5-flare", {}))
    finally:
        stack.emulator.serve("gpt-image-2.5-flare")
    (variant,) = job["variants"]
    assert variant["status"] == "failed" and variant["error"]["code"] == "unsupported"
    assert "no longer serves this model" in variant["error"]["message"]
    assert "easel models check" in variant["error"]["message"]
