"""End to end against a real server: submit, watch live progress, fetch images, read metadata."""

from __future__ import annotations

import asyncio
import io
import json
from collections import Counter
from typing import Any

from httpx_sse import aconnect_sse
from PIL import Image

from easel.storage.images import read_png_record
from support.client import LIVE, MODEL, collect_events, state_changes, wait_for_job

from .conftest import Studio


def created_variants(studio: Studio, job_id: str) -> list[dict[str, Any]]:
    with studio.client(studio.alice) as client:
        variants: list[dict[str, Any]] = client.get(f"/api/v1/jobs/{job_id}").json()["variants"]
    return variants


async def test_progress_streams_live_then_images_carry_their_record(studio: Studio) -> None:
    async with studio.aclient(studio.alice) as client:
        response = await client.post(
            "/api/v1/jobs",
            json={
                "prompt": "a red lighthouse on a stormy sea",
                "models": [MODEL],
                "n": 2,
                "size": "768x512",
                "seed": 41,
                "previews": True,  # asked for up front: the stream opens just after
            },
        )
        assert response.status_code == 202, response.text
        created = response.json()
        assert response.headers["location"] == created["url"]
        job_id = created["id"]

        status_at_first_progress = None
        events = []
        async with aconnect_sse(client, "GET", created["events_url"]) as source:
            assert "content-encoding" not in source.response.headers
            async for sse in source.aiter_sse():
                if sse.event == "ping" or not sse.data:
                    continue
                events.append((sse.id, sse.event, json.loads(sse.data)))
                if sse.event in LIVE and status_at_first_progress is None:
                    job = (await client.get(f"/api/v1/jobs/{job_id}")).json()
                    status_at_first_progress = job["status"]
                if sse.event == "job.finished":
                    break

    # Progress arrived while the job was still running: the stream is live, not buffered.
    assert status_at_first_progress in ("queued", "running")
    types = Counter(event for _, event, _ in events)
    assert types["variant.succeeded"] == 2
    assert types["job.finished"] == 1
    durable_ids = [int(i) for i, event, _ in events if event not in LIVE]
    assert durable_ids == sorted(durable_ids) and len(set(durable_ids)) == len(durable_ids)
    # Live frames carry no id of their own: the client's position stays the last state change.
    last_id = ""
    for event_id, event, _ in events:
        if event in LIVE:
            assert event_id == last_id
        last_id = event_id
    live = [data for _, event, data in events if event in LIVE]
    assert {d["variant_id"] for d in live} == {v["id"] for v in created_variants(studio, job_id)}
    for variant_id in {d["variant_id"] for d in live}:
        steps = [d for d in live if d["variant_id"] == variant_id]
        fractions = [d["progress"] for d in steps]
        assert fractions == sorted(fractions) and fractions[-1] < 1
        # Asked for at submission: the offline engine's stage previews come along.
        assert all(d["preview"].startswith("data:image/") for d in steps if "preview" in d)
        assert any("preview" in d for d in steps)

    with studio.client(studio.alice) as sync_client:
        job = wait_for_job(sync_client, job_id)
        assert job["status"] == "succeeded"
        seeds = sorted(v["seed"] for v in job["variants"])
        assert seeds == [41, 42]
        for variant in job["variants"]:
            assert variant["duration_ms"] > 0 and variant["cost_usd"] is not None
            image_response = sync_client.get(variant["image"]["url"])
            assert image_response.status_code == 200
            assert image_response.headers["content-type"] == "image/png"
            assert image_response.headers["etag"]
            assert "immutable" in image_response.headers["cache-control"]
            data = image_response.content
            assert Image.open(io.BytesIO(data)).size == (768, 512)
            parameters, record = read_png_record(data)
            assert parameters is not None and record is not None
            assert parameters.startswith("a red lighthouse on a stormy sea")
            assert f"Seed: {variant['seed']}" in parameters
            assert "Size: 768x512" in parameters
            assert record["model_id"] == MODEL and record["seed"] == variant["seed"]
            cached = sync_client.get(
                variant["image"]["url"], headers={"If-None-Match": image_response.headers["etag"]}
            )
            assert cached.status_code == 304
            thumb = sync_client.get(variant["image"]["thumbnail_url"])
            assert thumb.headers["content-type"] == "image/webp"
            assert max(Image.open(io.BytesIO(thumb.content)).size) <= 384


async def test_reconnecting_with_last_event_id_gets_exactly_the_missed_events(
    studio: Studio,
) -> None:
    async with studio.aclient(studio.alice) as client:
        created = (
            await client.post(
                "/api/v1/jobs",
                json={
                    "prompt": "quiet green valley at dawn",
                    "models": [MODEL],
                    "n": 2,
                    "size": "1024x1024",
                },
            )
        ).json()
        path = created["events_url"]
        first = await collect_events(client, path, stop_after=4)
        # Disconnected: events keep happening. Reconnect from the last one seen.
        rest = await collect_events(client, path, last_event_id=first[-1].id)
        full = await collect_events(client, path)

    seen = state_changes(first + rest)
    assert seen == state_changes(full), "the reconnect skipped or repeated events"
    # The log holds state changes only: a finished job replays no progress.
    assert not [e for e in full if e.event in LIVE]
    assert rest[-1].event == "job.finished"
    # A finished job's stream replays and closes; from its last id it sends nothing.
    async with studio.aclient(studio.alice) as client:
        tail = await collect_events(client, path, last_event_id=full[-1].id, until_type=None)
    assert tail == []


async def test_account_stream_follows_every_job(studio: Studio) -> None:
    async with studio.aclient(studio.alice) as client:
        earlier = await client.post(
            "/api/v1/jobs", json={"prompt": "an earlier job", "models": [MODEL], "size": "64x64"}
        )
        assert earlier.status_code == 202, earlier.text
        await collect_events(client, earlier.json()["events_url"])  # until it finished
        replayed = await collect_events(
            client, "/api/v1/events?after=0", stop_after=1, until_type=None
        )
        assert replayed, "with after=0 the account stream replays the history"
        seen: list[tuple[str, dict[str, Any]]] = []
        # Without a position the stream starts now, and still sees every later event.
        async with asyncio.timeout(60), aconnect_sse(client, "GET", "/api/v1/events") as source:
            created = (
                await client.post(
                    "/api/v1/jobs",
                    json={"prompt": "tiny blue moon", "models": [MODEL], "size": "256x256"},
                )
            ).json()
            async for sse in source.aiter_sse():
                if not sse.data:
                    continue
                data = json.loads(sse.data)
                seen.append((sse.event, data))
                if sse.event == "job.finished" and data["job_id"] == created["id"]:
                    break
    mine = [event for event, data in seen if data["job_id"] == created["id"]]
    assert mine[0] == "job.created"
    assert "variant.succeeded" in mine
    assert all(data["job_id"] == created["id"] for _, data in seen), "older jobs were replayed"


def test_json_is_compressed_and_streams_and_base64_images_are_not(studio: Studio) -> None:
    with studio.client(studio.alice) as client:
        models = client.get("/api/v1/models", headers={"Accept-Encoding": "gzip"})
        assert models.headers.get("content-encoding") == "gzip"
        # Base64 images barely compress; gzip would cost ~90 ms of CPU per 2 MB answer.
        image = client.post(
            "/v1/images/generations",
            json={"model": "offline/procedural", "prompt": "a pebble", "size": "256x256"},
            headers={"Accept-Encoding": "gzip"},
        )
        assert image.status_code == 200, image.text
        assert len(image.content) > 500 and image.json()["data"][0]["b64_json"]
        assert "content-encoding" not in image.headers
        with client.stream("GET", "/api/v1/events", headers={"Accept-Encoding": "gzip"}) as stream:
            assert stream.headers["content-type"].startswith("text/event-stream")
            assert "content-encoding" not in stream.headers
            assert stream.headers["cache-control"] == "no-store"


async def test_a_retried_job_streams_past_its_old_finish(studio: Studio) -> None:
    """Replaying an old job.finished must not end the stream of a job that runs again."""
    async with studio.aclient(studio.alice) as client:
        created = (
            await client.post(
                "/api/v1/jobs",
                json={"prompt": "a slow tower", "models": [MODEL], "n": 2, "size": "2048x2048"},
            )
        ).json()
        job_id = created["id"]
        first = (await client.get(f"/api/v1/jobs/{job_id}")).json()["variants"][0]["id"]
        await client.post(f"/api/v1/jobs/{job_id}/cancel")
        before = await collect_events(client, created["events_url"])
        assert before[-1].event == "job.finished"
        retried = await client.post(f"/api/v1/jobs/{job_id}/variants/{first}/retry")
        assert retried.status_code == 200
        # From the start: the old finish is replayed, then the stream goes on to the new one.
        events = await collect_events(client, created["events_url"], until_type=None, timeout=90)
    kinds = [e.event for e in events]
    assert kinds.count("job.finished") == 2, kinds
    assert kinds[-1] == "job.finished"
    assert "variant.succeeded" in kinds[kinds.index("job.finished") :]
