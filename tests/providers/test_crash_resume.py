"""SIGKILL the server while 20 hosted variants are being polled; after a restart on the
same data dir every variant completes, and no remote task was created twice: the saved
task is resumed, never re-created (and never paid for again)."""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

import httpx

from emulators.bfl import BFLEmulator
from emulators.fal import FalEmulator
from emulators.replicate import ReplicateEmulator
from support.client import wait_for_job
from support.server import ServerProcess, create_token

# model → (the emulator's name for it, variants)
MIX = {
    "replicate/flux-schnell": ("black-forest-labs/flux-schnell", 4),
    "replicate/flux-2-pro": ("black-forest-labs/flux-2-pro", 3),
    "bfl/flux-2-pro": ("flux-2-pro", 4),
    "bfl/flux-pro-1.1-ultra": ("flux-pro-1.1-ultra", 3),
    "fal/flux-2-pro": ("fal-ai/flux-2-pro", 3),
    "fal/flux-dev": ("fal-ai/flux/dev", 3),
}
TOTAL = sum(n for _, n in MIX.values())


def test_sigkill_while_polling_then_restart_resumes_every_remote_task(tmp_path: Path) -> None:
    replicate, bfl, fal = ReplicateEmulator(), BFLEmulator(), FalEmulator()
    emulators = (replicate, bfl, fal)
    env = {
        "EASEL_POLL_INTERVAL_SECONDS": "0.05",
        "EASEL_RETRY_BASE_SECONDS": "0.05",
        "EASEL_RETRY_MAX_SECONDS": "0.2",
        "EASEL_PROVIDER_TIMEOUT_SECONDS": "2",
        "EASEL_LEASE_SECONDS": "2",
        "EASEL_DEFAULT_PROVIDER_CONCURRENCY": "10",  # every variant in flight at once
    }
    for emulator in emulators:
        emulator.start()
        emulator.state.task_seconds = 3.0
        env |= emulator.easel_env()
    data_dir = tmp_path / "data"
    server = ServerProcess(data_dir, env=env)
    try:
        server.start()
        headers = {"Authorization": f"Bearer {create_token(data_dir, 'carol')}"}
        models = [{"model": model, "n": n} for model, (_, n) in MIX.items()]
        with httpx.Client(base_url=server.url, headers=headers, timeout=30) as client:
            job = client.post("/api/v1/jobs", json={"prompt": "a tide pool", "models": models})
            assert job.status_code == 202, job.text
            job_id = job.json()["id"]
            # Every remote task exists and has been polled, so its id was saved first.
            deadline = time.monotonic() + 60  # a wait, not a measure: generous on a busy machine
            while sum(len(e.polled) for e in emulators) < TOTAL:
                assert time.monotonic() < deadline, [len(e.polled) for e in emulators]
                time.sleep(0.02)
            before = client.get(f"/api/v1/jobs/{job_id}").json()
        server.kill()
        assert Counter(v["status"] for v in before["variants"]) == {"running": TOTAL}
        polls_at_kill = sum(e.state.polls for e in emulators)

        server.start()
        with httpx.Client(base_url=server.url, headers=headers, timeout=30) as client:
            after = wait_for_job(client, job_id, timeout=60)
    finally:
        server.stop()
        for emulator in emulators:
            emulator.stop()

    assert after["status"] == "succeeded", after
    assert all(v["status"] == "succeeded" and v["image"] for v in after["variants"])
    assert {v["attempts"] for v in after["variants"]} == {2}, "each was resumed once"
    assert len({v["image"]["sha256"] for v in after["variants"]}) == TOTAL
    # Exactly one remote creation per variant, and the resumed server polled them.
    creations: Counter[str] = Counter()
    for emulator in emulators:
        creations.update(emulator.state.creations)
    assert creations == Counter({remote: n for remote, n in MIX.values()})
    assert sum(e.state.polls for e in emulators) > polls_at_kill
