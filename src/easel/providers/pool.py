"""The HTTP client every hosted provider's requests share: creations, polls, downloads.

Its connections are aiohttp's (`easel.providers.transport`), whose pool costs the same
with a hundred connections open as with one. At most `CONNECTIONS` requests are in
flight at once: the rest wait for an admission slot, taken in `send` so that it also
bounds the requests httpx sends through a proxy from the environment on its own
transport, whose pool scans every waiting request against every connection.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx

from easel.config import Settings
from easel.providers.transport import AiohttpTransport

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
    """httpx's client over aiohttp's connections, with at most ``limit`` requests in
    flight. Proxies from the environment (``HTTPS_PROXY``, ``NO_PROXY``) get httpx's own
    transports, mounted by the client; their pools keep as many connections alive as
    they may open, so a burst does not close and reopen them."""

    def __init__(self, *, limit: int, **kwargs: Any) -> None:
        limits = httpx.Limits(max_connections=limit, max_keepalive_connections=limit)
        super().__init__(limits=limits, **kwargs)
        self._slots = asyncio.Semaphore(limit)

    def _init_transport(  # type: ignore[override]
        self,
        *,
        verify: ssl.SSLContext | str | bool = True,
        cert: Any = None,
        trust_env: bool = True,
        limits: httpx.Limits,
        **_: Any,
    ) -> httpx.AsyncBaseTransport:
        # httpx's hook for the transport of requests no proxy takes; passing a transport
        # to the constructor instead would turn the environment's proxies off.
        context = httpx.create_ssl_context(verify=verify, cert=cert, trust_env=trust_env)
        return AiohttpTransport(limit=limits.max_connections or CONNECTIONS, ssl_context=context)

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
