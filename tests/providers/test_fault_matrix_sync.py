"""Every fault, in each synchronous provider's own wire form, against a real server.

Retryable faults must recover without paying twice; the others must fail the variant
with a message naming the model and what to do. Each emulator counts paid generations,
so a duplicated paid request shows up as a count of two.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from emulators._base import FAULTS, Emulator
from emulators.byteplus import BytePlusEmulator
from emulators.gemini import GeminiEmulator
from emulators.ideogram import IdeogramEmulator
from emulators.openai import OpenAIEmulator
from emulators.recraft import RecraftEmulator
from emulators.stability import StabilityEmulator
from support.server import FAST_PROVIDERS, ServerProcess, create_token

ENV = FAST_PROVIDERS
DOWNLOAD_FAULTS = {"slow_download", "truncated_download", "wrong_content_type"}
RECOVERS = {"rate_limit", "server_error", "unavailable", "slow_download", "truncated_download"}


@dataclass(frozen=True)
class Target:
    model: str
    name: str
    """The model's display name, which every failure message must carry."""
    key_variable: str
    quota_words: str
    url_result: bool


# One model per wire format: each adapter path meets every fault.
GROUPS: dict[str, list[Target]] = {
    "openai": [Target("openai/gpt-image-2", "GPT Image 2", "OPENAI_API_KEY", "billing", False)],
    "gemini": [
        Target(
            "google/gemini-3-pro-image",
            "Nano Banana Pro (Gemini 3 Pro Image)",
            "GEMINI_API_KEY",
            "Enable billing",
            False,
        ),
        Target(
            "google/gemini-nano-banana-2.1",
            "Nano Banana 2.1",
            "GEMINI_API_KEY",
            "Enable billing",
            False,
        ),
    ],
    "recraft": [Target("recraft/recraftv3", "Recraft V3", "RECRAFT_API_TOKEN", "Top up", True)],
    "ideogram": [
        Target("ideogram/ideogram-v3", "Ideogram 3.0", "IDEOGRAM_API_KEY", "Top up", True),
        Target("ideogram/ideogram-v2", "Ideogram 2.0", "IDEOGRAM_API_KEY", "Top up", True),
    ],
    "stability": [
        Target(
            "stability/stable-image-core",
            "Stable Image Core",
            "STABILITY_API_KEY",
            "Buy credits",
            False,
        )
    ],
    "byteplus": [
        Target("byteplus/seedream-5-0-260128", "Seedream 5.0", "ARK_API_KEY", "Top up", False)
    ],
}
# (error code, words the message must hold besides the model name) for faults that fail.
FAILS: dict[str, tuple[str, str]] = {
    "hang": ("timeout", "check the provider's dashboard"),
    "malformed_json": ("invalid-output", "check the provider's dashboard"),
    "moderation": ("content-rejected", "Rephrase the prompt"),
    "bad_key": ("auth", ""),  # the key variable, per target
    "no_credit": ("quota", ""),  # the billing advice, per target
    "wrong_content_type": ("invalid-output", "Retry the variant"),
}


@dataclass
class Matrix:
    server: ServerProcess
    token: str
    emulators: dict[str, Emulator]


@pytest.fixture(scope="module")
def matrix(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Matrix]:
    emulators: dict[str, Emulator] = {
        "openai": OpenAIEmulator(),
        "gemini": GeminiEmulator(),
        "recraft": RecraftEmulator(),
        "ideogram": IdeogramEmulator(),
        "stability": StabilityEmulator(),
        "byteplus": BytePlusEmulator(),
    }
    env = dict(ENV)
    for emulator in emulators.values():
        emulator.start()
        env.update(emulator.easel_env())
    data_dir: Path = tmp_path_factory.mktemp("fault-matrix") / "data"
    server = ServerProcess(data_dir, env=env)
    try:
        server.start()
        yield Matrix(server, create_token(data_dir, "lin"), emulators)
    finally:
        server.stop()
        for emulator in emulators.values():
            emulator.stop()


async def run_one(
    client: httpx.AsyncClient, emulator: Emulator, target: Target, fault: str
) -> None:
    before = emulator.total_creations
    stage = "download" if fault in DOWNLOAD_FAULTS else "create"
    # Short waits: a 429 asks for 0.2 s; a hang outlasts the 2 s provider timeout.
    emulator.inject(fault, stage, retry_after=0.2, hang_seconds=3.0)
    response = await client.post(
        "/api/v1/jobs", json={"prompt": f"{fault} test", "models": [target.model]}
    )
    assert response.status_code == 202, response.text
    job = await wait(client, response.json()["id"])
    (variant,) = job["variants"]
    where = f"{fault} on {target.model}"
    assert not emulator.state.faults, f"{where}: the fault was never met"
    paid = emulator.total_creations - before
    if fault in RECOVERS:
        assert variant["status"] == "succeeded", (where, variant["error"])
        assert paid == 1, f"{where}: {paid} paid generations"
        image = await client.get(variant["image"]["url"])
        assert image.status_code == 200 and image.content.startswith(b"\x89PNG")
        return
    code, words = FAILS[fault]
    words = {"bad_key": target.key_variable, "no_credit": target.quota_words}.get(fault, words)
    assert variant["status"] == "failed", where
    message = variant["error"]["message"]
    assert variant["error"]["code"] == code, (where, message)
    assert message.startswith(f"{target.name}: ") and words in message, (where, message)
    # Billed faults (a hang, a garbled answer, a bad download) were paid once and not again.
    assert paid == (1 if fault in ("hang", "malformed_json", "wrong_content_type") else 0), where


async def wait(client: httpx.AsyncClient, job_id: str) -> dict[str, Any]:
    for _ in range(300):
        job: dict[str, Any] = (await client.get(f"/api/v1/jobs/{job_id}")).json()
        if job["finished_at"] is not None:
            return job
        await asyncio.sleep(0.05)
    raise AssertionError(f"job {job_id} did not finish")


@pytest.mark.parametrize("fault", FAULTS)
async def test_fault(matrix: Matrix, fault: str) -> None:
    async def group(name: str, targets: list[Target]) -> None:
        emulator = matrix.emulators[name]
        for target in targets:  # one at a time: an injected fault hits the next request
            if fault in DOWNLOAD_FAULTS and not target.url_result:
                continue  # inline results have no download to break
            await run_one(client, emulator, target, fault)

    headers = {"Authorization": f"Bearer {matrix.token}"}
    async with httpx.AsyncClient(base_url=matrix.server.url, headers=headers, timeout=30) as client:
        await asyncio.gather(*(group(name, targets) for name, targets in GROUPS.items()))
