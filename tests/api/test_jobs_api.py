"""The jobs API beyond generation: cancel, retry, favourite, delete, presets, history, stats."""

from __future__ import annotations

import time
from pathlib import Path

import httpx

from support.client import MODEL, wait_for_job

from .conftest import Studio


def _create(client: httpx.Client, **spec: object) -> dict:  # type: ignore[type-arg]
    body = {"prompt": "a paper boat", "models": [MODEL], "size": "128x128", **spec}
    response = client.post("/api/v1/jobs", json=body)
    assert response.status_code == 202, response.text
    return response.json()  # type: ignore[no-any-return]


def test_cancel_a_running_variant_then_retry_it(studio: Studio) -> None:
    with studio.client(studio.alice) as client:
        job = _create(client, n=3, size="2048x2048", prompt="a slow, detailed cathedral")
        deadline = time.monotonic() + 30
        while True:
            state = client.get(f"/api/v1/jobs/{job['id']}").json()
            running = [v for v in state["variants"] if v["status"] == "running"]
            if running:
                break
            assert time.monotonic() < deadline, state
            time.sleep(0.02)
        target = running[0]["id"]
        canceled = client.post(f"/api/v1/jobs/{job['id']}/variants/{target}/cancel").json()
        assert {v["id"]: v["status"] for v in canceled["variants"]}[target] == "canceled"
        # Cancel the rest of the job too; then retry the first one alone.
        client.post(f"/api/v1/jobs/{job['id']}/cancel").raise_for_status()
        finished = wait_for_job(client, job["id"])
        assert finished["status"] in ("canceled", "partial")
        assert all(v["status"] in ("canceled", "succeeded") for v in finished["variants"])
        retried = client.post(f"/api/v1/jobs/{job['id']}/variants/{target}/retry")
        assert retried.status_code == 200
        final = wait_for_job(client, job["id"], timeout=90)
        status = {v["id"]: v for v in final["variants"]}[target]
        assert status["status"] == "succeeded" and status["image"] is not None


def test_favourite_filters_and_keyset_pages(studio: Studio) -> None:
    with studio.client(studio.bob) as client:
        made = [_create(client, prompt=f"numbered lantern {i}")["id"] for i in range(5)]
        for job_id in made:
            wait_for_job(client, job_id)
        client.put(f"/api/v1/jobs/{made[1]}/favorite", json={"favorite": True}).raise_for_status()

        pages, totals, cursor = [], [], None
        while True:
            params: dict[str, object] = {"limit": 2, "q": "numbered lantern"}
            if cursor:
                params["before"] = cursor
            page = client.get("/api/v1/jobs", params=params).json()
            pages.append([j["id"] for j in page["items"]])
            totals.append(page["total"])
            cursor = page["next_cursor"]
            if not cursor:
                break
        listed = [job_id for page in pages for job_id in page]
        assert listed == list(reversed(made)), "newest first, every job once"
        assert totals == [5, None, None], "the exact count comes with the first page"

        favourites = client.get("/api/v1/jobs", params={"favorite": "true"}).json()["items"]
        assert [j["id"] for j in favourites] == [made[1]]
        favourite_page = client.get("/api/v1/jobs", params={"favorite": "true", "q": "lantern"})
        assert favourite_page.json()["total"] == 1
        assert client.get("/api/v1/jobs", params={"model": "nope/x"}).json()["items"] == []
        by_model = client.get("/api/v1/jobs", params={"model": MODEL, "limit": 200}).json()
        assert set(made) <= {j["id"] for j in by_model["items"]}
        future = client.get("/api/v1/jobs", params={"since": "2999-01-01T00:00:00Z"}).json()
        assert future["items"] == []
        failed = client.get("/api/v1/jobs", params={"status": "failed"}).json()
        assert failed["items"] == []
        # A unique start of an id finds that job alone (the CLI resolves prefixes so).
        prefix = next(made[2][:n] for n in range(12, 29) if not made[1].startswith(made[2][:n]))
        by_prefix = client.get("/api/v1/jobs", params={"id_prefix": prefix}).json()["items"]
        assert [j["id"] for j in by_prefix] == [made[2]]
    with studio.client(studio.alice) as other:
        theirs = other.get("/api/v1/jobs", params={"id_prefix": made[2]}).json()
        assert theirs["items"] == [], "a prefix never reaches another user's jobs"
        bad = other.get("/api/v1/jobs", params={"id_prefix": "zz%"})
        assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "id_prefix"


def test_delete_keeps_files_another_job_shares(studio: Studio) -> None:
    images_dir = studio.server.data_dir / "images"
    with studio.client(studio.alice) as client:
        same = {"prompt": "identical twins", "seed": 5}
        first = wait_for_job(client, _create(client, **same)["id"])
        second = wait_for_job(client, _create(client, **same)["id"])
        sha = first["variants"][0]["image"]["sha256"]
        assert second["variants"][0]["image"]["sha256"] == sha, "same generation, same file"
        stored = list(images_dir.rglob(f"{sha}.*"))
        assert len(stored) == 2  # the original and its thumbnail, once

        assert client.delete(f"/api/v1/jobs/{first['id']}").status_code == 204
        assert client.get(f"/api/v1/jobs/{first['id']}").status_code == 404
        assert client.get(second["variants"][0]["image"]["url"]).status_code == 200
        assert all(p.exists() for p in stored)

        assert client.delete(f"/api/v1/jobs/{second['id']}").status_code == 204
        assert client.get(second["variants"][0]["image"]["url"]).status_code == 404
        # Nothing refers to the file now: the collector removes it.
        deadline = time.monotonic() + 15
        while any(p.exists() for p in stored):
            assert time.monotonic() < deadline, "the unreferenced files were never collected"
            time.sleep(0.1)


def test_presets_crud_and_jobs_from_presets_with_overrides(studio: Studio) -> None:
    with studio.client(studio.alice) as client:
        created = client.post(
            "/api/v1/presets",
            json={
                "name": "wide dusk",
                "models": [MODEL],
                "params": {"n": 2, "aspect_ratio": "16:9", "style": "landscape"},
            },
        )
        assert created.status_code == 201, created.text
        preset = created.json()
        duplicate = client.post("/api/v1/presets", json={"name": "wide dusk", "models": [MODEL]})
        assert duplicate.status_code == 409
        updated = client.put(
            f"/api/v1/presets/{preset['id']}",
            json={
                "name": "wide dusk",
                "models": [MODEL],
                "params": {"n": 2, "aspect_ratio": "21:9", "style": "landscape"},
            },
        ).json()
        assert updated["params"]["aspect_ratio"] == "21:9"
        assert [p["name"] for p in client.get("/api/v1/presets").json()] == ["wide dusk"]

        job = client.post(
            "/api/v1/jobs",
            json={"prompt": "harbour at dusk", "preset_id": preset["id"], "n": 1},
        ).json()
        done = wait_for_job(client, job["id"])
        assert len(done["variants"]) == 1, "the override n=1 wins over the preset's n=2"
        variant = done["variants"][0]
        assert variant["params"]["aspect_ratio"] == "21:9"
        assert variant["params"]["style"] == "landscape"
        assert variant["image"]["width"] > variant["image"]["height"]
        assert done["preset_id"] == preset["id"]

        assert client.delete(f"/api/v1/presets/{preset['id']}").status_code == 204
        assert client.get(f"/api/v1/presets/{preset['id']}").status_code == 404


def test_model_stats(tmp_path: Path) -> None:
    from support.server import ServerProcess, create_token

    server = ServerProcess(tmp_path / "data")
    server.start()
    try:
        token = create_token(server.data_dir, "dora")
        with httpx.Client(
            base_url=server.url, headers={"Authorization": f"Bearer {token}"}, timeout=30
        ) as client:
            job = _create(client, n=4)
            wait_for_job(client, job["id"])
            stats = client.get("/api/v1/stats/models").json()
    finally:
        server.stop()
    assert len(stats) == 1
    row = stats[0]
    assert row["model"] == MODEL and row["count"] == 4 and row["succeeded"] == 4
    assert row["success_rate"] == 1.0
    assert 0 < row["p50_ms"] <= row["p95_ms"]
    assert row["total_cost_usd"] == "0"


def test_idle_streams_send_keepalive_pings(tmp_path: Path) -> None:
    from support.server import ServerProcess, create_token

    server = ServerProcess(tmp_path / "data", env={"EASEL_SSE_PING_SECONDS": "0.3"})
    server.start()
    try:
        token = create_token(server.data_dir, "eve")
        lines = []
        with (
            httpx.Client(
                base_url=server.url, headers={"Authorization": f"Bearer {token}"}, timeout=10
            ) as client,
            client.stream("GET", "/api/v1/events") as stream,
        ):
            for line in stream.iter_lines():
                lines.append(line)
                if len([entry for entry in lines if entry.startswith(":")]) >= 2:
                    break
    finally:
        server.stop()
    assert any(line.startswith(": ping") for line in lines), lines
