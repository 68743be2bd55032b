"""The providers' transport (httpx over aiohttp's connections), against a raw HTTP/1.1
server on loopback that plays each case byte by byte: what reaches the vendor is exactly
the request httpx built, connections are reused, and every way a connection can fail
reads as the httpx error (and so the Easel error) that says what happened."""

from __future__ import annotations

import asyncio
import gzip
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import httpx
import pytest

from easel.config import Settings
from easel.errors import ProviderTimeout, ProviderUnavailable
from easel.providers._http import send
from easel.providers.pool import provider_client

Handler = Callable[[bytes, bytes, asyncio.StreamWriter], Awaitable[None]]
"""Given a request's head and body, writes (or does not write) the answer."""


@dataclass
class RawServer:
    url: str
    connections: int = 0
    requests: list[tuple[bytes, bytes]] = field(default_factory=list)


async def _read_request(reader: asyncio.StreamReader) -> tuple[bytes, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    headers = _headers(head)
    if "content-length" in headers:
        return head, await reader.readexactly(int(headers["content-length"]))
    body = b""
    if headers.get("transfer-encoding") == "chunked":
        while size := int((await reader.readline()).strip(), 16):
            body += await reader.readexactly(size)
            await reader.readline()
        await reader.readline()
    return head, body


def _headers(head: bytes) -> dict[str, str]:
    lines = head.decode("latin-1").split("\r\n")[1:]
    pairs = [line.split(":", 1) for line in lines if ":" in line]
    return {name.strip().lower(): value.strip() for name, value in pairs}


@asynccontextmanager
async def raw_server(handler: Handler) -> AsyncIterator[RawServer]:
    served = RawServer(url="")

    async def connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        served.connections += 1
        try:
            while not reader.at_eof():
                head, body = await _read_request(reader)
                served.requests.append((head, body))
                await handler(head, body, writer)
                if writer.is_closing():
                    return
        except (asyncio.IncompleteReadError, ConnectionError):
            return
        finally:
            writer.close()

    server = await asyncio.start_server(connection, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    served.url = f"http://127.0.0.1:{port}"
    try:
        yield served
    finally:
        server.close()


def _answer(status: str, body: bytes, *headers: str) -> bytes:
    lines = [f"HTTP/1.1 {status}", f"Content-Length: {len(body)}", *headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def _echo(head: bytes, body: bytes, writer: asyncio.StreamWriter) -> None:
    seen = {"head": head.decode("latin-1"), "body": body.decode("latin-1")}
    payload = gzip.compress(json.dumps(seen).encode())
    writer.write(
        _answer(
            "201 Made",
            payload,
            "Content-Type: application/json",
            "Content-Encoding: gzip",
            "Set-Cookie: session=abc",
        )
    )
    await writer.drain()


async def test_the_vendor_gets_exactly_the_request_httpx_built() -> None:
    async with raw_server(_echo) as server, provider_client(Settings()) as http:
        # By name, as vendors are reached: resolved by aiohttp's connector.
        named = server.url.replace("127.0.0.1", "localhost")
        response = await http.post(
            f"{named}/v1/make?x=1", json={"prompt": "a kite"}, headers={"x-key": "k"}
        )
        again = await http.get(f"{named}/v1/again")
        raw = await http.post(f"{named}/v1/raw", content=b"bytes")

    assert response.status_code == 201
    assert response.reason_phrase == "Made"
    assert response.headers["content-type"] == "application/json"
    seen = response.json()  # gzip undone by httpx, as it would be on its own transport
    head = seen["head"]
    assert head.startswith("POST /v1/make?x=1 HTTP/1.1\r\n")
    headers = _headers(head.encode("latin-1"))
    assert headers["user-agent"] == "easel-studio"  # httpx's, not aiohttp's
    assert headers["x-key"] == "k"
    assert headers["content-type"] == "application/json"
    assert json.loads(seen["body"]) == {"prompt": "a kite"}
    # The cookie goes back once: Set-Cookie reached httpx's jar, which sends it.
    again_head = again.json()["head"]
    assert again_head.lower().count("cookie: session=abc") == 1
    assert "content-type" not in _headers(raw.json()["head"].encode("latin-1"))
    assert server.connections == 1  # the later requests reused the connection


async def test_a_streamed_multipart_upload_arrives_whole() -> None:
    picture = bytes(range(256)) * 400
    async with raw_server(_echo) as server, provider_client(Settings()) as http:
        response = await http.post(
            f"{server.url}/v1/edit",
            data={"prompt": "brighter"},
            files={"image": ("in.png", picture, "image/png")},
        )
    head, body = server.requests[0]
    assert response.status_code == 201
    assert b"multipart/form-data; boundary=" in head
    assert picture in body
    assert b'name="prompt"\r\n\r\nbrighter' in body


async def _fails(
    http: httpx.AsyncClient,
    url: str,
    transport_error: type[httpx.TransportError],
    easel_error: type[Exception],
    says: str,
) -> None:
    """The httpx error a request to ``url`` raises, and the Easel error `send` makes."""
    with pytest.raises(transport_error):
        await http.get(url)
    with pytest.raises(easel_error, match=says):
        await send(http, "GET", url, provider="Vendor")


async def test_a_refused_connection_reads_as_unreachable_not_as_a_timeout() -> None:
    async with raw_server(_echo) as server:
        url = server.url  # closed on leaving: nothing listens there any more
    async with provider_client(Settings()) as http:
        await _fails(
            http, f"{url}/v1/x", httpx.ConnectError, ProviderUnavailable, "Could not reach Vendor"
        )


async def test_a_vendor_that_stops_answering_times_out() -> None:
    async def hang(head: bytes, body: bytes, writer: asyncio.StreamWriter) -> None:
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc")
        await asyncio.sleep(30)

    settings = Settings(provider_timeout_seconds=0.3)
    async with raw_server(hang) as server, provider_client(settings) as http:
        url = f"{server.url}/v1/slow"
        await _fails(http, url, httpx.ReadTimeout, ProviderTimeout, "did not answer in time")


async def test_a_body_cut_short_is_a_protocol_error_and_the_connection_is_not_reused() -> None:
    async def cut(head: bytes, body: bytes, writer: asyncio.StreamWriter) -> None:
        if b"/cut" in head:
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789")
            await writer.drain()
            writer.close()
        else:
            writer.write(_answer("200 OK", b"fine"))

    async with raw_server(cut) as server, provider_client(Settings()) as http:
        with pytest.raises(httpx.RemoteProtocolError):
            await http.get(f"{server.url}/cut")
        assert (await http.get(f"{server.url}/after")).text == "fine"
    assert server.connections == 2


async def test_a_connection_closed_without_an_answer_says_so() -> None:
    async def close(head: bytes, body: bytes, writer: asyncio.StreamWriter) -> None:
        writer.close()

    async with raw_server(close) as server, provider_client(Settings()) as http:
        with pytest.raises(ProviderUnavailable, match="closed the connection"):
            await send(http, "GET", f"{server.url}/v1/x", provider="Vendor")


async def test_a_streamed_answer_arrives_in_pieces_and_its_connection_is_reused() -> None:
    # A download is written to staging as it arrives: never held whole in memory.
    chunks = [bytes([n]) * 500_000 for n in range(8)]

    async def pieces(head: bytes, body: bytes, writer: asyncio.StreamWriter) -> None:
        writer.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
        for chunk in chunks:
            writer.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
            await writer.drain()
        writer.write(b"0\r\n\r\n")

    async with raw_server(pieces) as server, provider_client(Settings()) as http:
        for _ in range(2):
            async with http.stream("GET", f"{server.url}/file.png") as response:
                received = [chunk async for chunk in response.aiter_raw()]
            assert b"".join(received) == b"".join(chunks)
            assert max(len(chunk) for chunk in received) < 1_000_000
    assert server.connections == 1
