"""An Easel server in its own process pointed at one provider emulator, as the provider
tests use it: they talk to the server's public API and read what the emulator received."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

import httpx
from PIL import Image

from emulators._base import Emulator
from support.server import FAST_PROVIDERS, ServerProcess, create_token

E = TypeVar("E", bound=Emulator)


@dataclass
class Studio(Generic[E]):
    server: ServerProcess
    token: str
    emulator: E

    def client(self) -> httpx.Client:
        headers = {"Authorization": f"Bearer {self.token}"}
        return httpx.Client(base_url=self.server.url, timeout=30, headers=headers)


@contextmanager
def studio(emulator: E, data_dir: Path, env: dict[str, str] | None = None) -> Iterator[Studio[E]]:
    """Start the emulator and a server using it (fast provider settings unless ``env``
    says otherwise); stop both afterwards."""
    emulator.start()
    server = ServerProcess(data_dir, env={**emulator.easel_env(), **(env or FAST_PROVIDERS)})
    try:
        server.start()
        yield Studio(server, create_token(data_dir, "ada"), emulator)
    finally:
        server.stop()
        emulator.stop()


def submit(client: httpx.Client, prompt: str, model: str, params: dict[str, Any]) -> str:
    """Create a one-model job; return its id."""
    response = client.post("/api/v1/jobs", json={"prompt": prompt, "models": [model], **params})
    assert response.status_code == 202, response.text
    return str(response.json()["id"])


def picture(data: bytes) -> tuple[str, tuple[int, int]]:
    """A stored image's format and size."""
    with Image.open(io.BytesIO(data)) as image:
        return str(image.format), image.size


def assert_retired(response: httpx.Response, model: str, replacement: str) -> None:
    """A request for a shut-down model: a 410 problem that names the replacement."""
    assert response.status_code == 410, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"].endswith("/model-retired")
    assert problem["allowed"] == [replacement] and problem["field"] == "models"
    assert "shut" in problem["detail"] and model in problem["detail"]
    assert problem["hint"] == f"Use {replacement} instead."
