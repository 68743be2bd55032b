"""Every synchronous hosted model end to end: a real Easel server talks to the provider
emulators over HTTP; the test only uses Easel's public API."""

from __future__ import annotations

import asyncio
import base64
import io
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
from PIL import Image

from emulators._base import Emulator, png_bytes
from emulators.gemini import GeminiEmulator
from emulators.ideogram import IdeogramEmulator
from emulators.openai import OpenAIEmulator, usage_for
from emulators.recraft import RecraftEmulator
from emulators.stability import StabilityEmulator
from support.client import LIVE, Received, collect_events, wait_for_job
from support.server import ServerProcess, create_token

FAST = {
    "EASEL_POLL_INTERVAL_SECONDS": "0.05",
    "EASEL_RETRY_BASE_SECONDS": "0.05",
    "EASEL_RETRY_MAX_SECONDS": "0.2",
    "EASEL_PROVIDER_TIMEOUT_SECONDS": "2",
}
REFERENCE = "data:image/png;base64," + base64.b64encode(png_bytes(32, 32, seed=9)).decode()
MILLION = Decimal(1_000_000)


@dataclass
class Stack:
    server: ServerProcess
    token: str
    openai: OpenAIEmulator
    gemini: GeminiEmulator
    recraft: RecraftEmulator
    ideogram: IdeogramEmulator
    stability: StabilityEmulator

    def client(self) -> httpx.Client:
        return httpx.Client(
            base_url=self.server.url, timeout=30, headers={"Authorization": f"Bearer {self.token}"}
        )

    def emulators(self) -> list[Emulator]:
        return [self.openai, self.gemini, self.recraft, self.ideogram, self.stability]


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    emulators = (
        OpenAIEmulator(),
        GeminiEmulator(),
        RecraftEmulator(),
        IdeogramEmulator(),
        StabilityEmulator(),
    )
    for emulator in emulators:
        emulator.start()
    env = {k: v for e in emulators for k, v in e.easel_env().items()}
    data_dir: Path = tmp_path_factory.mktemp("sync-providers") / "data"
    server = ServerProcess(data_dir, env={**env, **FAST})
    try:
        server.start()
        yield Stack(server, create_token(data_dir, "ada"), *emulators)
    finally:
        server.stop()
        for emulator in emulators:
            emulator.stop()


@dataclass
class Case:
    model: str
    remote: str
    """The name the emulator counts its paid generation under."""
    params: dict[str, Any]
    price: str | None
    """USD per the model's price rule; None for token pricing."""
    size: tuple[int, int]
    """What the emulator draws for the parameters the adapter sent (1/16 scale)."""
    sent: dict[str, Any] = field(default_factory=dict)
    """Fields the emulator must have received."""


CASES = [
    Case(
        "openai/dall-e-3",
        "dall-e-3",
        {"size": "1792x1024", "quality": "hd", "style": "natural"},
        "0.12",
        (112, 64),
    ),
    Case("openai/dall-e-3", "dall-e-3", {}, "0.04", (64, 64)),
    Case(
        "openai/gpt-image-1",
        "gpt-image-1",
        {"size": "1536x1024", "quality": "high"},
        None,
        (96, 64),
    ),
    Case(
        "openai/gpt-image-1",
        "gpt-image-1",
        {"quality": "low", "reference_images": [REFERENCE]},
        None,
        (64, 64),
    ),
    Case(
        "google/imagen-3", "imagen-3.0-generate-002", {"aspect_ratio": "16:9"}, "0.03", (256, 144)
    ),
    Case("google/imagen-4", "imagen-4.0-generate-001", {"size": "768x1024"}, "0.04", (48, 64)),
    Case(
        "google/gemini-2.5-flash-image",
        "gemini-2.5-flash-image",
        {"aspect_ratio": "21:9", "reference_images": [REFERENCE]},
        "0.039",
        (336, 144),
    ),
    Case(
        "recraft/recraftv3",
        "recraftv3",
        {"size": "1365x1024", "style": "digital_illustration", "negative_prompt": "text"},
        "0.04",
        (85, 64),
        {"style": "digital_illustration", "negative_prompt": "text", "model": "recraftv3"},
    ),
    Case(
        "ideogram/ideogram-v3",
        "V_3",
        {
            "aspect_ratio": "16:9",
            "quality": "turbo",
            "seed": 7,
            "style": "design",
            "negative_prompt": "blur",
        },
        "0.03",
        (256, 144),
        {
            "rendering_speed": "TURBO",
            "style_type": "DESIGN",
            "seed": "7",
            "aspect_ratio": "16x9",
            "negative_prompt": "blur",
        },
    ),
    Case(
        "ideogram/ideogram-v2",
        "V_2",
        {"aspect_ratio": "3:2", "seed": 11},
        "0.08",
        (48, 32),
        {"model": "V_2", "aspect_ratio": "ASPECT_3_2", "seed": 11},
    ),
    Case(
        "ideogram/ideogram-v2",
        "V_2_TURBO",
        {"aspect_ratio": "10:16", "quality": "turbo"},
        "0.05",
        (160, 256),
        {"model": "V_2_TURBO", "aspect_ratio": "ASPECT_10_16"},
    ),
    Case(
        "stability/stable-image-core",
        "core",
        {"aspect_ratio": "2:3", "style": "photographic", "seed": 42, "negative_prompt": "fog"},
        "0.03",
        (32, 48),
        {"model": "core", "style_preset": "photographic", "seed": "42", "negative_prompt": "fog"},
    ),
    Case("stability/stable-image-ultra", "ultra", {}, "0.08", (16, 16), {"model": "ultra"}),
]


def emulator_for(stack: Stack, model: str) -> Emulator:
    provider = model.split("/")[0]
    return {
        "openai": stack.openai,
        "google": stack.gemini,
        "recraft": stack.recraft,
        "ideogram": stack.ideogram,
        "stability": stack.stability,
    }[provider]


def expected_token_cost(case: Case, prompt: str) -> Decimal:
    size = case.params.get("size", "1024x1024")
    quality = case.params.get("quality", "medium")
    usage = usage_for(prompt, quality, size, len(case.params.get("reference_images", [])))
    text = usage["input_tokens_details"]["text_tokens"]
    image_in = usage["input_tokens_details"]["image_tokens"]
    cost = (text * 5 + image_in * 10 + usage["output_tokens"] * 40) / MILLION
    return cost.quantize(Decimal("0.000001"))


def submit(client: httpx.Client, prompt: str, model: str, params: dict[str, Any]) -> str:
    response = client.post("/api/v1/jobs", json={"prompt": prompt, "models": [model], **params})
    assert response.status_code == 202, response.text
    return str(response.json()["id"])


def test_every_model_generates_stores_and_bills_once(stack: Stack) -> None:
    before = {id(e): e.state.creations.copy() for e in stack.emulators()}
    with stack.client() as client:
        prompts = [f"case {i}: a harbour at dawn, {case.model}" for i, case in enumerate(CASES)]
        jobs = [submit(client, p, c.model, c.params) for p, c in zip(prompts, CASES, strict=True)]
        for job_id, case, prompt in zip(jobs, CASES, prompts, strict=True):
            job = wait_for_job(client, job_id, timeout=30)
            (variant,) = job["variants"]
            assert variant["status"] == "succeeded", (case.model, variant["error"])
            image_url = variant["image"]["url"]
            assert image_url.startswith("/api/v1/images/"), image_url
            data = client.get(image_url).raise_for_status().content
            with Image.open(io.BytesIO(data)) as image:
                assert image.format == "PNG" and image.size == case.size, case.model
            price = expected_token_cost(case, prompt) if case.price is None else case.price
            assert Decimal(variant["cost_usd"]) == Decimal(price), case.model
            if case.sent:
                requests = emulator_for(stack, case.model).requests  # type: ignore[attr-defined]
                matching = [r for r in requests if r.get("prompt") == prompt]
                assert len(matching) == 1, case.model
                assert case.sent.items() <= matching[0].items(), matching[0]
            if "seed" in case.params and case.model.startswith(("ideogram", "stability")):
                assert variant["seed"] == case.params["seed"]

    for emulator in stack.emulators():
        made = emulator.state.creations - before[id(emulator)]
        wanted = Counter(c.remote for c in CASES if emulator_for(stack, c.model) is emulator)
        assert made == wanted, emulator.name
    assert stack.openai.reference_counts.count(1) == 1
    assert stack.gemini.reference_counts[-1] == 1


def test_gpt_image_1_streams_partial_images_only_while_someone_watches(stack: Stack) -> None:
    async def watched(prompt: str) -> list[Received]:
        """Submit while an account-wide stream is open; its frames of the job."""
        frames: list[Received] = []
        async with (
            httpx.AsyncClient(
                base_url=stack.server.url,
                timeout=30,
                headers={"Authorization": f"Bearer {stack.token}"},
            ) as c,
            aconnect_sse(c, "GET", "/api/v1/events") as source,
        ):
            created = await c.post(
                "/api/v1/jobs",
                json={"prompt": prompt, "models": ["openai/gpt-image-1"], "quality": "medium"},
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
    assert stack.openai.streamed["a fox, streamed"] is True
    previews = [e.data for e in frames if e.event == "variant.preview"]
    assert [p["message"] for p in previews] == ["Partial image 1", "Partial image 2"]
    assert [round(p["progress"], 2) for p in previews] == [0.33, 0.67]
    # The emulator streams 256 px partials of ~200 kB; events carry a small WebP of them.
    assert all(p["preview"].startswith("data:image/webp;base64,") for p in previews)
    assert all(len(p["preview"]) < 64 * 1024 * 4 / 3 for p in previews)
    assert frames[-2].event == "variant.succeeded"

    # The log keeps the state changes only: the previews are not replayed.
    async def replay(job_id: str) -> list[Received]:
        async with httpx.AsyncClient(
            base_url=stack.server.url,
            timeout=30,
            headers={"Authorization": f"Bearer {stack.token}"},
        ) as c:
            return await collect_events(c, f"/api/v1/jobs/{job_id}/events")

    replayed = asyncio.run(replay(frames[0].data["job_id"]))
    assert [e.event for e in replayed if e.event in LIVE] == []

    # Nobody watching: no stream is asked for, so no partial images are paid for.
    with stack.client() as client:
        job_id = submit(client, "a fox, unwatched", "openai/gpt-image-1", {"quality": "medium"})
        job = wait_for_job(client, job_id, timeout=30)
    assert job["status"] == "succeeded", job["variants"][0]["error"]
    assert stack.openai.streamed["a fox, unwatched"] is False


@pytest.mark.parametrize(
    ("model", "prompt", "code", "words", "cost"),
    [
        # Ideogram charges for images its safety check withholds: the cost is recorded.
        ("ideogram/ideogram-v3", "UNSAFE poster", "content-rejected", "bills withheld", "0.06"),
        (
            "stability/stable-image-core",
            "FILTERED scene",
            "content-rejected",
            "CONTENT_FILTERED",
            None,
        ),
        (
            "google/gemini-2.5-flash-image",
            "TEXT ONLY please",
            "invalid-output",
            "text instead of an image",
            None,
        ),
    ],
)
def test_refusals_inside_a_200_fail_the_variant(
    stack: Stack, model: str, prompt: str, code: str, words: str, cost: str | None
) -> None:
    emulator = emulator_for(stack, model)
    before = emulator.total_creations
    with stack.client() as client:
        job = wait_for_job(client, submit(client, prompt, model, {}), timeout=30)
    (variant,) = job["variants"]
    assert variant["status"] == "failed" and variant["error"]["code"] == code
    assert words in variant["error"]["message"] and "Rephrase" in variant["error"]["message"]
    assert emulator.total_creations == before + 1  # billed once, never retried
    assert variant["cost_usd"] == cost


def test_a_stream_cut_mid_event_fails_without_paying_twice(stack: Stack) -> None:
    before = stack.openai.state.creations["gpt-image-1"]
    with stack.client() as client:
        # Submitted asking for previews, so the image is streamed though no one watches.
        job_id = submit(client, "CUT STREAM fox", "openai/gpt-image-1", {"previews": True})
        job = wait_for_job(client, job_id)
    assert stack.openai.streamed["CUT STREAM fox"] is True
    (variant,) = job["variants"]
    assert variant["status"] == "failed" and variant["error"]["code"] == "invalid-output"
    assert "stream broke off" in variant["error"]["message"]
    assert "dashboard" in variant["error"]["message"]
    assert stack.openai.state.creations["gpt-image-1"] == before + 1


def test_a_size_the_model_does_not_take_is_refused_with_the_allowed_ones(stack: Stack) -> None:
    with stack.client() as client:
        response = client.post(
            "/api/v1/jobs", json={"prompt": "x", "models": ["openai/dall-e-3"], "size": "1536x1024"}
        )
    assert response.status_code == 422
    problem = response.json()
    assert problem["field"] == "size" and "1792x1024" in problem["allowed"]
    assert "openai/dall-e-3" in problem["detail"]


def test_models_without_a_key_are_listed_unavailable_with_the_variable(
    tmp_path: Path,
) -> None:
    server = ServerProcess(tmp_path / "keyless" / "data", env=FAST)
    server.start()
    try:
        token = create_token(server.data_dir, "grace")
        with httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {token}"}) as c:
            models = {m["id"]: m for m in c.get("/api/v1/models").raise_for_status().json()}
            refused = c.post("/api/v1/jobs", json={"prompt": "x", "models": ["openai/dall-e-3"]})
    finally:
        server.stop()
    variables = {
        "openai/gpt-image-1": "OPENAI_API_KEY",
        "google/imagen-4": "GEMINI_API_KEY",
        "recraft/recraftv3": "RECRAFT_API_TOKEN",
        "ideogram/ideogram-v2": "IDEOGRAM_API_KEY",
        "stability/stable-image-ultra": "STABILITY_API_KEY",
    }
    for model, variable in variables.items():
        assert models[model]["available"] is False
        assert variable in models[model]["unavailable_reason"]
        assert models[model]["price"]["source"] and models[model]["price"]["as_of"]
    assert refused.status_code == 422 and "OPENAI_API_KEY" in refused.json()["detail"]
