"""The HTTP client every hosted provider's requests share: creations, polls, downloads.

Two things about httpcore's connection pool decide what a thousand remote tasks cost:

* Every time a request arrives or a response closes, the pool scans each waiting request
  against each connection. A burst of polls beyond the pool's size (a thousand tasks
  polled at once) would wait in that queue, each hand-over costing waiting x
  connections; here they wait for an admission slot first, in an asyncio queue, so the
  pool never holds more requests than connections.
* The pool closes an idle connection whenever it holds more connections than the
  keep-alive limit (counting all, not only the idle ones), so a limit below the pool's
  size makes bursts close and reopen connections; the limit here is the pool's size.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx

from easel.config import Settings

CONNECTIONS = 100
"""Requests to the vendors in flight at once, in this process."""


class _Releasing(httpx.AsyncByteStream):
    """A response's body that gives its admission slot back once closed (read to the end
    or not), as its connection is free again only then."""

    def __init__(self, stream: httpx.AsyncByteStream, release: Callable[[], None]) -> None:
        self._stream = stream
        self._release: Callable[[], None] | None = release

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._stream:
            yield chunk

    async def aclose(self) -> None:
        try:
            await self._stream.aclose()
        finally:
            if self._release is not None:
                self._release()
                self._release = None


class AdmittedClient(httpx.AsyncClient):
    """httpx's client with at most ``limit`` requests in flight. Admission is taken in
    `send` rather than in a custom transport, so the client still builds its transports
    itself, proxies from the environment (``HTTPS_PROXY``, ``NO_PROXY``) included."""

    def __init__(self, *, limit: int, **kwargs: Any) -> None:
        limits = httpx.Limits(max_connections=limit, max_keepalive_connections=limit)
        super().__init__(limits=limits, **kwargs)
        self._slots = asyncio.Semaphore(limit)

    async def send(self, request: httpx.Request, **kwargs: Any) -> httpx.Response:
        await self._slots.acquire()
        try:
            response = await super().send(request, **kwargs)
        except BaseException:
            self._slots.release()
            raise
        if response.is_closed:  # read already (not streamed): its connection is free
            self._slots.release()
        else:
            assert isinstance(response.stream, httpx.AsyncByteStream)
            response.stream = _Releasing(response.stream, self._slots.release)
        return response


def provider_client(settings: Settings, limit: int = CONNECTIONS) -> httpx.AsyncClient:
    return AdmittedClient(
        limit=limit,
        timeout=httpx.Timeout(settings.provider_timeout_seconds, connect=10.0),
        headers={"User-Agent": "easel-studio"},
    )
