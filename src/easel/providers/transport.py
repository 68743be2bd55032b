"""httpx's client interface over aiohttp's connection pool, for the requests to vendors.

The providers speak httpx (requests, responses, streamed bodies, errors); only the
connections underneath are aiohttp's. httpcore's pool, httpx's own, walks every
connection, and polls the socket of each idle one, whenever a request starts or ends:
with a hundred connections open to a vendor that is the largest single cost of polling
a thousand remote tasks. aiohttp keeps its idle connections per host in a list and
takes the newest, and parses HTTP in C. The vendors' own Python SDKs offer the same
choice (the OpenAI and Anthropic SDKs' aiohttp clients) for the same reason.

This transport sends exactly the headers httpx built (aiohttp adds none of its own and
keeps no cookies: the httpx client does both), never follows redirects or decompresses
(the client does), and turns aiohttp's errors into the httpx errors that mean the same
thing, so a refused connection reads as one and not as a timeout. Requests that go
through a proxy from the environment (``HTTPS_PROXY``) keep httpx's own transport,
which the client mounts for them.
"""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager

import aiohttp
import httpx

KEEPALIVE_SECONDS = 5.0
"""How long an idle connection is kept: httpx's own default."""

_SENT_AS_IS = ("Accept", "Accept-Encoding", "Content-Type", "User-Agent")
"""Headers aiohttp would add when httpx did not: httpx's request is sent unchanged."""

# The most specific first: aiohttp's timeouts are also connection errors, and a
# connector error is also an OS error.
_ERRORS: tuple[tuple[type[BaseException], type[httpx.TransportError]], ...] = (
    (aiohttp.ConnectionTimeoutError, httpx.ConnectTimeout),
    (aiohttp.SocketTimeoutError, httpx.ReadTimeout),
    (TimeoutError, httpx.ReadTimeout),
    (aiohttp.ClientProxyConnectionError, httpx.ProxyError),
    (aiohttp.ClientConnectorError, httpx.ConnectError),
    (aiohttp.ServerDisconnectedError, httpx.RemoteProtocolError),
    (aiohttp.ClientPayloadError, httpx.RemoteProtocolError),
    (aiohttp.ClientResponseError, httpx.RemoteProtocolError),
    (aiohttp.InvalidURL, httpx.UnsupportedProtocol),
    (aiohttp.ClientOSError, httpx.ReadError),
    (aiohttp.ClientError, httpx.NetworkError),
)


@contextmanager
def _as_httpx_errors(request: httpx.Request) -> Iterator[None]:
    try:
        yield
    except (aiohttp.ClientError, TimeoutError) as exc:
        for aiohttp_error, httpx_error in _ERRORS:
            if isinstance(exc, aiohttp_error):
                raise httpx_error(_describe(exc), request=request) from exc
        raise  # pragma: no cover - ClientError is the last entry


def _describe(exc: BaseException) -> str:
    if isinstance(exc, aiohttp.ServerDisconnectedError):
        return "The server closed the connection without a complete answer"
    if isinstance(exc, TimeoutError) and not str(exc):
        return "Timed out"
    return str(exc) or type(exc).__name__


class _Body(httpx.AsyncByteStream):
    """A response's body, read from aiohttp as it arrives."""

    def __init__(self, response: aiohttp.ClientResponse, request: httpx.Request) -> None:
        self._response = response
        self._request = request

    async def __aiter__(self) -> AsyncIterator[bytes]:
        with _as_httpx_errors(self._request):
            async for chunk in self._response.content.iter_any():
                yield chunk

    async def aclose(self) -> None:
        # Read to the end, the connection goes back to the pool; else it is closed.
        self._response.release()


async def _streamed(stream: httpx.AsyncByteStream) -> AsyncIterator[bytes]:
    async for chunk in stream:
        yield chunk


class AiohttpTransport(httpx.AsyncBaseTransport):
    """At most ``limit`` connections, kept open for reuse `KEEPALIVE_SECONDS`."""

    def __init__(self, *, limit: int, ssl_context: ssl.SSLContext) -> None:
        self._limit = limit
        self._ssl = ssl_context
        self._session: aiohttp.ClientSession | None = None

    def _client(self) -> aiohttp.ClientSession:
        # Made on first use, inside the event loop it then belongs to.
        if self._session is None:
            connector = aiohttp.TCPConnector(
                limit=self._limit,
                limit_per_host=0,
                keepalive_timeout=KEEPALIVE_SECONDS,
                ssl=self._ssl,
            )
            self._session = aiohttp.ClientSession(
                connector=connector,
                cookie_jar=aiohttp.DummyCookieJar(),
                auto_decompress=False,
                skip_auto_headers=_SENT_AS_IS,
                timeout=aiohttp.ClientTimeout(total=None),
            )
        return self._session

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        timeouts = request.extensions.get("timeout", {})
        headers = request.headers
        data: bytes | AsyncIterator[bytes] | None
        try:
            data = request.content or None
        except httpx.RequestNotRead:  # a streamed body (a multipart upload)
            assert isinstance(request.stream, httpx.AsyncByteStream)
            data = _streamed(request.stream)
            headers = headers.copy()
            headers.pop("Transfer-Encoding", None)  # aiohttp chunks it itself
        with _as_httpx_errors(request):
            response = await self._client().request(
                request.method,
                str(request.url),
                headers=headers.multi_items(),
                data=data,
                allow_redirects=False,
                timeout=aiohttp.ClientTimeout(
                    total=None,
                    connect=timeouts.get("pool"),
                    sock_connect=timeouts.get("connect"),
                    sock_read=timeouts.get("read"),
                ),
            )
        return httpx.Response(
            status_code=response.status,
            headers=response.raw_headers,
            stream=_Body(response, request),
            request=request,
            extensions={
                "http_version": b"HTTP/1.1",
                "reason_phrase": (response.reason or "").encode("ascii", "replace"),
            },
        )

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
