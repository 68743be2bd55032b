"""What every provider emulator shares: a real HTTP server on a loopback port, fault
injection, counters of paid generations, and result URLs that expire.

An emulator is a FastAPI app served by uvicorn in a thread of the test process, so a
server under test (even one in another process) reaches it over real HTTP; only the base
URL differs from the real provider.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import io
import threading
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from typing import Any, Literal

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import Response
from PIL import Image

from support.server import free_port

Stage = Literal["create", "poll", "download"]
FAULTS = (
    "rate_limit",
    "server_error",
    "unavailable",
    "hang",
    "malformed_json",
    "moderation",
    "bad_key",
    "no_credit",
    "slow_download",
    "truncated_download",
    "wrong_content_type",
)


@dataclass
class Fault:
    kind: str
    stage: Stage
    times: int = 1
    retry_after: float = 1.0
    hang_seconds: float = 30.0


@dataclass
class EmulatorState:
    faults: deque[Fault] = field(default_factory=deque)
    creations: Counter[str] = field(default_factory=Counter)
    """Paid generations created, by model."""
    cancels: int = 0
    polls: int = 0
    url_ttl: float = 3600.0
    task_seconds: float = 0.3
    """How long an async task stays in progress."""


def png_bytes(width: int = 64, height: int = 64, seed: int = 0, fmt: str = "PNG") -> bytes:
    """A small real image whose colour depends on the seed, so results are distinguishable."""
    colour = ((seed * 67) % 256, (seed * 131 + 80) % 256, (seed * 29 + 160) % 256)
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, fmt)
    return buffer.getvalue()


class Emulator:
    """Base class: subclasses add their routes to ``self.app`` in ``routes()``."""

    name = "emulator"
    secret = b"emulator-signing-key"
    own_faults: tuple[str, ...] = ()
    """Faults only this emulator can play, beyond the shared `FAULTS` of the matrix."""

    def __init__(self, *, api_key: str = "test-key") -> None:
        self.api_key = api_key
        self.state = EmulatorState()
        self.app = FastAPI()
        self.port = free_port()
        self._lock = threading.Lock()
        self._blobs: dict[str, tuple[bytes, str]] = {}
        self.app.add_api_route("/_files/{name}", self._serve_file, methods=["GET"])
        self.routes()
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def routes(self) -> None:
        raise NotImplementedError

    def easel_env(self) -> dict[str, str]:
        """The environment that points an Easel server at this emulator, key included."""
        raise NotImplementedError

    def start(self) -> Emulator:
        config = uvicorn.Config(self.app, host="127.0.0.1", port=self.port, log_level="warning")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{self.name} emulator did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(10)

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- faults and counters -----------------------------------------------------------
    def inject(self, kind: str, stage: Stage = "create", times: int = 1, **options: Any) -> None:
        assert kind in FAULTS or kind in self.own_faults, kind
        with self._lock:
            self.state.faults.append(Fault(kind, stage, times, **options))

    def take_fault(self, stage: Stage) -> Fault | None:
        with self._lock:
            for fault in self.state.faults:
                if fault.stage == stage:
                    fault.times -= 1
                    if fault.times <= 0:
                        self.state.faults.remove(fault)
                    return fault
        return None

    def count_creation(self, model: str) -> None:
        with self._lock:
            self.state.creations[model] += 1

    @property
    def total_creations(self) -> int:
        return sum(self.state.creations.values())

    async def hang(self, fault: Fault) -> None:
        await asyncio.sleep(fault.hang_seconds)

    async def broken_answer(self, fault: Fault, model: str, partial_json: str) -> Response:
        """``hang`` or ``malformed_json`` on a generation the vendor accepted and bills:
        count it, wait out a hang, then send the start of the vendor's JSON answer."""
        self.count_creation(model)
        if fault.kind == "hang":
            await self.hang(fault)
        return Response(partial_json, media_type="application/json")

    # -- expiring result files -----------------------------------------------------------
    def _signature(self, name: str, expires: int) -> str:
        return hmac.new(self.secret, f"{name}:{expires}".encode(), hashlib.sha256).hexdigest()[:32]

    def publish_file(self, data: bytes, mime: str, suffix: str = "png") -> str:
        """Keep ``data`` and return a signed URL for it that stops working after url_ttl."""
        name = f"{hashlib.sha256(data).hexdigest()[:24]}-{time.monotonic_ns()}.{suffix}"
        with self._lock:
            self._blobs[name] = (data, mime)
        expires = int(time.time() + self.state.url_ttl)
        return f"{self.base_url}/_files/{name}?se={expires}&sig={self._signature(name, expires)}"

    async def _serve_file(self, name: str, request: Request) -> Response:
        try:
            expires = int(request.query_params.get("se", "0"))
        except ValueError:
            expires = 0
        signature = request.query_params.get("sig", "")
        valid = hmac.compare_digest(signature, self._signature(name, expires))
        if not valid or expires < time.time() or name not in self._blobs:
            return Response(
                "<Error><Code>AuthenticationFailed</Code></Error>",
                403,
                media_type="application/xml",
            )
        data, mime = self._blobs[name]
        fault = self.take_fault("download")
        if fault is not None:
            return await self._download_fault(fault, data, mime)
        return Response(data, media_type=mime)

    async def _download_fault(self, fault: Fault, data: bytes, mime: str) -> Response:
        if fault.kind == "wrong_content_type":
            return Response(b"<html><body>Sign in</body></html>", media_type="text/html")
        if fault.kind == "truncated_download":
            # Declares the full length and sends half: the client must notice.
            return _TruncatedResponse(data, mime)
        if fault.kind in ("slow_download", "hang"):
            await asyncio.sleep(fault.hang_seconds)
        if fault.kind in ("server_error", "unavailable"):
            return Response("error", 503 if fault.kind == "unavailable" else 500)
        return Response(data, media_type=mime)


class _TruncatedResponse(Response):
    def __init__(self, data: bytes, mime: str) -> None:
        super().__init__(data[: len(data) // 2], media_type=mime)
        self.headers["content-length"] = str(len(data))
