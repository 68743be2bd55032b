"""The whole studio on PostgreSQL: generate, stream, crash and resume."""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path

import httpx

from support.client import MODEL, collect_events, state_changes, wait_for_job
from support.databases import postgres_url
from support.server import ServerProcess, create_token


async def test_a_server_on_postgres_generates_streams_and_survives_sigkill(tmp_path: Path) -> None:
    async with postgres_url() as url:
        env = {"EASEL_DATABASE_URL": url, "EASEL_OFFLINE_CONCURRENCY": "1"}
        server = ServerProcess(tmp_path / "data", env=env)
        server.start()
        try:
            token = await asyncio.to_thread(create_token, tmp_path / "data", "pat", url)
            headers = {"Authorization": f"Bearer {token}"}
            async with httpx.AsyncClient(
                base_url=server.url, headers=headers, timeout=30
            ) as client:
                job = (
                    await client.post(
                        "/api/v1/jobs",
                        json={
                            "prompt": "a glass harbour at dusk",
                            "models": [MODEL],
                            "n": 4,
                            "size": "1024x1024",
                            "seed": 3,
                        },
                    )
                ).json()
                seen = await collect_events(client, job["events_url"], stop_after=6)
            assert "job.finished" not in [e.event for e in seen], "kill before the job ends"
            server.kill()
            server.start()
            async with httpx.AsyncClient(
                base_url=server.url, headers=headers, timeout=30
            ) as client:
                rest = await collect_events(
                    client, job["events_url"], last_event_id=seen[-1].id, timeout=120
                )
                everything = await collect_events(client, job["events_url"])
            with httpx.Client(base_url=server.url, headers=headers, timeout=30) as sync:
                final = wait_for_job(sync, job["id"])
        finally:
            server.stop()
    assert state_changes(seen + rest) == state_changes(everything)
    kinds = Counter(e.event for e in everything)
    assert kinds["variant.succeeded"] == 4 and kinds["job.finished"] == 1
    assert final["status"] == "succeeded"
    assert len({v["image"]["sha256"] for v in final["variants"]}) == 4
