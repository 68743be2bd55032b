"""One token cannot flood the queue: a per-user limit on waiting variants (429 with
Retry-After), and another user's first variant starts within one slot of the flood."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import httpx
import openai
import pytest

from support.server import ServerProcess, create_token


def queue_job(client: httpx.Client, prompt: str, n: int) -> httpx.Response:
    return client.post(
        "/api/v1/jobs", json={"prompt": prompt, "models": ["offline/procedural"], "n": n}
    )


@pytest.fixture
def api_only(tmp_path: Path) -> Iterator[tuple[ServerProcess, str, str]]:
    """No workers: whatever is queued stays queued."""
    env = {"EASEL_EMBEDDED_WORKERS": "false", "EASEL_MAX_QUEUED_VARIANTS_PER_USER": "10"}
    server = ServerProcess(tmp_path / "data", env=env)
    server.start()
    try:
        yield server, create_token(server.data_dir, "ada"), create_token(server.data_dir, "bo")
    finally:
        server.stop()


def test_one_user_cannot_queue_past_the_limit(api_only: tuple[ServerProcess, str, str]) -> None:
    server, ada, bo = api_only
    with httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {ada}"}) as client:
        assert queue_job(client, "a lighthouse", 8).status_code == 202
        refused = queue_job(client, "a lighthouse", 4)
        assert refused.status_code == 429, refused.text
        assert refused.headers["content-type"] == "application/problem+json"
        assert int(refused.headers["Retry-After"]) > 0
        problem = refused.json()
        assert "8 variants waiting" in problem["detail"] and "at most 10" in problem["detail"]
        assert "max_queued_variants_per_user" in problem["hint"]
        assert queue_job(client, "a lighthouse", 2).status_code == 202  # exactly at the limit
        jobs = client.get("/api/v1/jobs").json()["items"]
        assert sum(len(job["variants"]) for job in jobs) == 10  # the refused job left nothing
    with httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {bo}"}) as client:
        assert queue_job(client, "a windmill", 8).status_code == 202  # others are not held up


def test_openai_clients_see_a_rate_limit_error(api_only: tuple[ServerProcess, str, str]) -> None:
    server, ada, _ = api_only
    with httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {ada}"}) as client:
        assert queue_job(client, "a lighthouse", 8).status_code == 202
        assert queue_job(client, "a lighthouse", 2).status_code == 202
    sdk = openai.OpenAI(base_url=f"{server.url}/v1", api_key=ada, max_retries=0)
    with pytest.raises(openai.RateLimitError) as refused:
        sdk.images.generate(model="offline/procedural", prompt="a lighthouse")
    assert refused.value.response.headers["Retry-After"]
    assert "at most 10" in refused.value.message


def started(variant: dict[str, object]) -> datetime | None:
    value = variant["started_at"]
    return datetime.fromisoformat(str(value)) if value else None


def test_a_second_users_first_variant_starts_within_one_slot_of_a_1000_variant_flood(
    tmp_path: Path,
) -> None:
    # One offline variant at a time, so every start is a turn at the one slot.
    server = ServerProcess(tmp_path / "data", env={"EASEL_OFFLINE_CONCURRENCY": "1"})
    server.start()
    ada, bo = create_token(server.data_dir, "ada"), create_token(server.data_dir, "bo")
    flood = httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {ada}"})
    late = httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {bo}"})
    try:
        flooded = [queue_job(flood, "a field of wheat", 8) for _ in range(125)]
        assert [r.status_code for r in flooded] == [202] * len(flooded), flooded[0].text
        flood_jobs = [r.json()["id"] for r in flooded]
        created = late.post(
            "/api/v1/jobs", json={"prompt": "a red kite", "models": ["offline/procedural"]}
        )
        assert created.status_code == 202
        job_id = created.json()["id"]
        submitted = datetime.fromisoformat(late.get(f"/api/v1/jobs/{job_id}").json()["created_at"])
        with late.stream("GET", f"/api/v1/jobs/{job_id}/events", timeout=120) as events:
            for line in events.iter_lines():
                if line.startswith("event: job.finished"):
                    break
        mine = late.get(f"/api/v1/jobs/{job_id}").json()
        assert mine["variants"][0]["status"] == "succeeded", mine
        my_start = started(mine["variants"][0])
        assert my_start is not None
        waiting_behind = 0
        for flood_job in flood_jobs:
            for variant in flood.get(f"/api/v1/jobs/{flood_job}").json()["variants"]:
                start = started(variant)
                if start is not None and submitted <= start < my_start:
                    waiting_behind += 1
            flood.post(f"/api/v1/jobs/{flood_job}/cancel")
        # At most the flood's variant already granted the slot, then one turn: the next
        # turn is the newcomer's.
        assert waiting_behind <= 2, waiting_behind
        still_queued = sum(
            1
            for flood_job in flood_jobs
            for v in flood.get(f"/api/v1/jobs/{flood_job}").json()["variants"]
            if v["status"] == "canceled"
        )
        assert still_queued > 900  # the flood was really waiting when the newcomer came
    finally:
        flood.close()
        late.close()
        server.stop()
