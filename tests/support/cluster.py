"""The parts of a cluster for tests: a Redis server of the test's own on a free port
(so it can be restarted without touching the machine's), and `easel worker` processes."""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import redis
import redis.asyncio as aredis

from easel.cluster.redis import Keys, connect
from easel.events.redis_bus import RedisEventBus
from support.server import ChildProcess, free_port
from support.services import require_service


def require_redis_server() -> str:
    binary = shutil.which("redis-server")
    if binary is None:
        reason = "redis-server is not installed"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}; CI must run every service test.")
        pytest.skip(reason)
    return binary


class RedisServer:
    """A ``redis-server`` without persistence: a restart loses everything it held, which
    is what the cluster must survive."""

    def __init__(self, directory: Path) -> None:
        self.binary = require_redis_server()
        self.directory = directory
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout: float = 10.0) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        log = (self.directory / "redis.log").open("ab")
        self.process = subprocess.Popen(
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.directory),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        client = redis.Redis(port=self.port, socket_connect_timeout=1)
        deadline = time.monotonic() + timeout
        try:
            while True:
                try:
                    if client.ping():
                        return
                except redis.ConnectionError:
                    if time.monotonic() > deadline:
                        raise
                time.sleep(0.05)
        finally:
            client.close()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)
        self.process = None


class WorkerProcess(ChildProcess):
    """`easel worker` in its own process."""

    def __init__(self, directory: Path, env: dict[str, str], name: str) -> None:
        self.directory = directory
        self.env = env
        self.log_path = directory / f"{name}.log"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def launch(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("EASEL_")},
            "EASEL_DATA_DIR": str(self.directory / "data"),
            **self.env,
        }
        self.process = subprocess.Popen(
            [sys.executable, "-m", "easel", "worker"],
            env=env,
            stdout=self.log_path.open("ab"),
            stderr=subprocess.STDOUT,
            cwd=self.directory,
        )

    def wait_started(self, timeout: float = 60.0) -> None:
        assert self.process is not None
        deadline = time.monotonic() + timeout
        while "worker started" not in self.log():
            if self.process.poll() is not None:
                raise RuntimeError(f"worker exited early:\n{self.log()}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"worker did not start in {timeout}s:\n{self.log()}")
            time.sleep(0.1)


REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379


@contextlib.asynccontextmanager
async def redis_prefix() -> AsyncIterator[tuple[str, str]]:
    """(url, key prefix) on the machine's Redis, every key of the prefix removed after."""
    require_service("Redis", REDIS_HOST, REDIS_PORT)
    url = f"redis://{REDIS_HOST}:{REDIS_PORT}/0"
    prefix = f"easel-test-{secrets.token_hex(6)}"
    try:
        yield url, prefix
    finally:
        client = aredis.Redis.from_url(url)
        try:
            keys = [key async for key in client.scan_iter(f"{prefix}:*")]
            if keys:
                await client.delete(*keys)
        finally:
            await client.aclose()


@contextlib.asynccontextmanager
async def redis_buses() -> AsyncIterator[tuple[RedisEventBus, RedisEventBus]]:
    """Two Redis event buses on the machine's Redis, as two processes would have them (an
    API server's and a worker's), closed after."""
    async with redis_prefix() as (url, prefix):
        one = RedisEventBus(connect(url), Keys(prefix))
        two = RedisEventBus(connect(url), Keys(prefix))
        try:
            yield one, two
        finally:
            await one.aclose()
            await two.aclose()
