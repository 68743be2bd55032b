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


class AdmittedTransport(httpx.AsyncBaseTransport):
    """httpx's transport behind at most ``limit`` requests in flight."""

    def __init__(self, limit: int) -> None:
        limits = httpx.Limits(max_connections=limit, max_keepalive_connections=limit)
        self._transport = httpx.AsyncHTTPTransport(limits=limits)
        self._slots = asyncio.Semaphore(limit)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await self._slots.acquire()
        try:
            response = await self._transport.handle_async_request(request)
        except BaseException:
            self._slots.release()
            raise
        assert isinstance(response.stream, httpx.AsyncByteStream)
        response.stream = _Releasing(response.stream, self._slots.release)
        return response

    async def aclose(self) -> None:
        await self._transport.aclose()


def provider_client(settings: Settings, limit: int = CONNECTIONS) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        timeout=httpx.Timeout(settings.provider_timeout_seconds, connect=10.0),
        transport=AdmittedTransport(limit),
        headers={"User-Agent": "easel-studio"},
    )
