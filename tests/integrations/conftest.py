"""A running Easel for the integration tests of a module, with two users."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from support.server import ServerProcess, create_token


@dataclass
class Easel:
    server: ServerProcess
    token: str
    other_token: str

    @property
    def url(self) -> str:
        return self.server.url

    def client(self, token: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token or self.token}"}
        return httpx.Client(base_url=self.url, headers=headers, timeout=60)


@contextmanager
def running_easel(
    data_dir: Path,
    env: dict[str, str] | None = None,
    *,
    public_url: bool = False,
    database_url: str = "",
) -> Iterator[Easel]:
    server = ServerProcess(data_dir, env=env)
    if public_url:
        server.env["EASEL_PUBLIC_URL"] = server.url
    if database_url:
        server.env["EASEL_DATABASE_URL"] = database_url
    server.start()
    try:
        yield Easel(
            server,
            create_token(data_dir, "alice", database_url),
            create_token(data_dir, "bob", database_url),
        )
    finally:
        server.stop()


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("easel") / "data"
