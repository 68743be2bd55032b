"""The hosted providers' shared HTTP client: a burst beyond its size waits for admission
(the pool never holds more requests than connections), and a response gives its slot
back once closed, read or not. Against the BFL emulator on loopback."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest

from easel.config import Settings
from easel.providers.pool import provider_client
from emulators.bfl import BFLEmulator

LIMIT = 4


@pytest.fixture
def bfl() -> Iterator[BFLEmulator]:
    emulator = BFLEmulator().start()
    emulator.create_seconds = 0.05  # long enough for requests to overlap
    try:
        yield emulator
    finally:
        emulator.stop()


async def test_a_burst_beyond_the_pool_is_admitted_a_pool_at_a_time(bfl: BFLEmulator) -> None:
    async with provider_client(Settings(), limit=LIMIT) as http:
        body = {"prompt": "a kite", "aspect_ratio": "1:1"}

        async def create() -> int:
            response = await http.post(
                f"{bfl.base_url}/v1/flux-pro-1.1-ultra", json=body, headers={"x-key": "test-key"}
            )
            return response.status_code

        statuses = await asyncio.gather(*(create() for _ in range(10 * LIMIT)))
    assert statuses == [200] * (10 * LIMIT)
    assert bfl.peak_creating == LIMIT


async def test_a_response_closed_unread_gives_its_slot_back(bfl: BFLEmulator) -> None:
    # With the slot kept, the second request would wait for good (till the guard ends it).
    async with provider_client(Settings(), limit=1) as http, asyncio.timeout(60):
        for _ in range(3):
            async with http.stream("GET", f"{bfl.base_url}/openapi.json") as response:
                assert response.status_code == 200
        assert (await http.get(f"{bfl.base_url}/openapi.json")).status_code == 200


class _Proxy(BaseHTTPRequestHandler):
    """A forward proxy that answers every request itself and notes its target."""

    seen: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        self.seen.append(self.path)  # a proxy is sent the absolute URL
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        return None


async def test_requests_go_through_the_proxy_the_environment_names(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    proxy = ThreadingHTTPServer(("127.0.0.1", 0), _Proxy)
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    try:
        monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{proxy.server_port}")
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        async with provider_client(Settings()) as http:
            response = await http.get("http://vendor.example/v1/get_result?id=7")
        assert response.status_code == 204
        assert _Proxy.seen == ["http://vendor.example/v1/get_result?id=7"]
    finally:
        proxy.shutdown()
        proxy.server_close()
