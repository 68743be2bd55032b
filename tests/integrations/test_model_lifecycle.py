"""A model's life through every interface: offered while deprecated, with its shutdown date;
retired by the calendar, after which no interface offers it and each one names the
replacement, while its history, images and statistics stay. Also: default models, and
the server's own catalog check shown to admins."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import httpx2
import openai
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from emulators.openai import OpenAIEmulator
from support.client import MODEL, wait_for_job
from support.server import create_token

from .conftest import Easel, running_easel

OLD = "openai/gpt-image-1.5"
NEW = "openai/gpt-image-2.6-sunburst"
BEFORE = {"EASEL_TODAY": "2026-11-27"}
AFTER = {"EASEL_TODAY": "2026-12-02"}


@pytest.fixture(scope="module")
def emulator() -> Iterator[OpenAIEmulator]:
    with OpenAIEmulator() as running:
        yield running  # type: ignore[misc]


@asynccontextmanager
async def mcp_client(easel: Easel) -> AsyncIterator[Client]:
    headers = {"Authorization": f"Bearer {easel.token}"}
    async with (
        httpx2.AsyncClient(headers=headers, timeout=60) as http,
        Client(streamable_http_client(f"{easel.url}/mcp", http_client=http)) as client,
    ):
        yield client


def job(http: httpx.Client, **body: Any) -> dict[str, Any]:
    created = http.post("/api/v1/jobs", json={"prompt": "a quiet harbour", **body})
    assert created.status_code == 202, created.text
    return wait_for_job(http, created.json()["id"])


def models(http: httpx.Client, **params: Any) -> dict[str, dict[str, Any]]:
    return {m["id"]: m for m in http.get("/api/v1/models", params=params).json()}


def while_deprecated(easel: Easel) -> dict[str, str]:
    with easel.client() as http:
        old = models(http)[OLD]
        assert old["lifecycle"] == {
            "status": "deprecated",
            "shutdown_date": "2026-12-01",
            "replacement": NEW,
            "source": "https://developers.openai.com/api/docs/deprecations",
        }
        made = job(http, models=[OLD])
        assert made["status"] == "succeeded", made["variants"][0]["error"]
        preset = http.post("/api/v1/presets", json={"name": "old favourite", "models": [OLD]})
        assert preset.status_code == 201, preset.text
        (notice,) = preset.json()["notices"]
        assert notice["status"] == "deprecated" and notice["replacement"] == NEW
        assert "2026-12-01" in notice["message"]
        chosen = http.put("/api/v1/me/defaults", json={"models": [OLD]}).json()
        assert chosen == {"models": [OLD], "effective": [OLD]}
        by_default = job(http)  # no models: the user's default
        assert [v["model"] for v in by_default["variants"]] == [OLD]
    return {"job": made["id"], "variant": made["variants"][0]["id"], "preset": preset.json()["id"]}


def test_a_model_retired_by_the_calendar_keeps_its_history(
    tmp_path: Path, emulator: OpenAIEmulator
) -> None:
    data_dir = tmp_path / "data"
    with running_easel(data_dir, {**emulator.easel_env(), **BEFORE}) as before:
        ids = while_deprecated(before)
    with (
        running_easel(data_dir, {**emulator.easel_env(), **AFTER}) as after,
        after.client() as http,
    ):
        assert OLD not in models(http) and NEW in models(http)
        assert models(http, include_retired=True)[OLD]["lifecycle"]["status"] == "shutdown"
        # History, images and statistics stay.
        kept = http.get(f"/api/v1/jobs/{ids['job']}").json()
        assert [(v["model"], v["status"]) for v in kept["variants"]] == [(OLD, "succeeded")]
        assert http.get(kept["variants"][0]["image"]["url"]).status_code == 200
        assert ids["job"] in [j["id"] for j in http.get("/api/v1/jobs").json()["items"]]
        stats = {s["model"]: s for s in http.get("/api/v1/stats/models").json()}
        assert stats[OLD]["succeeded"] == 2
        # Nothing new runs on it; every refusal names the replacement.
        for refused in (
            http.post("/api/v1/jobs", json={"prompt": "x", "models": [OLD]}),
            http.post("/api/v1/jobs", json={"prompt": "x", "preset_id": ids["preset"]}),
            http.post(f"/api/v1/jobs/{ids['job']}/variants/{ids['variant']}/retry"),
            http.put("/api/v1/me/defaults", json={"models": [OLD]}),
        ):
            assert refused.status_code == 410, refused.text
            assert refused.json()["allowed"] == [NEW] and NEW in refused.json()["hint"]
        (notice,) = http.get(f"/api/v1/presets/{ids['preset']}").json()["notices"]
        assert notice["status"] == "shutdown" and notice["replacement"] == NEW
        # A retired default is skipped: jobs without models run on the cheapest model.
        defaults = http.get("/api/v1/me/defaults").json()
        assert defaults == {"models": [OLD], "effective": [MODEL]}
        assert [v["model"] for v in job(http)["variants"]] == [MODEL]

        with (
            openai.OpenAI(base_url=f"{after.url}/v1", api_key=after.token, max_retries=0) as sdk,
            pytest.raises(openai.NotFoundError) as gone,
        ):
            sdk.images.generate(model=OLD, prompt="x")
        assert gone.value.code == "model_not_found" and NEW in gone.value.message


@pytest.fixture
def november(tmp_path: Path, emulator: OpenAIEmulator) -> Iterator[Easel]:
    """A studio before gpt-image-1.5's shutdown date."""
    with running_easel(tmp_path / "data", {**emulator.easel_env(), **BEFORE}) as easel:
        yield easel


async def test_mcp_lists_a_deprecated_model_with_its_shutdown_date(november: Easel) -> None:
    async with mcp_client(november) as client:
        listed = (await client.call_tool("list_models", {})).structured_content
    by_id = {m["id"]: m for m in listed["models"]}  # type: ignore[index]
    old = by_id[OLD]
    assert (old["status"], old["shutdown_date"], old["replacement"]) == (
        "deprecated",
        "2026-12-01",
        NEW,
    )
    assert "openai/gpt-image-1" not in by_id


@pytest.fixture
def december(tmp_path: Path, emulator: OpenAIEmulator) -> Iterator[Easel]:
    """A studio after gpt-image-1.5's shutdown date."""
    with running_easel(tmp_path / "data", {**emulator.easel_env(), **AFTER}) as easel:
        yield easel


async def test_mcp_lists_lifecycles_refuses_retired_models_and_uses_defaults(
    december: Easel,
) -> None:
    async with mcp_client(december) as client:
        listed = (await client.call_tool("list_models", {})).structured_content
        by_id = {m["id"]: m for m in listed["models"]}  # type: ignore[index]
        assert OLD not in by_id and "openai/dall-e-3" not in by_id
        assert by_id[NEW]["status"] == "active" and by_id[NEW]["shutdown_date"] is None

        refused = await client.call_tool("generate_image", {"prompt": "x", "models": [OLD]})
        assert refused.is_error and NEW in str(refused.content[0])

        # Only a prompt: the user's default models (none chosen: the cheapest).
        result = await client.call_tool("generate_image", {"prompt": "a red kite"})
        assert not result.is_error, result.content
        summary = result.structured_content
        assert summary is not None and summary["status"] == "succeeded"
        assert [v["model"] for v in summary["variants"]] == [MODEL]

        with december.client() as http:
            http.put("/api/v1/me/defaults", json={"models": [NEW]}).raise_for_status()
        chosen = await client.call_tool("generate_image", {"prompt": "a blue kite"})
        assert [v["model"] for v in chosen.structured_content["variants"]] == [NEW]  # type: ignore[index]


def test_the_server_checks_vendors_and_shows_admins(
    tmp_path: Path, emulator: OpenAIEmulator
) -> None:
    data_dir = tmp_path / "data"
    env = {**emulator.easel_env(), **BEFORE, "EASEL_CHECK_MODELS": "true"}
    emulator.withdraw("gpt-image-2.5-flare")
    emulator.serve("gpt-image-3")
    try:
        with running_easel(data_dir, env) as easel:
            admin = create_token(data_dir, "admin")  # the first user, made on first start
            with easel.client(admin) as http:
                report = _wait_for_report(http)
                (found,) = [p for p in report["providers"] if p["provider"] == "openai"]
                assert found["not_served"] == ["openai/gpt-image-2.5-flare"]
                assert found["missing"] == ["gpt-image-3"]
                listed = models(http)
                assert listed["openai/gpt-image-2.5-flare"]["drift"] == [
                    "OpenAI no longer lists this model."
                ]
                assert listed[NEW]["drift"] == []
                calls = emulator.list_calls
                again = http.post("/api/v1/models/check").json()
                assert again["checked_at"] > report["checked_at"]
                assert emulator.list_calls == calls + 1
            with easel.client() as alice:  # not an admin
                assert all(m["drift"] is None for m in alice.get("/api/v1/models").json())
                assert alice.get("/api/v1/models/check").status_code == 403
        calls = emulator.list_calls
        with running_easel(data_dir, env) as easel, easel.client(admin) as http:
            # The last report survives a restart; the next check is a day away.
            kept = http.get("/api/v1/models/check").json()
            assert kept["checked_at"] == again["checked_at"]
            assert emulator.list_calls == calls
    finally:
        emulator.serve("gpt-image-2.5-flare")
        emulator.withdraw("gpt-image-3")


def _wait_for_report(http: httpx.Client) -> dict[str, Any]:
    deadline = time.monotonic() + 20
    while True:
        report = http.get("/api/v1/models/check").raise_for_status().json()
        if report is not None:
            return dict(report)
        assert time.monotonic() < deadline, "the server never checked the vendors"
        time.sleep(0.1)
