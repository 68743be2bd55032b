"""A real Easel server in its own process on a loopback port."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from easel.config import Settings
from easel.db.engine import Database
from easel.db.repos import users as user_repo

FAST_PROVIDERS = {
    "EASEL_POLL_INTERVAL_SECONDS": "0.05",
    "EASEL_RETRY_BASE_SECONDS": "0.05",
    "EASEL_RETRY_MAX_SECONDS": "0.2",
    "EASEL_PROVIDER_TIMEOUT_SECONDS": "2",
}
"""Short polls, retries and provider timeouts, for a server that talks to emulators."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ChildProcess:
    """An Easel process started by a test, logging to ``log_path``."""

    process: subprocess.Popen[bytes] | None
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs, as in a crash or power loss."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)


class ServerProcess(ChildProcess):
    def __init__(self, data_dir: Path, *, env: dict[str, str] | None = None) -> None:
        self.data_dir = data_dir
        self.port = free_port()
        self.env = env or {}
        self.process: subprocess.Popen[bytes] | None = None
        self.log_path = data_dir.parent / f"server-{self.port}.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 120.0) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("EASEL_")},
            "EASEL_DATA_DIR": str(self.data_dir),
            "EASEL_LEASE_SECONDS": "3",
            "EASEL_RECONCILE_INTERVAL_SECONDS": "0.5",
            **self.env,
        }
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "easel",
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
            ],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=self.data_dir.parent,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited early:\n{self.log()}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        self.stop()  # never leave a half-started server behind
        raise RuntimeError(f"server did not start in {timeout}s:\n{self.log()}")


def create_token(data_dir: Path, user: str, database_url: str = "") -> str:
    """Issue a token straight in the server's database (as `easel token create` does)."""
    settings = Settings(data_dir=data_dir, database_url=database_url, environ={"HOME": "/"})

    async def issue() -> str:
        db = Database(settings.resolved_database_url)
        try:
            async with db.transaction() as session:
                return (await user_repo.create_token(session, user_name=user)).token
        finally:
            await db.dispose()

    return asyncio.run(issue())
