"""Compare winners, the leaderboard they add up to, and the chart series."""

from __future__ import annotations

from datetime import UTC, datetime

from support.client import MODEL, wait_for_job

from .conftest import Studio


def test_pick_a_winner_and_the_leaderboard_counts_it(studio: Studio) -> None:
    with studio.client(studio.alice) as client:
        job = client.post(
            "/api/v1/jobs",
            json={"prompt": "compare probe", "models": [{"model": MODEL, "n": 2}], "size": "64x64"},
        ).json()
        done = wait_for_job(client, job["id"])
        first, second = done["variants"]
        url = f"/api/v1/jobs/{job['id']}/winner"
        job_wide = {"row": None, "column": None}
        assert client.get(url).json() == {
            "job_id": job["id"],
            "variant_id": None,
            "model": None,
            **job_wide,
        }

        picked = client.put(url, json={"variant_id": second["id"]})
        assert picked.status_code == 200
        assert picked.json() == {
            "job_id": job["id"],
            "variant_id": second["id"],
            "model": MODEL,
            **job_wide,
        }
        assert client.get(url).json()["variant_id"] == second["id"]
        assert client.get(f"/api/v1/jobs/{job['id']}").json()["winner_variant_id"] == second["id"]
        board = client.get("/api/v1/leaderboard").json()
        assert board == [{"model": MODEL, "wins": 1, "contests": 1, "win_rate": 1.0}]

        other = client.post(
            "/api/v1/jobs", json={"prompt": "other", "models": [MODEL], "size": "64x64"}
        ).json()
        foreign = wait_for_job(client, other["id"])["variants"][0]["id"]
        missing = client.put(url, json={"variant_id": foreign})
        assert missing.status_code == 404 and missing.json()["field"] == "variant_id"
        assert client.put(url, json={"variant_id": "x" * 40}).status_code == 422
        assert client.put(url, json={"bogus": 1}).status_code == 422

        assert client.put(url, json={"variant_id": None}).json()["variant_id"] is None
        assert client.get("/api/v1/leaderboard").json() == []
        assert client.put(url, json={"variant_id": first["id"]}).status_code == 200
        assert client.put("/api/v1/jobs/nope/winner", json={"variant_id": None}).status_code == 404


def test_spend_and_duration_series(studio: Studio) -> None:
    with studio.client(studio.alice) as client:
        job = client.post(
            "/api/v1/jobs", json={"prompt": "series", "models": [MODEL], "size": "64x64"}
        ).json()
        wait_for_job(client, job["id"])
        days = client.get("/api/v1/stats/spend", params={"days": 7}).json()
        assert len(days) == 7
        assert days[-1]["date"] == datetime.now(UTC).date().isoformat()
        assert days[-1]["images"] >= 1 and days[-1]["cost_usd"] == "0"
        assert [d["date"] for d in days] == sorted(d["date"] for d in days)
        ahead = client.get("/api/v1/stats/spend", params={"days": 1, "tz_offset": 840}).json()
        assert len(ahead) == 1
        assert client.get("/api/v1/stats/spend", params={"days": 0}).status_code == 422
        samples = client.get("/api/v1/stats/durations", params={"per_model": 1}).json()
        (mine,) = [s for s in samples if s["model"] == MODEL]
        assert len(mine["samples_ms"]) == 1 and mine["samples_ms"][0] >= 0
