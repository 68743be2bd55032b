"""WebP without re-encoding: an ``XMP `` chunk in the RIFF container.

A simple file (one ``VP8 `` or ``VP8L`` chunk) becomes an extended one: a ``VP8X`` header
with the canvas size and the XMP flag (and the alpha flag a lossless image announces) is
put first, the image chunk is copied unchanged and the XMP chunk goes last, as the
container specification orders them. An extended file gets its XMP flag set and its XMP
chunk replaced (a provider's packet is merged). Chunk payloads are copied byte for byte.
"""

from __future__ import annotations

import shutil
import struct
from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO

from easel.storage.staging import Writable

_XMP_FLAG = 0x04
_ALPHA_FLAG = 0x10
_PIECE = 256 * 1024


class Damaged(Exception):
    """The WebP container is broken; the message says where."""


@dataclass(frozen=True)
class _Chunk:
    fourcc: bytes
    offset: int
    """Where its payload starts in the source."""
    size: int


def copy_webp(src: BinaryIO, dst: Writable, packet_for: Callable[[bytes | None], bytes]) -> None:
    """Copy ``src`` to ``dst`` with the XMP packet ``packet_for(existing_packet)``."""
    chunks = _chunks(src)
    if not chunks:
        raise Damaged("it holds no chunks")
    existing = next((c for c in chunks if c.fourcc == b"XMP "), None)
    packet = packet_for(_payload(src, existing) if existing else None)
    kept = [c for c in chunks if c.fourcc != b"XMP "]
    if kept[0].fourcc == b"VP8X":
        header = bytearray(_payload(src, kept[0]))
        header[0] |= _XMP_FLAG
        kept = kept[1:]
    else:
        header = _extended_header(src, kept[0])
    body_size = 4 + _chunk_size(len(header)) + sum(_chunk_size(c.size) for c in kept)
    body_size += _chunk_size(len(packet))
    dst.write(b"RIFF" + struct.pack("<I", body_size) + b"WEBP")
    _write_chunk(dst, b"VP8X", bytes(header))
    for item in kept:
        dst.write(item.fourcc + struct.pack("<I", item.size))
        src.seek(item.offset)
        _copy_exact(src, dst, item.size + (item.size & 1))
    _write_chunk(dst, b"XMP ", packet)


def _chunks(src: BinaryIO) -> list[_Chunk]:
    head = src.read(12)
    if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WEBP":
        raise Damaged("it is not a RIFF WEBP container")
    (riff_size,) = struct.unpack("<I", head[4:8])
    end = 8 + riff_size
    chunks: list[_Chunk] = []
    position = 12
    while position + 8 <= end:
        src.seek(position)
        chunk_head = src.read(8)
        if len(chunk_head) < 8:
            raise Damaged("it is cut off inside its chunk list")
        fourcc, size = chunk_head[:4], struct.unpack("<I", chunk_head[4:])[0]
        chunks.append(_Chunk(fourcc, position + 8, size))
        position += 8 + size + (size & 1)
    src.seek(0, 2)
    if src.tell() < min(position, end):
        raise Damaged("it is shorter than its chunks declare")
    return chunks


def _payload(src: BinaryIO, chunk: _Chunk) -> bytes:
    src.seek(chunk.offset)
    return src.read(chunk.size)


def _extended_header(src: BinaryIO, image: _Chunk) -> bytearray:
    """A VP8X payload for a simple file whose only image chunk is ``image``."""
    data = _payload(src, image)[:10]
    flags = _XMP_FLAG
    if image.fourcc == b"VP8 " and len(data) >= 10 and data[3:6] == b"\x9d\x01\x2a":
        width, height = (v & 0x3FFF for v in struct.unpack("<HH", data[6:10]))
    elif image.fourcc == b"VP8L" and len(data) >= 5 and data[0] == 0x2F:
        (bits,) = struct.unpack("<I", data[1:5])
        width, height = (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
        if bits >> 28 & 1:
            flags |= _ALPHA_FLAG
    else:
        raise Damaged("its image chunk has no readable frame header")
    header = bytearray(10)
    header[0] = flags
    header[4:7] = (width - 1).to_bytes(3, "little")
    header[7:10] = (height - 1).to_bytes(3, "little")
    return header


def _chunk_size(size: int) -> int:
    return 8 + size + (size & 1)


def _write_chunk(dst: Writable, fourcc: bytes, payload: bytes) -> None:
    dst.write(fourcc + struct.pack("<I", len(payload)) + payload)
    if len(payload) & 1:
        dst.write(b"\0")


def _copy_exact(src: BinaryIO, dst: Writable, size: int) -> None:
    if size > _PIECE:
        shutil.copyfileobj(_Limited(src, size), dst, _PIECE)
        return
    data = src.read(size)
    if len(data) < size - 1:  # the final pad byte may be missing in the wild
        raise Damaged("it is cut off inside an image chunk")
    dst.write(data.ljust(size, b"\0"))


class _Limited:
    """A read-only view of the next ``size`` bytes of a file."""

    def __init__(self, src: BinaryIO, size: int) -> None:
        self._src = src
        self._left = size

    def read(self, n: int = -1) -> bytes:
        n = self._left if n < 0 else min(n, self._left)
        data = self._src.read(n)
        if n and not data:
            if self._left == 1:  # a missing final pad byte
                self._left = 0
                return b"\0"
            raise Damaged("it is cut off inside an image chunk")
        self._left -= len(data)
        return data
