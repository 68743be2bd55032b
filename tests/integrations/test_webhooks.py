"""Signed webhooks end to end: a real receiver on loopback that verifies every delivery
with the `standardwebhooks` package, fails at first, and is down across a restart."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from standardwebhooks import Webhook

from easel.config import Settings
from easel.db.engine import Database
from easel.webhooks.delivery import Dispatcher, Message
from easel.webhooks.signing import InvalidSignature, headers, new_secret, verify
from easel.webhooks.targets import check_target
from emulators.openai import OpenAIEmulator
from support.client import MODEL, wait_for_job
from support.databases import database_for
from support.server import free_port

from .conftest import Easel, running_easel

FAST_RETRIES = {
    "EASEL_ALLOW_PRIVATE_WEBHOOKS": "true",
    "EASEL_WEBHOOK_RETRY_BASE_SECONDS": "0.3",
    "EASEL_WEBHOOK_RETRY_MAX_SECONDS": "1",
}


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


class Receiver:
    """A webhook endpoint that answers 503 to the first ``fail_first[path]`` requests."""

    def __init__(self) -> None:
        self.port = free_port()
        self.received: list[Received] = []
        self.fail_first: dict[str, int] = {}
        self._server: ThreadingHTTPServer | None = None

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def start(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["content-length"]))
                hit = Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                receiver.received.append(hit)
                failing = receiver.fail_first.get(self.path, 0)
                receiver.fail_first[self.path] = failing - 1
                self.send_response(503 if failing > 0 else 204)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def at(self, path: str) -> list[Received]:
        return [r for r in self.received if r.path == path]


@pytest.fixture(scope="module")
def emulator() -> Iterator[OpenAIEmulator]:
    with OpenAIEmulator() as running:
        yield running  # type: ignore[misc]


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def easel(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    emulator: OpenAIEmulator,
) -> Iterator[Easel]:
    """The webhook tests run once on SQLite and once on PostgreSQL: the dispatcher's
    claims are SQL that both must honour."""
    env = {**FAST_RETRIES, **emulator.easel_env()}
    data_dir = tmp_path_factory.mktemp(f"easel-{request.param}") / "data"
    with (
        database_for(request.param) as database_url,
        running_easel(data_dir, env, public_url=True, database_url=database_url) as running,
    ):
        yield running


@pytest.fixture(scope="module")
def receiver(easel: Easel) -> Iterator[Receiver]:
    """One receiver per studio, so each database's run counts only its own deliveries."""
    running = Receiver()
    running.start()
    yield running
    running.stop()


@pytest.fixture(autouse=True)
def _no_webhooks_left(request: pytest.FixtureRequest) -> Iterator[None]:
    """Each test starts with no account webhooks, so tests pass alone and in any order."""
    yield
    if "easel" not in request.fixturenames:
        return
    easel: Easel = request.getfixturevalue("easel")
    with easel.client() as http:
        for hook in http.get("/api/v1/webhooks").json():
            assert http.delete(f"/api/v1/webhooks/{hook['id']}").status_code == 204


def wait_delivered(http: httpx.Client, job_id: str, count: int, timeout: float = 30) -> list[Any]:
    deadline = time.monotonic() + timeout
    while True:
        deliveries = http.get("/api/v1/webhooks/deliveries", params={"job_id": job_id}).json()
        if len(deliveries) >= count and all(d["status"] == "delivered" for d in deliveries):
            return list(deliveries)
        if time.monotonic() > deadline:
            raise AssertionError(f"not delivered: {deliveries}")
        time.sleep(0.2)


def test_job_and_account_webhooks_are_signed_and_retried(easel: Easel, receiver: Receiver) -> None:
    receiver.fail_first["/flaky"] = 2
    with easel.client() as http:
        hook = http.post(
            "/api/v1/webhooks", json={"url": receiver.url("/account"), "events": ["job.finished"]}
        )
        assert hook.status_code == 201, hook.text
        assert [w["id"] for w in http.get("/api/v1/webhooks").json()] == [hook.json()["id"]]
        secret = http.get("/api/v1/webhooks/secret").json()["secret"]
        assert secret.startswith("whsec_")
        job = http.post(
            "/api/v1/jobs",
            json={
                "prompt": "a bell",
                "models": [MODEL],
                "size": "64x64",
                "webhook_url": receiver.url("/flaky"),
            },
        ).json()
        deliveries = wait_delivered(http, job["id"], 2)
        flaky = next(d for d in deliveries if d["url"].endswith("/flaky"))
        detail = http.get(f"/api/v1/webhooks/deliveries/{flaky['id']}").json()
        attempts = http.get(f"/api/v1/webhooks/deliveries/{flaky['id']}/attempts").json()

    assert [a["status_code"] for a in attempts] == [503, 503, 204]
    assert detail["attempt_log"] == attempts and detail["attempts"] == 3
    assert {d["webhook_id"] for d in deliveries} == {hook.json()["id"], None}
    sent = receiver.at("/flaky")
    assert len(sent) == 3
    # One message, three attempts: the same webhook-id, each freshly signed and verifiable.
    assert {r.headers["webhook-id"] for r in sent} == {detail["message_id"]}
    for hit in sent + receiver.at("/account"):
        payload = Webhook(secret).verify(hit.body, hit.headers)
        assert payload["type"] == "job.finished"
        assert payload["data"]["job_id"] == job["id"]
        assert payload["data"]["status"] == "succeeded"
        image_url = payload["data"]["variants"][0]["image_url"]
        assert image_url.startswith(f"{easel.url}/api/v1/images/")
    with pytest.raises(Exception, match="No matching signature"):
        Webhook(new_secret()).verify(sent[-1].body, sent[-1].headers)


def test_a_failed_variant_is_announced(
    easel: Easel, receiver: Receiver, emulator: OpenAIEmulator
) -> None:
    with easel.client() as http:
        http.post(
            "/api/v1/webhooks",
            json={"url": receiver.url("/failures"), "events": ["variant.failed", "job.finished"]},
        ).raise_for_status()
        emulator.inject("moderation")
        job = http.post(
            "/api/v1/jobs", json={"prompt": "forbidden", "models": ["openai/gpt-image-2"]}
        ).json()
        assert wait_for_job(http, job["id"])["status"] == "failed"
        deliveries = wait_delivered(http, job["id"], 2)
    assert sorted(d["event_type"] for d in deliveries) == ["job.finished", "variant.failed"]
    sent = [json.loads(hit.body) for hit in receiver.at("/failures")]
    (failure,) = [
        s for s in sent if s["data"]["job_id"] == job["id"] and s["type"] == "variant.failed"
    ]
    assert failure["data"]["variant"]["error"]["code"] == "content-rejected"


def test_registration_checks_the_url(easel: Easel) -> None:
    with easel.client() as http:
        for body in (
            {"url": "ftp://example.com/x"},
            {"url": "http:///nohost"},
            {"url": "https://example.com/x", "events": ["job.started"]},
        ):
            assert http.post("/api/v1/webhooks", json=body).status_code == 422, body
        assert http.delete("/api/v1/webhooks/nope").status_code == 404
        rotated = http.post("/api/v1/webhooks/secret/rotate").json()["secret"]
        assert http.get("/api/v1/webhooks/secret").json()["secret"] == rotated


def later_delivery(http: httpx.Client, job_id: str) -> dict[str, Any] | None:
    """The job's delivery to the receiver that is down (account webhooks get one too)."""
    deliveries = http.get("/api/v1/webhooks/deliveries", params={"job_id": job_id}).json()
    return next((d for d in deliveries if d["url"].endswith("/later")), None)


def test_deliveries_resume_after_a_restart(easel: Easel) -> None:
    down = Receiver()  # not started: connections are refused
    with easel.client() as http:
        job = http.post(
            "/api/v1/jobs",
            json={
                "prompt": "a kite",
                "models": [MODEL],
                "size": "64x64",
                "webhook_url": down.url("/later"),
            },
        ).json()
        deadline = time.monotonic() + 30
        while (found := later_delivery(http, job["id"])) is None or found["attempts"] < 1:
            assert time.monotonic() < deadline, found
            time.sleep(0.2)
        assert found["status"] == "pending" and "Connect" in found["last_error"]
        secret = http.get("/api/v1/webhooks/secret").json()["secret"]
    easel.server.stop()
    down.start()
    try:
        easel.server.start()
        with easel.client() as http:
            wait_delivered(http, job["id"], 1)
            delivered = later_delivery(http, job["id"])
    finally:
        down.stop()
    assert delivered is not None and delivered["attempts"] >= 2
    (hit,) = down.at("/later")
    assert hit.headers["webhook-id"] == f"msg_{found['id']}"
    assert Webhook(secret).verify(hit.body, hit.headers)["data"]["job_id"] == job["id"]


async def test_private_targets_are_refused_unless_allowed() -> None:
    for url in (
        "http://127.0.0.1:8000/x",
        "http://localhost/x",
        "http://[::1]/x",
        "http://10.1.2.3/x",
        "http://169.254.169.254/latest/meta-data",
        "http://[::ffff:192.168.1.1]/x",
    ):
        with pytest.raises(Exception, match="private or loopback"):
            await check_target(url, allow_private=False)
        assert (await check_target(url, allow_private=True)).address
    public = await check_target("https://93.184.215.14/hook", allow_private=False)
    assert public.address == "93.184.215.14" and public.port == 443


async def test_delivery_checks_the_address_again(tmp_path: Path) -> None:
    """DNS can change after registration: the dispatcher resolves again and refuses."""

    async def now_private(host: str, port: int) -> list[str]:
        return ["10.0.0.7"]

    def refuse_to_send(request: httpx.Request) -> httpx.Response:
        raise AssertionError("a refused target must not be called")

    settings = Settings(data_dir=tmp_path, environ={"HOME": str(tmp_path)})
    dispatcher = Dispatcher(
        settings=settings,
        db=Database(settings.resolved_database_url),
        resolver=now_private,
        transport=httpx.MockTransport(refuse_to_send),
    )
    try:
        message = Message("d1", "u1", "https://hooks.example.com/x", {"a": 1}, new_secret())
        attempt = await dispatcher.send(message)
    finally:
        await dispatcher.aclose()
    assert attempt.error and attempt.error.startswith("refused") and attempt.status_code is None


def test_own_verifier_agrees_with_the_reference_library() -> None:
    secret, body = new_secret(), b'{"type":"job.finished"}'
    signed = headers(secret, "msg_1", int(time.time()), body)
    assert Webhook(secret).verify(body, signed) == {"type": "job.finished"}
    verify(secret, signed, body)
    with pytest.raises(InvalidSignature):
        verify(secret, signed, body + b" ")
    with pytest.raises(InvalidSignature):
        verify(secret, signed, body, now=time.time() + 3600)
