"""Every synchronous hosted model end to end: a real Easel server talks to the provider
emulators over HTTP; the test only uses Easel's public API. (OpenAI's and Google's models
have their own files, test_openai.py and test_gemini.py.)"""

from __future__ import annotations

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

from emulators._base import Emulator
from emulators.ideogram import IdeogramEmulator
from emulators.recraft import RecraftEmulator
from emulators.stability import StabilityEmulator
from support.client import wait_for_job
from support.server import FAST_PROVIDERS, ServerProcess, create_token

FAST = FAST_PROVIDERS


@dataclass
class Stack:
    server: ServerProcess
    token: str
    recraft: RecraftEmulator
    ideogram: IdeogramEmulator
    stability: StabilityEmulator

    def client(self) -> httpx.Client:
        return httpx.Client(
            base_url=self.server.url, timeout=30, headers={"Authorization": f"Bearer {self.token}"}
        )

    def emulators(self) -> list[Emulator]:
        return [self.recraft, self.ideogram, self.stability]


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    emulators = (
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
    price: str
    """USD per the model's price rule."""
    size: tuple[int, int]
    """What the emulator draws for the parameters the adapter sent (1/16 scale)."""
    sent: dict[str, Any] = field(default_factory=dict)
    """Fields the emulator must have received."""


CASES = [
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
        "recraft": stack.recraft,
        "ideogram": stack.ideogram,
        "stability": stack.stability,
    }[provider]


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
            assert Decimal(variant["cost_usd"]) == Decimal(str(case.price)), case.model
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


def test_models_without_a_key_are_listed_unavailable_with_the_variable(
    tmp_path: Path,
) -> None:
    server = ServerProcess(tmp_path / "keyless" / "data", env=FAST)
    server.start()
    try:
        token = create_token(server.data_dir, "grace")
        with httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {token}"}) as c:
            models = {m["id"]: m for m in c.get("/api/v1/models").raise_for_status().json()}
            refused = c.post("/api/v1/jobs", json={"prompt": "x", "models": ["openai/gpt-image-2"]})
    finally:
        server.stop()
    variables = {
        "openai/gpt-image-2": "OPENAI_API_KEY",
        "google/gemini-3-pro-image": "GEMINI_API_KEY",
        "recraft/recraftv3": "RECRAFT_API_TOKEN",
        "ideogram/ideogram-v2": "IDEOGRAM_API_KEY",
        "stability/stable-image-ultra": "STABILITY_API_KEY",
    }
    for model, variable in variables.items():
        assert models[model]["available"] is False
        assert variable in models[model]["unavailable_reason"]
        assert models[model]["price"]["source"] and models[model]["price"]["as_of"]
    assert refused.status_code == 422 and "OPENAI_API_KEY" in refused.json()["detail"]
