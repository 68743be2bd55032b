"""A deliberately light SSE client for benchmarks: one plain socket per stream.

A thousand httpx streams parsed by httpx-sse cost the client about as much CPU per frame
as the server spends sending it, on the same two cores, so the client's own queue shows
up in the server's latency. This reader does only what the measurement needs: it sends
one HTTP/1.1 GET, undoes the chunked transfer encoding, splits frames at the blank line
and hands back each frame's event name and data line, undecoded.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from urllib.parse import urlsplit

FRAME_END = b"\r\n\r\n"


@dataclass(frozen=True)
class RawFrame:
    event: str
    data: bytes


class RefusedStream(Exception):
    """The server answered with something other than a 200 event stream."""


async def raw_sse(url: str, path: str, headers: dict[str, str]) -> AsyncIterator[RawFrame]:
    """The frames of one stream until the server ends it."""
    parts = urlsplit(url)
    reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
    try:
        head = [f"GET {path} HTTP/1.1", f"Host: {parts.netloc}", "Accept: text/event-stream"]
        head += [f"{name}: {value}" for name, value in headers.items()]
        writer.write(("\r\n".join(head) + "\r\n\r\n").encode())
        status = await reader.readuntil(b"\r\n\r\n")
        if not status.startswith(b"HTTP/1.1 200"):
            raise RefusedStream(status.split(b"\r\n", 1)[0].decode())
        pending = b""
        async for chunk in _chunks(reader):
            pending += chunk
            *frames, pending = pending.split(FRAME_END)
            for frame in frames:
                parsed = _frame(frame)
                if parsed is not None:
                    yield parsed
    finally:
        writer.close()


async def _chunks(reader: asyncio.StreamReader) -> AsyncIterator[bytes]:
    while True:
        size = int((await reader.readuntil(b"\r\n")).split(b";", 1)[0], 16)
        if size == 0:
            return
        chunk = await reader.readexactly(size + 2)
        yield chunk[:-2]


def _frame(frame: bytes) -> RawFrame | None:
    event, data = "message", b""
    for line in frame.split(b"\r\n"):
        if line.startswith(b"event: "):
            event = line[7:].decode()
        elif line.startswith(b"data: "):
            data = line[6:]
    return RawFrame(event, data) if data else None


def json_field(data: bytes, name: str) -> str:
    """A top-level string field of a frame's JSON, found without decoding the rest (the
    previews carry kilobytes of base64)."""
    marker = f'"{name}":"'.encode()
    start = data.index(marker) + len(marker)
    return data[start : data.index(b'"', start)].decode()
