"""SIGKILL the server mid-job; after a restart the job completes with no variant lost or
generated twice."""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

import httpx

from support.client import MODEL, wait_for_job
from support.server import ServerProcess, create_token


def _wait_until(client: httpx.Client, job_id: str, predicate: object, timeout: float = 60) -> dict:  # type: ignore[type-arg]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = client.get(f"/api/v1/jobs/{job_id}").json()
        if predicate(job):  # type: ignore[operator]
            return job  # type: ignore[no-any-return]
        time.sleep(0.05)
    raise AssertionError(f"condition not reached: {job}")


def test_sigkill_mid_job_then_restart_completes_every_variant(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    # One variant at a time, so the kill lands with some done, one running, some queued.
    # The lease is far longer than the test may take: the restarted server must see that
    # the process holding it is gone instead of waiting for it to lapse.
    env = {"EASEL_OFFLINE_CONCURRENCY": "1", "EASEL_LEASE_SECONDS": "600"}
    server = ServerProcess(data_dir, env=env)
    server.start()
    token = create_token(data_dir, "carol")
    headers = {"Authorization": f"Bearer {token}"}
    try:
        with httpx.Client(base_url=server.url, headers=headers, timeout=30) as client:
            job = client.post(
                "/api/v1/jobs",
                json={
                    "prompt": "a city of brass towers under two suns",
                    "models": [MODEL],
                    "n": 6,
                    "size": "1024x1024",
                    "seed": 100,
                },
            ).json()

            def mid_job(j: dict) -> bool:  # type: ignore[type-arg]
                statuses = Counter(v["status"] for v in j["variants"])
                return statuses["succeeded"] >= 1 and statuses["running"] == 1

            before = _wait_until(client, job["id"], mid_job)
        server.kill()
        done_before = {v["id"] for v in before["variants"] if v["status"] == "succeeded"}
        assert 1 <= len(done_before) < 6

        server.start()
        with httpx.Client(base_url=server.url, headers=headers, timeout=30) as client:
            after = wait_for_job(client, job["id"], timeout=120)
            events = [
                line
                for line in client.get(job["events_url"]).text.splitlines()
                if line.startswith("event: ")
            ]
    finally:
        server.stop()

    assert after["status"] == "succeeded", after
    assert len(after["variants"]) == 6
    assert sorted(v["seed"] for v in after["variants"]) == list(range(100, 106))
    assert all(v["image"] is not None for v in after["variants"])
    # Each variant succeeded exactly once, and the finished ones were not redone.
    assert Counter(events)["event: variant.succeeded"] == 6
    assert Counter(events)["event: job.finished"] == 1
    for variant in after["variants"]:
        if variant["id"] in done_before:
            assert variant["attempts"] == 1
    assert len({v["image"]["sha256"] for v in after["variants"]}) == 6
    resumed = [v for v in after["variants"] if v["attempts"] == 2]
    assert resumed, "the variant running at the kill should have been resumed"
