"""What the event log holds: one row per state change, none per progress step."""

from __future__ import annotations

import sqlite3
import time
from collections import Counter

from support.client import MODEL, wait_for_job

from .conftest import Studio


def _rows(studio: Studio, job_id: str) -> Counter[str]:
    path = studio.server.data_dir / "easel.db"
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        rows = conn.execute("SELECT type FROM job_events WHERE job_id = ?", (job_id,)).fetchall()
    return Counter(kind for (kind,) in rows)


def test_each_variant_logs_its_state_changes_and_nothing_else(studio: Studio) -> None:
    with studio.client(studio.alice) as client:
        job_id = client.post(
            "/api/v1/jobs",
            # Submitted asking for previews: every stage of the painter reports one.
            json={"prompt": "three grey herons", "models": [MODEL], "n": 3, "previews": True},
        ).json()["id"]
        job = wait_for_job(client, job_id)
    assert job["status"] == "succeeded"
    assert _rows(studio, job_id) == {
        "job.created": 1,
        "variant.queued": 3,
        "variant.started": 3,
        "variant.succeeded": 3,
        "job.finished": 1,
    }


def test_a_running_variant_shows_its_live_progress(studio: Studio) -> None:
    with studio.client(studio.alice) as client:
        job_id = client.post(
            "/api/v1/jobs",
            json={"prompt": "a slow wide mural", "models": [MODEL], "size": "2048x2048"},
        ).json()["id"]
        seen: list[float] = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            job = client.get(f"/api/v1/jobs/{job_id}").json()
            (variant,) = job["variants"]
            if variant["status"] == "running":
                seen.append(variant["progress"])
            if job["finished_at"]:
                break
            time.sleep(0.02)
    assert variant["status"] == "succeeded" and variant["progress"] == 1
    assert seen == sorted(seen) and any(0 < p < 1 for p in seen), str(seen)
    assert _rows(studio, job_id)["variant.progress"] == 0
