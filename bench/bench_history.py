"""History listing at 100,000 variants: p95 of GET /api/v1/jobs pages and filters on a
real server over a SQLite file holding 25,000 jobs of 4 variants each."""

from __future__ import annotations

import asyncio
import random
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import httpx
from sqlalchemy import insert

from _common import ServerProcess, create_token, summary
from easel.config import Settings
from easel.db.engine import Database
from easel.db.ids import utcnow
from easel.db.migrate import upgrade
from easel.db.repos import users as user_repo
from easel.db.tables import Job, Variant

JOBS = 25_000
VARIANTS_PER_JOB = 4
MODELS = [
    "offline/procedural",
    "openai/dall-e-3",
    "replicate/flux-schnell",
    "google/imagen-4",
]
WORDS = [
    "red",
    "blue",
    "city",
    "forest",
    "ocean",
    "night",
    "dawn",
    "tower",
    "garden",
    "storm",
    "moon",
    "river",
]
REQUESTS = 200


async def seed(data_dir: Path) -> None:
    settings = Settings(data_dir=data_dir, environ={})
    data_dir.mkdir(parents=True, exist_ok=True)  # noqa: ASYNC240
    await asyncio.to_thread(upgrade, settings.resolved_database_url)
    db = Database(settings.resolved_database_url)
    rng = random.Random(7)
    start = utcnow() - timedelta(days=365)
    async with db.transaction() as session:
        user = await user_repo.get_or_create_user(session, name="bench")
    for batch_start in range(0, JOBS, 2500):
        jobs, variants = [], []
        for i in range(batch_start, batch_start + 2500):
            created = start + timedelta(minutes=21 * i)
            job_id = f"{int(created.timestamp() * 1000):012x}{i:016x}"
            prompt = " ".join(rng.choice(WORDS) for _ in range(8))
            jobs.append(
                {
                    "id": job_id,
                    "user_id": user.id,
                    "prompt": prompt,
                    "negative_prompt": None,
                    "params": {"size": "512x512"},
                    "status": rng.choice(["succeeded"] * 9 + ["failed"]),
                    "favorite": rng.random() < 0.05,
                    "created_at": created,
                    "updated_at": created,
                    "finished_at": created,
                }
            )
            for position in range(VARIANTS_PER_JOB):
                variants.append(
                    {
                        "id": f"{job_id[:12]}{i:012x}{position:04x}",
                        "job_id": job_id,
                        "user_id": user.id,
                        "position": position,
                        "model_id": MODELS[position],
                        "provider_id": MODELS[position].split("/")[0],
                        "params": {"width": 512},
                        "seed": position,
                        "status": "succeeded",
                        "progress": 1.0,
                        "attempts": 1,
                        "queued_at": created,
                        "duration_ms": rng.randint(800, 9000),
                    }
                )
        async with db.transaction() as session:
            await session.execute(insert(Job), jobs)
            await session.execute(insert(Variant), variants)
    await db.dispose()


def timed(client: httpx.Client, path: str, params: dict[str, object]) -> tuple[float, dict]:  # type: ignore[type-arg]
    started = time.perf_counter()
    response = client.get(path, params=params)
    elapsed = (time.perf_counter() - started) * 1000
    response.raise_for_status()
    return elapsed, response.json()


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp) / "data"
        started = time.perf_counter()
        asyncio.run(seed(data_dir))
        print(f"seeded {JOBS * VARIANTS_PER_JOB} variants in {time.perf_counter() - started:.1f} s")
        server = ServerProcess(data_dir)
        server.start()
        try:
            token = create_token(data_dir, "bench")
            with httpx.Client(
                base_url=server.url, timeout=60, headers={"Authorization": f"Bearer {token}"}
            ) as client:
                cases: dict[str, dict[str, object]] = {
                    "first page (50 jobs, 200 variants)": {"limit": 50},
                    "filter by model": {"limit": 50, "model": "openai/dall-e-3"},
                    "filter by status": {"limit": 50, "status": "failed"},
                    "favourites": {"limit": 50, "favorite": "true"},
                    "text in prompt": {"limit": 50, "q": "storm moon"},
                    "date range": {
                        "limit": 50,
                        "since": "2026-03-01T00:00:00Z",
                        "until": "2026-04-01T00:00:00Z",
                    },
                }
                for name, params in cases.items():
                    times = [timed(client, "/api/v1/jobs", params)[0] for _ in range(REQUESTS)]
                    print(summary(name, times))
                # Walk deep into the history with the cursor.
                cursor, times = None, []
                for _ in range(REQUESTS):
                    params = {"limit": 50, **({"before": cursor} if cursor else {})}
                    elapsed, page = timed(client, "/api/v1/jobs", params)
                    times.append(elapsed)
                    cursor = page["next_cursor"]
                print(summary("pages 1-200 by cursor", times))
        finally:
            server.stop()


if __name__ == "__main__":
    main()
