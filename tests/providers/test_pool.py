"""The hosted providers' shared HTTP client: a burst beyond its size waits for admission
(the pool never holds more requests than connections), and a response gives its slot
back once closed, read or not. Against the BFL emulator on loopback."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

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
