"""Many remote tasks in flight at once: a variant waiting on a remote task holds neither
the queue's in-flight slot nor the provider's concurrency slot, and polls back off with
the time the task has taken."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import httpx

from emulators.bfl import BFLEmulator
from support.server import ServerProcess, create_token

QUEUE_CAP = 256
"""The in-process queue's cap on variants being worked on at once."""
JOBS = 38
MODELS = [{"model": "bfl/flux-pro-1.1", "n": 4}, {"model": "bfl/flux-pro-1.1-ultra", "n": 4}]
VARIANTS = JOBS * 8
POLL_FLOOR = 0.05


async def _submit(client: httpx.AsyncClient) -> list[str]:
    urls = []
    for i in range(JOBS):
        response = await client.post(
            "/api/v1/jobs",
            json={"prompt": f"a field of poppies, take {i}", "models": MODELS, "seed": i},
        )
        assert response.status_code == 202, response.text
        urls.append(response.json()["url"])
    return urls


async def _until(condition: Callable[[], bool], what: str, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.1)


async def test_hundreds_of_remote_tasks_wait_at_once_with_four_creation_slots(
    tmp_path: Path,
) -> None:
    with BFLEmulator() as bfl:
        bfl.state.task_seconds = 3600.0  # nothing finishes until every task exists
        env = {
            **bfl.easel_env(),
            "EASEL_PROVIDERS__BFL__CONCURRENCY": "4",
            "EASEL_POLL_INTERVAL_SECONDS": str(POLL_FLOOR),
        }
        server = ServerProcess(tmp_path / "data", env=env)
        server.start()
        try:
            token = await asyncio.to_thread(create_token, server.data_dir, "pat")
            headers = {"Authorization": f"Bearer {token}"}
            async with httpx.AsyncClient(
                base_url=server.url, headers=headers, timeout=60
            ) as client:
                started = time.monotonic()
                urls = await _submit(client)
                await _until(lambda: bfl.total_creations == VARIANTS, "every task to be made")
                # Every variant waits on its remote task now: more than the queue's cap.
                in_flight = bfl.peak_in_flight()
                for task in list(bfl.tasks.values()):
                    task.seconds = 0.0
                jobs = []
                for url in urls:
                    while not (job := (await client.get(url)).json())["finished_at"]:
                        await asyncio.sleep(0.25)
                    jobs.append(job)
                elapsed = time.monotonic() - started
        finally:
            server.stop()
    statuses = Counter(v["status"] for job in jobs for v in job["variants"])
    assert statuses == {"succeeded": VARIANTS}, (statuses, server.log()[-3000:])
    assert in_flight == VARIANTS > QUEUE_CAP
    # Never more than four generations being created at once: the provider's limit.
    assert 1 <= bfl.peak_creating <= 4
    # Polls back off with the time a task has taken: a tenth of what polling at the
    # floor interval for as long would have cost.
    assert bfl.state.polls / VARIANTS < elapsed / POLL_FLOOR / 10, (bfl.state.polls, elapsed)
