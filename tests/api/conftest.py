"""A running server with two users, shared by the API tests of a module."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from support.server import ServerProcess, create_token


@dataclass
class Studio:
    server: ServerProcess
    alice: str
    bob: str

    def client(self, token: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.server.url, headers=headers, timeout=30)

    def aclient(self, token: str | None = None) -> httpx.AsyncClient:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.AsyncClient(base_url=self.server.url, headers=headers, timeout=30)


@pytest.fixture(scope="module")
def studio(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Studio]:
    data_dir: Path = tmp_path_factory.mktemp("studio") / "data"
    # Unreferenced image files are collected at once, so tests see deletes take effect.
    collect_now = {"EASEL_ORPHAN_GRACE_SECONDS": "0", "EASEL_COLLECT_INTERVAL_SECONDS": "0.2"}
    server = ServerProcess(data_dir, env=collect_now)
    server.start()
    try:
        yield Studio(server, create_token(data_dir, "alice"), create_token(data_dir, "bob"))
    finally:
        server.stop()
