"""`easel worker`'s metrics listener, on a real worker process beside an API server that
runs no workers: the series of the variants it ran are scraped from the worker (and are
not on the API), behind the metrics token."""

from __future__ import annotations

import math
from decimal import Decimal
from pathlib import Path

import httpx

from emulators.openai import OpenAIEmulator
from support.client import wait_for_job
from support.cluster import WorkerProcess
from support.databases import sqlite_url
from support.metrics import scrape, value
from support.server import FAST_PROVIDERS, ServerProcess, create_token, free_port

PAID = "openai/gpt-image-2"
START = 480.0  # the shared machine can take minutes to import everything
TOKEN = "m3trics-9f2c71d8"


def test_a_worker_serves_the_metrics_of_the_variants_it_ran(tmp_path: Path) -> None:
    emulator = OpenAIEmulator()
    emulator.start()
    data_dir = tmp_path / "data"
    port = free_port()
    env = {
        **emulator.easel_env(),
        **FAST_PROVIDERS,
        # Generous: a busy machine must not turn this into a test of timeouts.
        "EASEL_PROVIDER_TIMEOUT_SECONDS": "120",
        "EASEL_STORAGE_URL": (tmp_path / "images").as_uri(),
        "EASEL_METRICS_TOKEN": TOKEN,
    }
    server = ServerProcess(data_dir, env={**env, "EASEL_EMBEDDED_WORKERS": "false"})
    worker = WorkerProcess(
        tmp_path / "worker",
        {
            **env,
            # The server's database: its reconciler finds the variants the API queued.
            "EASEL_DATABASE_URL": sqlite_url(data_dir),
            "EASEL_RECONCILE_INTERVAL_SECONDS": "0.5",
            "EASEL_WORKER_METRICS_PORT": str(port),
        },
        "worker",
    )
    auth = {"Authorization": f"Bearer {TOKEN}"}
    try:
        server.start(timeout=START)
        worker.launch()
        worker.wait_started(timeout=START)
        headers = {"Authorization": f"Bearer {create_token(data_dir, 'wendy')}"}
        with (
            httpx.Client(base_url=server.url, headers=headers, timeout=30) as api,
            httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as metrics,
        ):
            assert metrics.get("/metrics").status_code == 401
            before = scrape(metrics, **auth)
            emulator.inject("moderation")  # the first variant is refused
            body = {"prompt": "a lighthouse at dusk", "models": [{"model": PAID, "n": 2}]}
            created = api.post("/api/v1/jobs", json={**body, "size": "1024x640"})
            assert created.status_code == 202, created.text
            job = wait_for_job(api, created.json()["id"], timeout=240)
            after = scrape(metrics, **auth)
            on_api = scrape(api, **auth)
    finally:
        worker.stop()
        server.stop()
        emulator.stop()

    variants = job["variants"]
    failed = [v for v in variants if v["status"] == "failed"]
    assert len(failed) == 1, [(v["status"], v["error"]) for v in variants]
    code = failed[0]["error"]["code"]
    cost = sum(Decimal(v["cost_usd"] or "0") for v in variants)
    assert cost > 0

    def moved(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    duration = "easel_variant_duration_seconds_count"
    assert moved(duration, model=PAID, outcome="succeeded") == 1
    assert moved(duration, model=PAID, outcome="failed") == 1
    assert moved("easel_variant_failures_total", model=PAID, code=code) == 1
    assert math.isclose(moved("easel_cost_usd_total", model=PAID), float(cost))
    assert value(after, "easel_variants_running", provider="openai") == 0
    assert value(after, "process_resident_memory_bytes") > 0
    # The API ran none of them, so its own series did not move.
    assert value(on_api, duration, model=PAID, outcome="succeeded") == 0
    assert "metrics on http://127.0.0.1" in worker.log()
