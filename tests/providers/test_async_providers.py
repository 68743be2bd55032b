"""Hosted create-then-poll models (Replicate, Black Forest Labs, fal) and an MCP tool,
end to end: a real Easel server talks to loopback emulators of each API, and everything
is checked through Easel's public HTTP API."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import httpx
import pytest

from easel.config import Settings
from easel.providers import Catalog
from emulators.bfl import BFLEmulator
from emulators.fal import FalEmulator
from emulators.mcp_recraft import RecraftMCP
from emulators.replicate import ReplicateEmulator
from support.client import wait_for_job
from support.server import ServerProcess, create_token

# model id → (the emulator's name for it, what one image costs)
HOSTED: dict[str, tuple[str, str]] = {
    "replicate/flux-2-pro": ("black-forest-labs/flux-2-pro", "0.03"),
    "replicate/flux-2-max": ("black-forest-labs/flux-2-max", "0.07"),
    "replicate/seedream-5-lite": ("bytedance/seedream-5-lite", "0.035"),
    "replicate/flux-1.1-pro": ("black-forest-labs/flux-1.1-pro", "0.04"),
    "replicate/flux-schnell": ("black-forest-labs/flux-schnell", "0.003"),
    "replicate/ideogram-v2": ("ideogram-ai/ideogram-v2", "0.08"),
    "replicate/seedream-4.5": ("bytedance/seedream-4.5", "0.04"),
    "replicate/seedream-4": ("bytedance/seedream-4", "0.03"),
    # The cost BFL reports, not the table's.
    "bfl/flux-2-pro": ("flux-2-pro", "0.035"),
    "bfl/flux-2-klein-4b": ("flux-2-klein-4b", "0.035"),
    "bfl/flux-pro-1.1": ("flux-pro-1.1", "0.035"),
    "bfl/flux-pro-1.1-ultra": ("flux-pro-1.1-ultra", "0.035"),
    "fal/flux-2-pro": ("fal-ai/flux-2-pro", "0.03"),
    "fal/flux-schnell": ("fal-ai/flux/schnell", "0.003"),
    "fal/flux-dev": ("fal-ai/flux/dev", "0.025"),
    "mcp/recraft_generate_image": ("recraft_generate_image", "0.04"),
}
FAST_ENGINE = {
    "EASEL_POLL_INTERVAL_SECONDS": "0.05",
    "EASEL_RETRY_BASE_SECONDS": "0.05",
    "EASEL_RETRY_MAX_SECONDS": "0.2",
    "EASEL_PROVIDER_TIMEOUT_SECONDS": "2",
    "EASEL_DEFAULT_PROVIDER_CONCURRENCY": "8",
    "EASEL_STORAGE_RETRY_SECONDS": "1",
}


@dataclass
class Hosted:
    server: ServerProcess
    client: httpx.Client
    replicate: ReplicateEmulator
    bfl: BFLEmulator
    fal: FalEmulator
    mcp: RecraftMCP

    def creations(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for emulator in (self.replicate, self.bfl, self.fal, self.mcp):
            counts.update(emulator.state.creations)
        return counts

    def run(self, prompt: str, models: list[str], **params: Any) -> dict[str, Any]:
        job = self.submit(prompt, models, **params)
        return wait_for_job(self.client, job["id"], timeout=30)

    def submit(self, prompt: str, models: list[str], **params: Any) -> dict[str, Any]:
        response = self.client.post(
            "/api/v1/jobs", json={"prompt": prompt, "models": models, **params}
        )
        assert response.status_code == 202, response.text
        return dict(response.json())


@pytest.fixture(scope="module")
def hosted(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hosted]:
    emulators = (ReplicateEmulator(), BFLEmulator(), FalEmulator(), RecraftMCP())
    for emulator in emulators:
        emulator.start()
    replicate, bfl, fal, mcp = emulators
    replicate.state.task_seconds = 1.3  # longer than the create's Prefer: wait, so it polls
    bfl.cost_credits = 3.5
    env = {**FAST_ENGINE}
    for emulator in emulators:
        env |= emulator.easel_env()
    data_dir = tmp_path_factory.mktemp("hosted") / "data"
    server = ServerProcess(data_dir, env=env)
    server.start()
    token = create_token(data_dir, "alice")
    client = httpx.Client(
        base_url=server.url, headers={"Authorization": f"Bearer {token}"}, timeout=30
    )
    try:
        yield Hosted(server, client, replicate, bfl, fal, mcp)
    finally:
        client.close()
        server.stop()
        for emulator in emulators:
            emulator.stop()


def wait_until(condition: Callable[[], bool], timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.02)


def test_every_hosted_model_generates_through_easel(hosted: Hosted) -> None:
    before = hosted.creations()
    job = hosted.run("a lighthouse on a basalt cliff at dusk", list(HOSTED))

    assert job["status"] == "succeeded", job
    variants = {v["model"]: v for v in job["variants"]}
    assert set(variants) == set(HOSTED)
    for model, (remote, usd) in HOSTED.items():
        variant = variants[model]
        assert variant["status"] == "succeeded", variant
        assert Decimal(variant["cost_usd"]) == Decimal(usd), model
        # The image is Easel's own copy, served by Easel, not a provider URL.
        assert variant["image"]["url"].startswith("/api/v1/images/")
        image = hosted.client.get(variant["image"]["url"])
        assert image.status_code == 200
        assert image.content.startswith(b"\x89PNG")
        assert hosted.creations()[remote] - before.get(remote, 0) == 1, model
    assert Decimal(job["cost_usd"]) == sum(Decimal(usd) for _, usd in HOSTED.values())


def test_the_catalog_lists_hosted_models_with_prices_and_sources(hosted: Hosted) -> None:
    models = {m["id"]: m for m in hosted.client.get("/api/v1/models").json()}
    for model in HOSTED:
        assert models[model]["available"], models[model]
        assert models[model]["price"]["source"], model
    assert "UNVERIFIED" in models["replicate/seedream-4"]["price"]["source"]
    assert models["replicate/flux-schnell"]["price"]["as_of"] == "2026-10-07"


def test_canceling_running_variants_cancels_the_remote_tasks(hosted: Hosted) -> None:
    hosted.replicate.state.task_seconds = hosted.fal.state.task_seconds = 20
    polls = hosted.replicate.state.polls, hosted.fal.state.polls
    cancels = hosted.replicate.state.cancels, hosted.fal.state.cancels
    try:
        job = hosted.submit("a slow one", ["replicate/flux-schnell", "fal/flux-schnell"])
        # A poll comes after the remote task was saved, so the cancel can find it.
        wait_until(
            lambda: hosted.replicate.state.polls > polls[0] and hosted.fal.state.polls > polls[1]
        )
        hosted.client.post(f"/api/v1/jobs/{job['id']}/cancel").raise_for_status()
        wait_until(
            lambda: (
                (hosted.replicate.state.cancels, hosted.fal.state.cancels)
                == (cancels[0] + 1, cancels[1] + 1)
            )
        )
    finally:
        hosted.replicate.state.task_seconds, hosted.fal.state.task_seconds = 1.3, 0.3
    final = hosted.client.get(f"/api/v1/jobs/{job['id']}").json()
    assert [v["status"] for v in final["variants"]] == ["canceled", "canceled"]


def test_a_storage_failure_is_retried_from_the_saved_result(hosted: Hosted) -> None:
    # A file where the thumbnails folder should be: every image write fails, for longer
    # than the server waits out a storage outage (EASEL_STORAGE_RETRY_SECONDS).
    thumbs = hosted.server.data_dir / "images" / "thumbs"
    aside = thumbs.with_name("thumbs-aside")
    thumbs.mkdir(parents=True, exist_ok=True)
    thumbs.rename(aside)
    thumbs.write_text("not a folder: every image write fails")
    try:
        job = hosted.run("storage goes away", ["bfl/flux-pro-1.1"])
    finally:
        thumbs.unlink()
        aside.rename(thumbs)
    [variant] = job["variants"]
    assert variant["status"] == "failed"
    assert variant["error"]["code"] == "storage"
    created = hosted.bfl.state.creations["flux-pro-1.1"]

    retried = _retry(hosted, job, variant)
    assert retried["status"] == "succeeded", retried
    # The saved result URL was downloaded again: nothing was generated (or paid) twice.
    assert hosted.bfl.state.creations["flux-pro-1.1"] == created


def test_an_expired_result_url_makes_a_retry_generate_again(hosted: Hosted) -> None:
    hosted.fal.state.url_ttl = 0
    try:
        job = hosted.run("too late to download", ["fal/flux-dev"])
    finally:
        hosted.fal.state.url_ttl = 3600
    [variant] = job["variants"]
    assert variant["status"] == "failed"
    assert variant["error"]["code"] == "invalid-output"
    assert "expired" in variant["error"]["message"]
    created = hosted.fal.state.creations["fal-ai/flux/dev"]

    retried = _retry(hosted, job, variant)
    assert retried["status"] == "succeeded", retried
    assert hosted.fal.state.creations["fal-ai/flux/dev"] == created + 1


def test_a_prediction_past_replicates_retention_is_not_paid_for_twice(hosted: Hosted) -> None:
    hosted.replicate.retention_seconds = 0
    try:
        job = hosted.run("gone after an hour", ["replicate/flux-1.1-pro"])
    finally:
        hosted.replicate.retention_seconds = 3600
    [variant] = job["variants"]
    assert variant["status"] == "failed"
    assert variant["error"]["code"] == "invalid-output"
    assert "removed" in variant["error"]["message"]


@pytest.mark.parametrize("mode", ["text_url", "resource", "link"])
def test_an_mcp_tool_may_answer_with_an_image_url(hosted: Hosted, mode: str) -> None:
    hosted.mcp.mode = mode  # type: ignore[assignment]
    try:
        job = hosted.run(f"a poster, {mode}", ["mcp/recraft_generate_image"], size="1365x1024")
    finally:
        hosted.mcp.mode = "image"
    assert job["status"] == "succeeded", job
    assert hosted.mcp.calls[-1] == {
        "prompt": f"a poster, {mode}",
        "size": "1365x1024",
        "style": "digital_illustration",
    }


def test_an_mcp_tool_error_fails_the_variant_with_its_text(hosted: Hosted) -> None:
    hosted.mcp.inject("moderation")
    job = hosted.run("something the bridge refuses", ["mcp/recraft_generate_image"])
    [variant] = job["variants"]
    assert variant["error"]["code"] == "content-rejected"
    assert "violates the content policy" in variant["error"]["message"]

    hosted.mcp.api_key = "rotated"
    try:
        job = hosted.run("with a revoked key", ["mcp/recraft_generate_image"])
    finally:
        hosted.mcp.api_key = "test-key"
    assert job["variants"][0]["error"]["code"] == "auth"


def _retry(hosted: Hosted, job: dict[str, Any], variant: dict[str, Any]) -> dict[str, Any]:
    path = f"/api/v1/jobs/{job['id']}/variants/{variant['id']}/retry"
    hosted.client.post(path).raise_for_status()
    return wait_for_job(hosted.client, job["id"], timeout=30)


def test_missing_keys_make_only_those_models_unavailable() -> None:
    entries = {e.model.id: e for e in Catalog.load(Settings(environ={})).entries()}
    assert "REPLICATE_API_TOKEN" in str(entries["replicate/flux-schnell"].unavailable_reason)
    assert "BFL_API_KEY" in str(entries["bfl/flux-pro-1.1"].unavailable_reason)
    assert "FAL_KEY" in str(entries["fal/flux-dev"].unavailable_reason)
    reason = str(entries["mcp/recraft_generate_image"].unavailable_reason)
    assert "EASEL_PROVIDERS__MCP__BASE_URL" in reason


def test_without_the_mcp_package_only_mcp_models_are_unavailable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "mcp", None)  # makes `import mcp` fail
    environ = {"EASEL_PROVIDERS__MCP__BASE_URL": "http://127.0.0.1:9/mcp", "FAL_KEY": "k"}
    settings = Settings(environ=environ, providers={"mcp": {"base_url": "http://127.0.0.1:9/mcp"}})
    entries = {e.model.id: e for e in Catalog.load(settings).entries()}
    assert "mcp package is missing" in str(entries["mcp/recraft_generate_image"].unavailable_reason)
    assert entries["fal/flux-schnell"].available


def test_bad_mcp_options_make_the_mcp_models_unavailable_not_the_catalog() -> None:
    settings = Settings(
        environ={}, providers={"mcp": {"base_url": "http://x/mcp", "options": {"tols": "a"}}}
    )
    entry = Catalog.load(settings).get("mcp/recraft_generate_image")
    assert "EASEL_PROVIDERS__MCP__OPTIONS is invalid" in str(entry.unavailable_reason)
