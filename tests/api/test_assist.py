"""Assist through Easel's public API, against the Anthropic, OpenAI and Gemini emulators and
the offline assistant: frames in order, the first words before the upstream finishes, the
stored record (text, usage, cost), a client that leaves closing the upstream request,
errors mid-stream, retries before the first word, and a stalled upstream timed out."""

from __future__ import annotations

import asyncio
import io
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from httpx_sse import aconnect_sse
from PIL import Image

from emulators._text import DESCRIBE_REPLY, deltas
from emulators.anthropic import AnthropicEmulator
from emulators.gemini import GeminiEmulator
from emulators.openai_responses import OpenAIResponsesEmulator
from support.server import ServerProcess, create_token

HOSTED = ("anthropic/claude-sonnet-5-5", "openai/gpt-6.2-sol", "google/gemini-3.8-flash")
PROMPT = (
    "a white lighthouse on a dark cliff at dusk, amber lamp glowing, navy sea, painterly "
    "photograph, low horizon"
)


@dataclass
class Assisted:
    server: ServerProcess
    token: str
    other: str
    vendors: dict[str, Any]

    def client(self, token: str | None = None) -> httpx.AsyncClient:
        headers = {"Authorization": f"Bearer {token or self.token}"}
        return httpx.AsyncClient(base_url=self.server.url, headers=headers, timeout=30)

    def vendor(self, model: str) -> Any:
        return self.vendors[model.split("/")[0]]


@pytest.fixture(scope="module")
def assisted(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Assisted]:
    emulators = {
        "anthropic": AnthropicEmulator().start(),
        "openai": OpenAIResponsesEmulator().start(),
        "google": GeminiEmulator().start(),
    }
    env = {"EASEL_ASSIST_IDLE_TIMEOUT_SECONDS": "1.5", "EASEL_ASSIST_RETRY_SECONDS": "5"}
    for emulator in emulators.values():
        env.update(emulator.easel_env())
    data_dir: Path = tmp_path_factory.mktemp("assist") / "data"
    server = ServerProcess(data_dir, env=env)
    server.start()
    try:
        yield Assisted(
            server, create_token(data_dir, "alice"), create_token(data_dir, "bob"), emulators
        )
    finally:
        server.stop()
        for emulator in emulators.values():
            emulator.stop()


@dataclass
class Frame:
    event: str
    data: dict[str, Any]
    at: float


async def stream(
    client: httpx.AsyncClient, path: str, body: dict[str, Any], *, stop_after: int | None = None
) -> tuple[list[Frame], httpx.Response]:
    frames: list[Frame] = []
    async with (
        asyncio.timeout(30),
        aconnect_sse(
            client, "POST", path, json=body, headers={"Accept-Encoding": "gzip"}
        ) as source,
    ):
        async for sse in source.aiter_sse():
            if sse.event in ("delta", "suggestion", "done", "error"):
                frames.append(Frame(sse.event, json.loads(sse.data), time.monotonic()))
            if stop_after is not None and len(frames) >= stop_after:
                break
        return frames, source.response


async def upload(client: httpx.AsyncClient) -> str:
    out = io.BytesIO()
    Image.radial_gradient("L").convert("RGB").resize((320, 200)).save(out, "PNG")
    response = await client.post("/api/v1/uploads", files={"file": ("ref.png", out.getvalue())})
    assert response.status_code == 201, response.text
    return str(response.json()["sha256"])


async def price_of(client: httpx.AsyncClient, model: str) -> tuple[Decimal, Decimal]:
    models = {m["id"]: m for m in (await client.get("/api/v1/assist/models")).json()}
    price = models[model]["price"]
    return Decimal(price["input_per_million_usd"]), Decimal(price["output_per_million_usd"])


@pytest.mark.parametrize("model", HOSTED)
async def test_describe_streams_before_the_upstream_finishes_and_is_stored_once(
    assisted: Assisted, model: str
) -> None:
    vendor = assisted.vendor(model)
    vendor.delta_interval = 0.02
    async with assisted.client() as client:
        sha = await upload(client)
        frames, response = await stream(
            client, "/api/v1/assist/describe", {"images": [sha], "model": model}
        )
        assert response.headers["content-type"].startswith("text/event-stream")
        assert response.headers["x-accel-buffering"] == "no"
        assert response.headers["cache-control"] == "no-store"
        assert "content-encoding" not in response.headers
        kinds = [f.event for f in frames]
        assert kinds == ["delta"] * (len(frames) - 1) + ["done"]
        assert "".join(f.data["text"] for f in frames[:-1]) == DESCRIBE_REPLY
        done = frames[-1].data
        assert done["text"] == DESCRIBE_REPLY and done["prompt"] == PROMPT
        assert frames[0].at < vendor.traffic.finished[-1], "the first words waited for the end"
        sent = json.dumps(vendor.traffic.bodies[-1])
        assert "Prompt:" in sent and "Composition:" in sent
        record = (await client.get(done["url"])).json()
        price_in, price_out = await price_of(client, model)
    usage = done["usage"]
    assert usage["output_tokens"] >= len(deltas(DESCRIBE_REPLY)) and usage["input_tokens"] > 100
    expected = (usage["input_tokens"] * price_in + usage["output_tokens"] * price_out) / 1_000_000
    assert Decimal(done["cost_usd"]) == expected.quantize(Decimal("0.000001")) > 0
    assert record["status"] == "succeeded" and record["text"] == DESCRIBE_REPLY
    assert record["usage"] == usage and record["cost_usd"] == done["cost_usd"]
    assert record["prompt"] == PROMPT and record["params"]["images"] == [sha]
    assert record["first_delta_ms"] is not None and record["model"] == model


@pytest.mark.parametrize("model", HOSTED)
async def test_suggestions_stream_as_each_completes_tailored_to_the_targets(
    assisted: Assisted, model: str
) -> None:
    vendor = assisted.vendor(model)
    vendor.delta_interval = 0.005
    body = {
        "idea": "a fox in snow",
        "models": ["ideogram/ideogram-v3", "offline/procedural"],
        "count": 3,
        "model": model,
    }
    async with assisted.client() as client:
        frames, _ = await stream(client, "/api/v1/assist/prompt", body)
    suggestions = [f for f in frames if f.event == "suggestion"]
    assert [s.data["index"] for s in suggestions] == [0, 1, 2]
    assert suggestions[0].data["prompt"].startswith("a fox curled asleep")
    assert suggestions[0].data["negative_prompt"] == "blurry, watermark"
    assert suggestions[0].data["models"] == body["models"]
    last_delta = max(i for i, f in enumerate(frames) if f.event == "delta")
    assert frames.index(suggestions[0]) < last_delta, "a suggestion waited for the end"
    assert frames[-1].event == "done" and len(frames[-1].data["suggestions"]) == 3
    sent = json.dumps(vendor.traffic.bodies[-1])
    assert "Ideogram 3.0 render legible lettering" in sent and "Negative prompt" in sent


@pytest.mark.parametrize("model", HOSTED)
async def test_a_client_that_leaves_closes_the_upstream_request(
    assisted: Assisted, model: str
) -> None:
    vendor = assisted.vendor(model)
    vendor.delta_interval = 0.1
    vendor.traffic.closed.clear()
    before = vendor.traffic.closed_early
    async with assisted.client() as client:
        frames, _ = await stream(
            client, "/api/v1/assist/prompt", {"idea": "a kite", "model": model}, stop_after=2
        )
        assert [f.event for f in frames] == ["delta", "delta"]
        assert await asyncio.to_thread(vendor.traffic.closed.wait, 10), "upstream still open"
        assert vendor.traffic.closed_early == before + 1
        run_url = f"/api/v1/assist/{frames[0].data['run_id']}"
        for _ in range(50):
            record = await client.get(run_url)
            if record.status_code == 200:
                break
            await asyncio.sleep(0.1)
    stored = record.json()
    assert stored["status"] == "canceled" and stored["text"].startswith("1. a ")


async def test_an_upstream_error_mid_stream_ends_with_an_error_frame(assisted: Assisted) -> None:
    claude = assisted.vendors["anthropic"]
    claude.delta_interval = 0.005
    claude.inject("mid_stream_error")
    async with assisted.client() as client:
        frames, _ = await stream(client, "/api/v1/assist/prompt", {"idea": "x", "model": HOSTED[0]})
        assert [f.event for f in frames] == ["delta"] * claude.stall_after + ["error"]
        problem = frames[-1].data
        assert problem["status"] == 502 and "Anthropic is overloaded" in problem["detail"]
        assert problem["hint"] and problem["type"].endswith("/unavailable")
        assert assisted.token not in json.dumps(problem)
        record = (await client.get(f"/api/v1/assist/{problem['run_id']}")).json()
    assert record["status"] == "failed" and record["error"]["code"] == "unavailable"


async def test_a_429_before_the_first_word_is_retried_after_retry_after(
    assisted: Assisted,
) -> None:
    gpt = assisted.vendors["openai"]
    gpt.delta_interval = 0.005
    gpt.inject("rate_limit", retry_after=0.6)
    before = len(gpt.traffic.bodies)
    async with assisted.client() as client:
        frames, _ = await stream(client, "/api/v1/assist/prompt", {"idea": "x", "model": HOSTED[1]})
    assert frames[-1].event == "done", frames[-1]
    assert len(gpt.traffic.bodies) == before + 2
    assert frames[-1].data["first_delta_ms"] >= 600


async def test_an_overload_asking_too_long_a_wait_is_an_error_at_once(assisted: Assisted) -> None:
    assisted.vendors["anthropic"].inject("overloaded", retry_after=60)
    started = time.monotonic()
    async with assisted.client() as client:
        frames, _ = await stream(client, "/api/v1/assist/prompt", {"idea": "x", "model": HOSTED[0]})
    assert time.monotonic() - started < 5
    assert [f.event for f in frames] == ["error"]
    assert frames[0].data["status"] == 502 and "60 s" in frames[0].data["hint"]


async def test_a_stalled_upstream_times_out_and_is_closed(assisted: Assisted) -> None:
    gemini = assisted.vendors["google"]
    gemini.delta_interval = 0.005
    gemini.traffic.closed.clear()
    gemini.inject("stall", hang_seconds=20)
    started = time.monotonic()
    async with assisted.client() as client:
        frames, _ = await stream(client, "/api/v1/assist/prompt", {"idea": "x", "model": HOSTED[2]})
    assert time.monotonic() - started < 10
    assert [f.event for f in frames] == ["delta"] * gemini.stall_after + ["error"]
    assert frames[-1].data["status"] == 504 and "1.5 seconds" in frames[-1].data["detail"]
    assert await asyncio.to_thread(gemini.traffic.closed.wait, 10)


async def test_the_offline_assistant_streams_in_the_same_frames(assisted: Assisted) -> None:
    async with assisted.client() as client:
        sha = await upload(client)
        frames, _ = await stream(client, "/api/v1/assist/describe", {"images": [sha]})
        suggest, _ = await stream(
            client, "/api/v1/assist/prompt", {"idea": "a fox in snow", "count": 2}
        )
    assert len(frames) > 30 and frames[-1].event == "done"
    done = frames[-1].data
    assert done["model"] == "offline/assistant" and done["cost_usd"] == "0"
    assert "Palette:" in done["text"] and "does not recognise objects" in done["text"]
    assert done["prompt"] and "16:10" in done["prompt"]  # 320x200
    assert [f.data["index"] for f in suggest if f.event == "suggestion"] == [0, 1]
    assert "winter" in suggest[-1].data["suggestions"][0]["prompt"]


async def test_json_answers_once_and_mistakes_are_refused_before_streaming(
    assisted: Assisted,
) -> None:
    json_accept = {"Accept": "application/json"}
    async with assisted.client() as client, assisted.client(assisted.other) as bob:
        sha = await upload(client)
        answer = await client.post(
            "/api/v1/assist/describe", json={"images": [sha]}, headers=json_accept
        )
        assert answer.status_code == 200 and answer.headers["content-type"] == "application/json"
        assert answer.json()["prompt"] and answer.headers["location"] == answer.json()["url"]
        refused = {
            "/api/v1/assist/describe": [
                ({"images": [sha], "model": "nobody/none"}, 404),
                ({"images": ["0" * 64]}, 404),
                ({"images": ["not-a-sha"]}, 422),
                ({"images": []}, 422),
            ],
            "/api/v1/assist/prompt": [
                ({"idea": "x", "models": ["nobody/none"]}, 404),
                ({"idea": "", "count": 2}, 422),
                ({"idea": "x", "count": 99}, 422),
            ],
        }
        for path, cases in refused.items():
            for body, status in cases:
                response = await client.post(path, json=body)
                assert response.status_code == status, (body, response.text)
                assert response.headers["content-type"] == "application/problem+json"
        # Bob cannot describe alice's upload by its hash.
        stolen = await bob.post("/api/v1/assist/describe", json={"images": [sha]})
        assert stolen.status_code == 404
        failed = await client.post(
            "/api/v1/assist/prompt",
            json={"idea": "x", "model": "anthropic/claude-haiku-5-5"},
            headers=json_accept,
        )
        assert failed.status_code == 200  # a success, answered once
        assisted.vendors["anthropic"].inject("bad_key")
        failed = await client.post(
            "/api/v1/assist/prompt", json={"idea": "x", "model": HOSTED[0]}, headers=json_accept
        )
        assert (
            failed.status_code == 502
            and failed.headers["content-type"] == "application/problem+json"
        )
        assert "API key" in failed.json()["detail"]


async def test_history_search_and_spend(assisted: Assisted) -> None:
    async with assisted.client() as client, assisted.client(assisted.other) as bob:
        await client.post(
            "/api/v1/assist/prompt",
            json={"idea": "a heron at the harbour", "model": HOSTED[1]},
            headers={"Accept": "application/json"},
        )
        found = (await client.get("/api/v1/assist", params={"q": "heron"})).json()["items"]
        assert len(found) == 1 and found[0]["request_text"] == "a heron at the harbour"
        prompts = (await client.get("/api/v1/assist", params={"kind": "prompt"})).json()
        assert {r["kind"] for r in prompts["items"]} == {"prompt"}
        assert found[0]["id"] in {r["id"] for r in prompts["items"]}
        describes = (await client.get("/api/v1/assist", params={"kind": "describe"})).json()
        assert all(r["kind"] == "describe" for r in describes["items"])
        assert (await bob.get("/api/v1/assist")).json()["items"] == []
        assert (await bob.get(found[0]["url"])).status_code == 404
        today = (await client.get("/api/v1/stats/spend", params={"days": 1})).json()[-1]
        stats = {s["model"]: s for s in (await client.get("/api/v1/stats/assist")).json()}
    assert today["assists"] >= 1 and Decimal(today["assist_cost_usd"]) > 0
    assert Decimal(today["cost_usd"]) == Decimal(today["image_cost_usd"]) + Decimal(
        today["assist_cost_usd"]
    )
    assert stats[HOSTED[1]]["succeeded"] >= 1 and Decimal(stats[HOSTED[1]]["total_cost_usd"]) > 0


async def test_the_account_stream_carries_the_same_frames_as_live_events(
    assisted: Assisted,
) -> None:
    claude = assisted.vendors["anthropic"]
    claude.delta_interval = 0.01
    watched: list[dict[str, Any]] = []
    async with assisted.client() as client, assisted.client() as watcher:

        async def watch() -> None:
            async with aconnect_sse(watcher, "GET", "/api/v1/events") as source:
                async for sse in source.aiter_sse():
                    if sse.event.startswith("assist."):
                        assert not sse.id, "live frames carry no id"
                        watched.append({"event": sse.event, **json.loads(sse.data)})
                        if sse.event in ("assist.done", "assist.error"):
                            return

        watching = asyncio.create_task(watch())
        await asyncio.sleep(0.5)  # subscribed before the run starts
        frames, _ = await stream(
            client, "/api/v1/assist/prompt", {"idea": "a kite", "model": HOSTED[0]}
        )
        await asyncio.wait_for(watching, 10)
    assert [w["event"] for w in watched] == [f"assist.{f.event}" for f in frames]
    assert [w.get("text") for w in watched] == [f.data.get("text") for f in frames]
    assert {w["job_id"] for w in watched} == {frames[0].data["run_id"]}
