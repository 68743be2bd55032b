"""Every fault, in each vendor's own wire form, on the create, poll and download stages of
the create-then-poll pattern, through a real Easel server.

Each case runs Replicate, Black Forest Labs and fal side by side (each emulator has its own
fault queue) and checks the final state, the message, that the fault was really hit, and
the emulators' creation counters: a fault after the create never pays for a second image.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from emulators._base import Emulator, Stage
from emulators.bfl import BFLEmulator
from emulators.fal import FalEmulator
from emulators.replicate import ReplicateEmulator
from support.client import wait_for_job
from support.server import ServerProcess, create_token

ENGINE = {
    "EASEL_POLL_INTERVAL_SECONDS": "0.05",
    "EASEL_RETRY_BASE_SECONDS": "0.05",
    "EASEL_RETRY_MAX_SECONDS": "0.2",
    "EASEL_PROVIDER_TIMEOUT_SECONDS": "2",
}
HANG = 2.5
"""Longer than the provider timeout above."""

# fault → (status, error code, paid creations, words in the message), per stage
RECOVERS = ("succeeded", None, 1, "")
CREATE: dict[str, tuple[str, str | None, int, str]] = {
    "rate_limit": RECOVERS,
    "server_error": RECOVERS,
    "unavailable": RECOVERS,
    # The create may have been made and billed: it is never sent again on its own.
    "hang": ("failed", "timeout", 1, "did not answer the request within 2 s"),
    "malformed_json": ("failed", "invalid-output", 1, "not valid JSON"),
    "moderation": ("failed", "content-rejected", 0, ""),
    "bad_key": ("failed", "auth", 0, "rejected the API key"),
    "no_credit": ("failed", "quota", 0, "no credit"),
}
POLL: dict[str, tuple[str, str | None, int, str]] = {
    "rate_limit": RECOVERS,
    "server_error": RECOVERS,
    "unavailable": RECOVERS,
    "hang": RECOVERS,
    "malformed_json": RECOVERS,
    "moderation": ("failed", "content-rejected", 1, ""),
    "bad_key": ("failed", "auth", 1, "rejected the API key"),
    "no_credit": RECOVERS,  # reading a task's status is not billed
}
DOWNLOAD: dict[str, tuple[str, str | None, int, str]] = {
    "slow_download": RECOVERS,
    "truncated_download": RECOVERS,
    "server_error": RECOVERS,
    "wrong_content_type": ("failed", "invalid-output", 1, "not an image"),
}
CASES = [
    pytest.param(stage, fault, id=f"{stage}-{fault}")
    for stage, table in (("create", CREATE), ("poll", POLL), ("download", DOWNLOAD))
    for fault in table
]
EXPECTED: dict[str, dict[str, tuple[str, str | None, int, str]]] = {
    "create": CREATE,
    "poll": POLL,
    "download": DOWNLOAD,
}


@dataclass
class Vendor:
    model: str
    remote: str
    emulator: Emulator

    @property
    def created(self) -> int:
        return self.emulator.state.creations[self.remote]


@dataclass
class Matrix:
    client: httpx.Client
    vendors: list[Vendor]

    def submit(self, vendor: Vendor, prompt: str) -> str:
        body = {"prompt": prompt, "models": [vendor.model]}
        response = self.client.post("/api/v1/jobs", json=body)
        assert response.status_code == 202, response.text
        return str(response.json()["id"])

    def finish(self, job_id: str) -> dict[str, Any]:
        job = wait_for_job(self.client, job_id, timeout=30)
        [variant] = job["variants"]
        return dict(variant)


@pytest.fixture(scope="module")
def matrix(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Matrix]:
    replicate, bfl, fal = ReplicateEmulator(), BFLEmulator(), FalEmulator()
    vendors = [
        Vendor("replicate/flux-2-pro", "black-forest-labs/flux-2-pro", replicate),
        Vendor("bfl/flux-2-pro", "flux-2-pro", bfl),
        Vendor("fal/flux-2-pro", "fal-ai/flux-2-pro", fal),
    ]
    env = {**ENGINE, **replicate.easel_env(), **bfl.easel_env(), **fal.easel_env()}
    for emulator in (replicate, bfl, fal):
        emulator.start()
    replicate.state.task_seconds = 1.2  # past the create's Prefer: wait, so it is polled
    data_dir = tmp_path_factory.mktemp("fault-matrix-async") / "data"
    server = ServerProcess(data_dir, env=env)
    server.start()
    headers = {"Authorization": f"Bearer {create_token(data_dir, 'mallory')}"}
    try:
        with httpx.Client(base_url=server.url, headers=headers, timeout=30) as client:
            yield Matrix(client, vendors)
    finally:
        server.stop()
        for emulator in (replicate, bfl, fal):
            emulator.stop()


@pytest.mark.parametrize(("stage", "fault"), CASES)
def test_fault(matrix: Matrix, stage: Stage, fault: str) -> None:
    status, code, paid, words = EXPECTED[stage][fault]
    jobs = {}
    for vendor in matrix.vendors:
        vendor.emulator.state.faults.clear()
        vendor.emulator.inject(fault, stage, retry_after=1.0, hang_seconds=HANG)
        jobs[vendor.model] = (vendor.created, matrix.submit(vendor, f"{stage} {fault}"))

    for vendor in matrix.vendors:
        before, job_id = jobs[vendor.model]
        variant = matrix.finish(job_id)
        where = f"{vendor.model}, {fault} on {stage}: {variant}"
        assert not vendor.emulator.state.faults, f"the fault was never hit ({where})"
        assert variant["status"] == status, where
        assert (variant["error"] or {}).get("code") == code, where
        assert words in (variant["error"] or {}).get("message", ""), where
        assert vendor.created - before == paid, where
        if status == "failed" and paid:
            # Retrying downloads the saved result or asks afresh, never silently twice.
            retried = _retry(matrix, job_id, variant["id"])
            extra = 0 if stage == "download" else 1
            assert retried["status"] == "succeeded", where
            assert vendor.created - before == paid + extra, where


def test_a_long_outage_while_polling_waits_instead_of_paying_again(matrix: Matrix) -> None:
    """More consecutive poll failures than one call's retries: the engine keeps polling."""
    for vendor in matrix.vendors:
        vendor.emulator.state.faults.clear()
        vendor.emulator.inject("unavailable", "poll", times=8)
    jobs = [(v, v.created, matrix.submit(v, "a long outage")) for v in matrix.vendors]
    for vendor, before, job_id in jobs:
        variant = matrix.finish(job_id)
        assert variant["status"] == "succeeded", variant
        assert vendor.created - before == 1
        assert not vendor.emulator.state.faults


def _retry(matrix: Matrix, job_id: str, variant_id: str) -> dict[str, Any]:
    path = f"/api/v1/jobs/{job_id}/variants/{variant_id}/retry"
    matrix.client.post(path).raise_for_status()
    return matrix.finish(job_id)
