"""Compare grids: one job whose variants form a grid of one axis by another, run on the
offline engine alone; their cells and labels in the API, validation, the bound on cells,
and winners per row, column and cell."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx

from support.client import MODEL, wait_for_job
from support.server import ServerProcess, create_token

from .conftest import Studio

SIZE = "128x128"


def _post(client: httpx.Client, body: dict[str, Any]) -> httpx.Response:
    """Small images, unless the grid's axes set the size."""
    axes = [a.get("axis") for a in (body.get("grid") or {}).values()]
    return client.post("/api/v1/jobs", json=body if "size" in axes else {"size": SIZE, **body})


def _grid_job(client: httpx.Client, body: dict[str, Any]) -> dict[str, Any]:
    created = _post(client, body)
    assert created.status_code == 202, created.text
    return wait_for_job(client, created.json()["id"])


def _image_of(client: httpx.Client, body: dict[str, Any]) -> str:
    """The sha256 of a plain one-image job: what a grid cell with these settings must be."""
    done = _grid_job(client, {"models": [MODEL], **body})
    (variant,) = done["variants"]
    assert variant["status"] == "succeeded", variant
    return str(variant["image"]["sha256"])


def test_styles_by_seeds_grid_expands_to_labelled_cells(studio: Studio) -> None:
    with studio.client(studio.alice) as client:
        job = _grid_job(
            client,
            {
                "prompt": "a lighthouse on a cliff",
                "models": [MODEL],
                "grid": {
                    "x": {"axis": "seed", "values": [7, 8, 9]},
                    "y": {"axis": "style", "values": ["watercolor", "mosaic"]},
                },
            },
        )
        assert job["status"] == "succeeded"
        assert job["grid"] == {
            "x": {"axis": "seed", "values": [7, 8, 9], "labels": ["seed 7", "seed 8", "seed 9"]},
            "y": {
                "axis": "style",
                "values": ["watercolor", "mosaic"],
                "labels": ["watercolor", "mosaic"],
            },
        }
        assert "grid" not in job["params"]
        cells = [
            (v["cell"]["row"], v["cell"]["column"], v["seed"], v["params"]["style"])
            for v in job["variants"]
        ]
        assert cells == [
            (row, column, seed, style)
            for row, style in enumerate(["watercolor", "mosaic"])
            for column, seed in enumerate([7, 8, 9])
        ]
        assert [v["position"] for v in job["variants"]] == list(range(6))
        first = job["variants"][4]
        assert first["cell"] == {
            "column": 1,
            "row": 1,
            "column_label": "seed 8",
            "row_label": "mosaic",
        }
        assert "cell" not in first["params"]
        # Each cell holds exactly the image a plain job with its settings makes.
        expected = _image_of(
            client, {"prompt": "a lighthouse on a cliff", "seed": 8, "style": "mosaic"}
        )
        assert first["image"]["sha256"] == expected
        assert len({v["image"]["sha256"] for v in job["variants"]}) == 6

        # The layout is kept with the job: history lists it the same way.
        listed = client.get("/api/v1/jobs", params={"limit": 5}).json()["items"]
        again = next(j for j in listed if j["id"] == job["id"])
        assert again["grid"] == job["grid"]
        assert [v["cell"] for v in again["variants"]] == [v["cell"] for v in job["variants"]]


def test_prompts_by_seeds_grid_gives_each_row_its_prompt(studio: Studio) -> None:
    prompts = ["a small blue boat on a lake", "a red kite over a field"]
    with studio.client(studio.alice) as client:
        job = _grid_job(
            client,
            {
                "models": [MODEL],
                "grid": {
                    "x": {"axis": "seed", "values": [1, 2]},
                    "y": {"axis": "prompt", "values": prompts},
                },
            },
        )
        assert job["prompt"] == " · ".join(prompts)
        assert [v["params"]["prompt"] for v in job["variants"]] == [
            p for p in prompts for _ in (1, 2)
        ]
        assert [v["cell"]["row_label"] for v in job["variants"]] == [
            p for p in prompts for _ in (1, 2)
        ]
        kite = job["variants"][3]
        assert kite["seed"] == 2
        assert kite["image"]["sha256"] == _image_of(client, {"prompt": prompts[1], "seed": 2})
        image = client.get(kite["image"]["url"])
        assert prompts[1].encode() in image.content  # the PNG metadata names the cell's prompt


def test_a_grid_without_a_seeds_axis_shares_one_seed(studio: Studio) -> None:
    with studio.client(studio.alice) as client:
        job = _grid_job(
            client,
            {
                "prompt": "a castle",
                "models": [MODEL],
                "n": 2,
                "grid": {"x": {"axis": "size", "values": ["128x128", "16:9"]}},
            },
        )
        assert [v["cell"]["column"] for v in job["variants"]] == [0, 0, 1, 1]
        seeds = [v["seed"] for v in job["variants"]]
        assert seeds[0] == seeds[2] and seeds[1] == seeds[3] == seeds[0] + 1
        assert job["variants"][2]["params"]["aspect_ratio"] == "16:9"
        assert (job["variants"][0]["params"]["width"], job["variants"][0]["params"]["height"]) == (
            128,
            128,
        )


def _problem(response: httpx.Response, status: int = 422) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    return dict(response.json())


def test_grid_values_are_checked_against_the_model(studio: Studio) -> None:
    base = {"prompt": "a tree", "models": [MODEL]}
    with studio.client(studio.alice) as client:
        style = _problem(
            _post(
                client,
                {**base, "grid": {"x": {"axis": "style", "values": ["watercolor", "cubist"]}}},
            )
        )
        assert style["field"] == "grid.x.values"
        assert "Grid column 2" in style["detail"] and "cubist" in style["detail"]
        assert "watercolor" in style["allowed"] and "mosaic" in style["allowed"]

        quality = _problem(
            _post(
                client,
                {
                    **base,
                    "grid": {
                        "x": {"axis": "seed", "values": [1]},
                        "y": {"axis": "quality", "values": ["hd"]},
                    },
                },
            )
        )
        assert quality["field"] == "grid.y.values" and "Grid row 1" in quality["detail"]
        assert quality["allowed"] == []

        model = _problem(
            _post(
                client,
                {
                    "prompt": "a tree",
                    "grid": {"x": {"axis": "model", "values": [MODEL, "acme/nope"]}},
                },
            )
        )
        assert model["field"] == "grid.x.values" and MODEL in model["allowed"]

        size = _problem(_post(client, {**base, "grid": {"x": {"axis": "size", "values": ["5:7"]}}}))
        assert size["field"] == "grid.x.values" and "16:9" in size["allowed"]
        not_a_size = _problem(
            _post(client, {**base, "grid": {"x": {"axis": "size", "values": ["big"]}}})
        )
        assert "WIDTHxHEIGHT" in not_a_size["detail"]

        seed = _problem(
            _post(client, {**base, "grid": {"x": {"axis": "seed", "values": [1, "two"]}}})
        )
        assert seed["status"] == 422
        repeated = _problem(
            _post(client, {**base, "grid": {"x": {"axis": "seed", "values": [3, 3]}}})
        )
        assert "repeats 3" in repeated["detail"]

        same = _problem(
            _post(
                client,
                {
                    **base,
                    "grid": {
                        "x": {"axis": "seed", "values": [1]},
                        "y": {"axis": "seed", "values": [2]},
                    },
                },
            )
        )
        assert "two different axes" in same["detail"]
        unknown = _problem(
            _post(client, {**base, "grid": {"x": {"axis": "colour", "values": ["red"]}}})
        )
        assert "style" in unknown["detail"] and "prompt" in unknown["detail"]

        twice = _problem(
            _post(client, {**base, "seed": 5, "grid": {"x": {"axis": "seed", "values": [1]}}})
        )
        assert twice["field"] == "seed" and "leave seed out" in twice["detail"]
        no_prompt = _problem(
            _post(client, {"models": [MODEL], "grid": {"x": {"axis": "seed", "values": [1]}}})
        )
        assert no_prompt["field"] == "prompt" and "prompt is missing" in no_prompt["detail"]


def test_the_cell_count_is_bounded(studio: Studio) -> None:
    grid = {
        "x": {"axis": "seed", "values": list(range(8))},
        "y": {"axis": "style", "values": ["watercolor", "mosaic"]},
    }
    with studio.client(studio.alice) as client:
        before = len(client.get("/api/v1/jobs", params={"limit": 200}).json()["items"])
        too_many = _problem(
            _post(client, {"prompt": "a cat", "models": [MODEL], "n": 3, "grid": grid})
        )
        assert too_many["field"] == "grid"
        assert (
            "2 row(s) × 8 column(s) × 3 image(s) = 48 images; the limit is 32" in too_many["detail"]
        )
        wide = {"x": {"axis": "seed", "values": list(range(17))}}
        assert (
            _post(client, {"prompt": "a cat", "models": [MODEL], "grid": wide}).status_code == 422
        )
        # Nothing was queued for either.
        assert len(client.get("/api/v1/jobs", params={"limit": 200}).json()["items"]) == before


def test_winners_per_row_column_and_cell(studio: Studio) -> None:
    with studio.client(studio.alice) as client, studio.client(studio.bob) as other:
        job = _grid_job(
            client,
            {
                "prompt": "a windmill",
                "models": [MODEL],
                "grid": {
                    "x": {"axis": "seed", "values": [1, 2]},
                    "y": {"axis": "style", "values": ["watercolor", "mosaic"]},
                },
            },
        )
        by_cell = {(v["cell"]["row"], v["cell"]["column"]): v["id"] for v in job["variants"]}
        url = f"/api/v1/jobs/{job['id']}/winner"
        row = client.put(url, json={"variant_id": by_cell[(1, 0)], "row": 1})
        assert row.status_code == 200, row.text
        assert row.json() == {
            "job_id": job["id"],
            "variant_id": by_cell[(1, 0)],
            "model": MODEL,
            "row": 1,
            "column": None,
        }
        column = client.put(url, json={"variant_id": by_cell[(0, 1)], "column": 1}).json()
        assert column["column"] == 1 and column["row"] is None
        cell = client.put(url, json={"variant_id": by_cell[(0, 0)], "row": 0, "column": 0}).json()
        assert cell["variant_id"] == by_cell[(0, 0)]

        # Each pick is a contest of the models in its row, column or cell.
        board = client.get("/api/v1/leaderboard").json()
        assert board == [{"model": MODEL, "wins": 3, "contests": 3, "win_rate": 1.0}]
        assert other.get("/api/v1/leaderboard").json() == []

        assert client.get(url, params={"row": 1}).json()["variant_id"] == by_cell[(1, 0)]
        assert client.get(url, params={"row": 0}).json()["variant_id"] is None
        assert client.get(url).json()["variant_id"] is None  # the job-wide pick is its own
        picks = client.get(f"/api/v1/jobs/{job['id']}/winners").json()
        assert {(p["row"], p["column"]): p["variant_id"] for p in picks} == {
            (1, None): by_cell[(1, 0)],
            (None, 1): by_cell[(0, 1)],
            (0, 0): by_cell[(0, 0)],
        }

        outside = _problem(client.put(url, json={"variant_id": by_cell[(0, 0)], "row": 1}))
        assert outside["field"] == "variant_id" and "row 1" in outside["detail"]
        beyond = _problem(client.put(url, json={"variant_id": None, "row": 2}))
        assert beyond["field"] == "row" and beyond["allowed"] == ["0", "1"]
        assert other.put(url, json={"variant_id": None, "row": 0}).status_code == 404
        assert other.get(f"/api/v1/jobs/{job['id']}/winners").status_code == 404

        plain = _grid_job(client, {"prompt": "plain", "models": [MODEL]})
        not_grid = _problem(
            client.put(f"/api/v1/jobs/{plain['id']}/winner", json={"variant_id": None, "row": 0}),
            409,
        )
        assert "not a compare grid" in not_grid["detail"]

        # Clearing a row's pick leaves the others.
        cleared = client.put(url, json={"variant_id": None, "row": 1}).json()
        assert cleared["variant_id"] is None
        left = client.get(f"/api/v1/jobs/{job['id']}/winners").json()
        assert sorted((p["row"], p["column"]) for p in left if p["row"] is not None) == [(0, 0)]
        assert len(left) == 2

        assert client.get("/api/v1/leaderboard").json()[0]["wins"] == 2

        # Deleting the job takes its picks with it.
        assert client.delete(f"/api/v1/jobs/{job['id']}").status_code == 204
        assert client.get("/api/v1/leaderboard").json() == []
        assert client.get(f"/api/v1/jobs/{job['id']}/winners").status_code == 404


def test_a_grid_survives_a_crash_with_its_cells_and_prompts(tmp_path: Path) -> None:
    """SIGKILL the server once the grid's first image is done: after a restart the rest
    of the grid runs with each cell's own prompt, and the layout and picks are as before."""
    data_dir = tmp_path / "data"
    server = ServerProcess(data_dir, env={"EASEL_OFFLINE_CONCURRENCY": "1"})
    server.start()
    token = create_token(data_dir, "carol")
    prompts = ["a green bicycle by a wall", "a lighthouse at night", "a bowl of fruit"]
    headers = {"Authorization": f"Bearer {token}"}
    try:
        with httpx.Client(base_url=server.url, headers=headers, timeout=30) as client:
            created = _post(
                client,
                {
                    "models": [MODEL],
                    "size": "768x768",
                    "grid": {
                        "x": {"axis": "seed", "values": [3, 4]},
                        "y": {"axis": "prompt", "values": prompts},
                    },
                },
            )
            job_id = created.json()["id"]
            first = wait_for_job(client, job_id, done=("running", "partial"))
            while not any(v["status"] == "succeeded" for v in first["variants"]):
                time.sleep(0.05)
                first = client.get(f"/api/v1/jobs/{job_id}").json()
            picked = next(v for v in first["variants"] if v["status"] == "succeeded")
            row = picked["cell"]["row"]
            pick = {"variant_id": picked["id"], "row": row}
            assert client.put(f"/api/v1/jobs/{job_id}/winner", json=pick).status_code == 200
        server.kill()

        server.start()
        with httpx.Client(base_url=server.url, headers=headers, timeout=30) as client:
            after = wait_for_job(client, job_id, timeout=180)
            assert after["status"] == "succeeded"
            assert after["grid"] == first["grid"]
            assert [v["cell"] for v in after["variants"]] == [v["cell"] for v in first["variants"]]
            winner = client.get(f"/api/v1/jobs/{job_id}/winner", params={"row": row}).json()
            assert winner["variant_id"] == picked["id"]
            last = after["variants"][-1]
            assert (last["params"]["prompt"], last["seed"]) == (prompts[2], 4)
            plain = _grid_job(
                client, {"prompt": prompts[2], "models": [MODEL], "size": "768x768", "seed": 4}
            )
            assert last["image"]["sha256"] == plain["variants"][0]["image"]["sha256"]
    finally:
        server.stop()
