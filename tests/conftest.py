"""Shared fixtures: isolated data dirs, fresh databases, and a guard against the network."""

from __future__ import annotations

import ipaddress
import os
import socket
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from easel.config import Settings
from support.databases import migrated

if TYPE_CHECKING:
    from support.s3 import S3Bucket, S3Server

_real_connect = socket.socket.connect


def _loopback_only(self: socket.socket, address: Any) -> Any:
    if self.family in (socket.AF_INET, socket.AF_INET6):
        host = address[0]
        try:
            is_loopback = ipaddress.ip_address(host).is_loopback
        except ValueError:
            is_loopback = host == "localhost"
        if not is_loopback:
            raise ConnectionRefusedError(f"tests may only connect to loopback, not {host}")
    return _real_connect(self, address)


@pytest.fixture(autouse=True)
def _network_guard(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(socket.socket, "connect", _loopback_only)
    yield


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test reads the developer's .env, keys or data dir."""
    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        secret = name.endswith(("_API_KEY", "_API_TOKEN")) or name == "FAL_KEY"
        if name.startswith("EASEL_") or secret:
            monkeypatch.delenv(name, raising=False)


@pytest.fixture(params=["sqlite", "postgres"])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A migrated database, once on SQLite and once on PostgreSQL."""
    async with migrated(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        data_dir=tmp_path / "data",
        lease_seconds=3,
        reconcile_interval_seconds=0.5,
        retry_base_seconds=0.05,
        retry_max_seconds=0.2,
        poll_interval_seconds=0.05,
        environ={"HOME": str(tmp_path)},
    )


@pytest.fixture(scope="session")
def s3_server() -> Iterator[S3Server]:
    """One S3-compatible server (moto's) on a free loopback port for the whole run."""
    from support.s3 import S3Server  # moto is slow to import: only for tests that use it

    server = S3Server()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def s3_bucket(s3_server: S3Server) -> Iterator[S3Bucket]:
    """A fresh, empty bucket of its own for one test; removed afterwards."""
    bucket = s3_server.new_bucket()
    yield bucket
    bucket.remove()
