"""``/metrics``, ``/readyz`` and JSON logs of a real server process.

A job with paid (emulated), failing and offline variants moves the counters and
histograms by exactly what it did; the queue depth comes from the database; an open
event stream is counted; every variant's log line carries its job and variant ids.
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import httpx

from emulators.openai import OpenAIEmulator
from support.client import MODEL, wait_for_job
from support.metrics import scrape, value
from support.server import FAST_PROVIDERS, ServerProcess, create_token, free_port

PAID = "openai/gpt-image-2"
START = 480.0  # the shared machine can take minutes to import everything


def wait_until(check: Callable[[], bool], what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout  # a wait, not a measure
    while not check():
        assert time.monotonic() < deadline, what
        time.sleep(0.1)


def test_a_job_moves_the_metrics_and_its_logs_carry_ids(tmp_path: Path) -> None:
    emulator = OpenAIEmulator()
    emulator.start()
    data_dir = tmp_path / "data"
    env = {
        **emulator.easel_env(),
        **FAST_PROVIDERS,
        # Generous: a busy machine must not turn this into a test of timeouts.
        "EASEL_PROVIDER_TIMEOUT_SECONDS": "120",
        "EASEL_OFFLINE_CONCURRENCY": "1",
        "EASEL_SSE_PING_SECONDS": "0.5",
        "EASEL_LOG_FORMAT": "json",
    }
    server = ServerProcess(data_dir, env=env)
    stream_open, stream_done = threading.Event(), threading.Event()
    try:
        server.start(timeout=START)
        headers = {"Authorization": f"Bearer {create_token(data_dir, 'olga')}"}
        with httpx.Client(base_url=server.url, headers=headers, timeout=30) as client:
            ready = client.get("/readyz")
            assert ready.status_code == 200, ready.text
            assert ready.json()["checks"] == {"database": "ok", "storage": "ok"}
            before = scrape(client)

            # An open event stream is counted while it is open.

            def follow() -> None:
                with (
                    httpx.Client(base_url=server.url, headers=headers, timeout=30) as own,
                    own.stream("GET", "/api/v1/events") as events,
                ):
                    stream_open.set()
                    try:
                        for _ in events.iter_lines():  # pings every 0.5 s end it promptly
                            if stream_done.is_set():
                                return
                    except httpx.TransportError:
                        if not stream_done.is_set():  # only the server stopping may end it
                            raise

            follower = threading.Thread(target=follow, daemon=True)
            follower.start()
            assert stream_open.wait(60)
            wait_until(
                lambda: value(scrape(client), "easel_sse_subscribers") == 1, "stream counted"
            )

            emulator.inject("moderation")  # the first paid variant is refused
            body = {
                "prompt": "a harbour at noon",
                "models": [{"model": PAID, "n": 2}, {"model": MODEL, "n": 3}],
                "size": "1024x640",  # the smallest the paid model makes
            }
            created = client.post("/api/v1/jobs", json=body)
            assert created.status_code == 202, created.text
            # Three offline variants, one at a time: some wait, and the database says so.
            wait_until(
                lambda: value(scrape(client), "easel_queue_depth", provider="offline") > 0,
                "offline variants seen waiting",
            )
            job = wait_for_job(client, created.json()["id"], timeout=240)
            stream_done.set()
            follower.join(60)
            wait_until(
                lambda: value(scrape(client), "easel_sse_subscribers") == 0, "stream uncounted"
            )
            after = scrape(client)
    finally:
        stream_done.set()
        server.stop()
        emulator.stop()

    variants = job["variants"]
    failed = [v for v in variants if v["status"] == "failed"]
    outcomes = [(v["model"], v["status"], v["error"]) for v in variants]
    assert len(failed) == 1 and failed[0]["model"] == PAID, outcomes
    code = failed[0]["error"]["code"]
    paid_cost = sum(Decimal(v["cost_usd"] or "0") for v in variants if v["model"] == PAID)
    assert paid_cost > 0

    def moved(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    duration = "easel_variant_duration_seconds_count"
    assert moved(duration, model=PAID, outcome="succeeded") == 1
    assert moved(duration, model=PAID, outcome="failed") == 1
    assert moved(duration, model=MODEL, outcome="succeeded") == 3
    assert moved("easel_variant_failures_total", model=PAID, code=code) == 1
    assert math.isclose(moved("easel_cost_usd_total", model=PAID), float(paid_cost))
    assert moved("easel_cost_usd_total", model=MODEL) == 0
    assert value(after, "easel_queue_depth", provider="offline") == 0
    assert value(after, "easel_variants_running", provider="offline") == 0
    assert ("easel_webhook_backlog", frozenset()) in after
    # Each stored file is fsynced, and so is the folder it lands in; each folder made for
    # it, once, in its parent (more if two writers made one at once).
    images = data_dir / "images"
    stored = [p for p in images.rglob("*") if ".staging" not in p.relative_to(images).parts]
    files = sum(p.is_file() for p in stored)
    folders = sum(p.is_dir() for p in stored)
    assert files == 2 * (len(variants) - 1)  # each image and its thumbnail
    fsyncs = sum(moved("easel_storage_fsync_seconds_count", target=t) for t in ("file", "folder"))
    assert fsyncs >= 2 * files + folders
    assert moved("easel_storage_fsync_seconds_count", target="file") == files
    assert moved("easel_storage_fsync_seconds_sum", target="folder") > 0
    assert moved("easel_storage_fsync_seconds_sum", target="file") > 0
    latency = "easel_http_request_duration_seconds_count"
    assert moved(latency, method="POST", route="/api/v1/jobs", status="202") == 1
    assert moved(latency, method="GET", route="/api/v1/jobs/{job_id}", status="200") >= 1

    # Every variant's outcome is logged as a JSON line carrying its job and variant.
    records = []
    for line in server.log().splitlines():
        if line.startswith("{"):
            records.append(json.loads(line))
    logged = {r["variant_id"]: r for r in records if r.get("logger") == "easel.ops.metrics"}
    assert set(logged) == {v["id"] for v in variants}
    assert all(r["job_id"] == job["id"] for r in logged.values())
    assert logged[failed[0]["id"]]["message"].startswith("variant failed")
    # uvicorn's own access lines are JSON too.
    assert any(r.get("logger") == "uvicorn.access" for r in records)


def test_readiness_names_unreachable_storage_and_metrics_need_the_token(
    tmp_path: Path,
) -> None:
    closed = f"http://127.0.0.1:{free_port()}"
    env = {
        "EASEL_STORAGE_URL": "s3://easel-images/prefix",
        "EASEL_S3_ENDPOINT": closed,
        "EASEL_S3_ALLOW_HTTP": "true",
        "EASEL_S3_CONNECT_TIMEOUT": "1s",
        "AWS_ACCESS_KEY_ID": "key",
        "AWS_SECRET_ACCESS_KEY": "secret",
        "AWS_REGION": "us-east-1",
        "EASEL_METRICS_TOKEN": "scrape-me",
    }
    server = ServerProcess(tmp_path / "data", env=env)
    try:
        server.start(timeout=START)
        with httpx.Client(base_url=server.url, timeout=30) as client:
            assert client.get("/healthz").status_code == 200  # alive, though not ready
            ready = client.get("/readyz")
            assert client.get("/metrics").status_code == 401
            wrong = client.get("/metrics", headers={"Authorization": "Bearer nope"})
            assert wrong.status_code == 401
            scrape(client, Authorization="Bearer scrape-me")
    finally:
        server.stop()
    assert ready.status_code == 503, ready.text
    assert ready.headers["content-type"] == "application/problem+json"
    problem = ready.json()
    assert problem["down"] == ["storage"]
    assert "storage" in problem["detail"]
    assert problem["checks"]["database"] == "ok"
    # obstore's own retries may outlast the probe's limit; either way it says why.
    reason = problem["checks"]["storage"]
    assert "could not be reached" in reason or "no answer within" in reason, reason


def test_without_a_token_metrics_are_for_local_callers_only(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "data")
    try:
        server.start(timeout=START)
        with httpx.Client(base_url=server.url, timeout=30) as client:
            scrape(client)
            proxied = client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"})
    finally:
        server.stop()
    assert proxied.status_code == 403
    assert "EASEL_METRICS_TOKEN" in proxied.json()["hint"]
