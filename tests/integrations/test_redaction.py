"""A provider whose error echoes the request's Authorization header must not leak the key:
not in the variant error, its SSE events, webhook payloads, the job JSON, the ``/v1``
error body, or the server log. Storage-style server paths in the same text go too."""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from easel.config import Settings
from easel.redaction import RedactingFilter, Redactor, redact
from emulators.openai import OpenAIEmulator
from support.client import collect_events

from .conftest import Easel, running_easel
from .test_webhooks import Receiver

KEY = "sk-proj-" + secrets.token_urlsafe(36)
MODEL = "openai/gpt-image-2"


def leaks(text: str) -> list[str]:
    """Pieces of the key (or the gateway's path) found in the text."""
    found = [KEY[i : i + 8] for i in range(3, len(KEY) - 8) if KEY[i : i + 8] in text]
    if "sk-proj-" in text:
        found.append("sk-proj-")
    if "/srv/gateway" in text:
        found.append("/srv/gateway")
    return found


@pytest.fixture(scope="module")
def emulator() -> Iterator[OpenAIEmulator]:
    with OpenAIEmulator(api_key=KEY) as running:
        yield running  # type: ignore[misc]


@pytest.fixture(scope="module")
def easel(data_dir: Path, emulator: OpenAIEmulator) -> Iterator[Easel]:
    env = {
        **emulator.easel_env(),
        "EASEL_ALLOW_PRIVATE_WEBHOOKS": "true",
        "EASEL_RETRY_BASE_SECONDS": "0.05",
        "EASEL_RETRY_MAX_SECONDS": "0.1",
    }
    with running_easel(data_dir, env, public_url=True) as running:
        yield running


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    running = Receiver()
    running.start()
    yield running
    running.stop()


def _job_with_echoing_provider(easel: Easel, receiver: Receiver) -> tuple[str, list[Any]]:
    with easel.client() as http:
        hook = http.post("/api/v1/webhooks", json={"url": receiver.url("/account")})
        assert hook.status_code == 201, hook.text
        created = http.post(
            "/api/v1/jobs",
            json={
                "prompt": "a lighthouse",
                "models": [MODEL],
                "n": 3,
                "size": "1024x1024",
                "webhook_url": receiver.url("/job"),
            },
        )
        assert created.status_code == 202, created.text
    job_id = created.json()["id"]

    async def follow() -> list[Any]:
        headers = {"Authorization": f"Bearer {easel.token}"}
        async with httpx.AsyncClient(base_url=easel.url, headers=headers) as client:
            return await collect_events(client, f"/api/v1/jobs/{job_id}/events")

    return job_id, asyncio.run(follow())


def test_a_provider_echoing_the_key_leaks_it_nowhere(
    easel: Easel, emulator: OpenAIEmulator, receiver: Receiver
) -> None:
    emulator.inject("echo_auth", "create", times=1000)
    try:
        job_id, events = _job_with_echoing_provider(easel, receiver)
        with easel.client() as http:
            job = http.get(f"/api/v1/jobs/{job_id}").json()
            listed = http.get("/api/v1/jobs").text
            v1 = http.post("/v1/images/generations", json={"prompt": "x", "model": MODEL})
    finally:
        emulator.state.faults.clear()

    # The provider really did echo the key, and every variant failed with its words.
    assert job["status"] == "failed"
    errors = [v["error"]["message"] for v in job["variants"]]
    assert len(errors) == 3
    for message in errors:
        assert "Upstream request failed" in message and "[redacted]" in message, message
        assert leaks(message) == [], message
    assert v1.status_code >= 400 and leaks(v1.text) == [], v1.text
    assert "Upstream request failed" in v1.json()["error"]["message"]

    failures = [e for e in events if e.event == "variant.failed"]
    assert len(failures) == 3
    assert leaks(json.dumps([e.data for e in events])) == []
    assert leaks(json.dumps(job)) == [] and leaks(listed) == []

    # The account webhook hears 3 variant.failed and job.finished; the job's own URL
    # hears job.finished.
    def of_job() -> list[str]:
        return [r.body.decode() for r in receiver.received if job_id.encode() in r.body]

    deadline = time.monotonic() + 30
    while len(of_job()) < 5 and time.monotonic() < deadline:
        time.sleep(0.2)
    bodies = of_job()
    assert len(bodies) == 5 and sum("Upstream request failed" in b for b in bodies) == 5
    assert all(leaks(b) == [] for b in bodies)

    log = easel.server.log()
    assert "Upstream request failed" in log  # the failure was logged, redacted
    assert leaks(log) == [], [line for line in log.splitlines() if leaks(line)]


def test_redaction_removes_secrets_credentials_and_paths(tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path / "data",
        environ={"HOME": "/home/easel", "OPENAI_API_KEY": KEY, "PIP_KEYRING_PROVIDER": "disabled"},
        database_url="postgresql+asyncpg://easel:hunter2-db-password@db/easel",
    )
    text = (
        f"Bearer {KEY} | key {KEY[10:22]} | Authorization: Key fal-0123456789abcdef "
        f'| {{"x-api-key": "r8_ABCDEFGHIJKL"}} | hunter2-db-password '
        f"| OSError: [Errno 28] No space left: '{tmp_path}/data/images/ab.png' "
        "| /home/easel/.cache/x | AKIAABCDEFGHIJKLMNOP | stays: disabled, /api/v1/jobs"
    )
    cleaned = redact(text, settings)
    assert leaks(cleaned) == []
    for gone in ("fal-0123456789abcdef", "r8_ABCDEF", "hunter2", str(tmp_path), "/home/easel"):
        assert gone not in cleaned, cleaned
    assert "AKIAABCDEF" not in cleaned
    assert "Bearer [redacted]" in cleaned and "[path]" in cleaned
    assert "stays: disabled, /api/v1/jobs" in cleaned


def test_any_six_character_piece_of_a_secret_goes() -> None:
    secret = "Zq8-v1Lp_0aa7Hk2"
    redactor = Redactor([secret])
    for start in range(len(secret) - 5):
        piece = secret[start : start + 6]
        assert piece not in redactor(f"before {piece} after"), piece
    assert redactor("before Zq8-v after") == "before Zq8-v after"  # 5 characters stay


def test_log_records_keep_their_arguments_for_positional_formatters() -> None:
    """uvicorn's access log formats its record's arguments by position: the redacting
    filter keeps them (redacted one by one) instead of folding them into the message."""
    key = "sk-" + secrets.token_hex(12)
    log_filter = RedactingFilter(Redactor([key], []))
    access = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", f"/x?key={key}", "1.1", 200),
        None,
    )
    assert log_filter.filter(access)
    client, method, _path, version, status = access.args  # type: ignore[misc]
    assert (client, method, version, status) == ("127.0.0.1:5000", "GET", "1.1", 200)
    assert key[3:12] not in access.getMessage() and "GET /x?key=" in access.getMessage()
    failure = logging.LogRecord(
        "easel", logging.WARNING, __file__, 1, "failed: %s", (RuntimeError(key),), None
    )
    assert log_filter.filter(failure)
    assert key[3:12] not in failure.getMessage()
