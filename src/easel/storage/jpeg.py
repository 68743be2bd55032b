"""JPEG without re-encoding: put an XMP packet among the leading APPn segments.

The segments before the first non-APPn marker are read (each at most 64 KB); a provider's
XMP packet there gets Easel's description merged in, otherwise a new APP1 XMP segment goes
after the others (after JFIF's APP0 and EXIF's APP1, as readers expect). Everything from
the first table or frame marker on is copied byte for byte.
"""

from __future__ import annotations

import shutil
import struct
from collections.abc import Callable
from typing import BinaryIO

from easel.storage.staging import Writable

XMP_HEADER = b"http://ns.adobe.com/xap/1.0/\x00"
_SOI = b"\xff\xd8"
_APP1 = 0xE1


class Damaged(Exception):
    """The JPEG's segment structure is broken; the message says where."""


def copy_jpeg(src: BinaryIO, dst: Writable, packet_for: Callable[[bytes | None], bytes]) -> None:
    """Copy ``src`` to ``dst`` with the XMP packet ``packet_for(existing_packet)``."""
    if src.read(2) != _SOI:
        raise Damaged("it does not start with a JPEG start-of-image marker")
    segments: list[tuple[int, bytes]] = []
    existing: int | None = None
    while True:
        marker = _next_marker(src)
        if not 0xE0 <= marker <= 0xEF:
            break
        (length,) = struct.unpack(">H", _read(src, 2))
        if length < 2:
            raise Damaged("an APP segment declares an impossible length")
        body = _read(src, length - 2)
        if marker == _APP1 and body.startswith(XMP_HEADER) and existing is None:
            existing = len(segments)
        segments.append((marker, body))
    if existing is None:
        segments.append((_APP1, XMP_HEADER + packet_for(None)))
    else:
        old = segments[existing][1][len(XMP_HEADER) :]
        segments[existing] = (_APP1, XMP_HEADER + packet_for(old))
    dst.write(_SOI)
    for kind, body in segments:
        if len(body) + 2 > 0xFFFF:
            raise ValueError("an XMP packet does not fit a JPEG segment")
        dst.write(bytes((0xFF, kind)) + struct.pack(">H", len(body) + 2) + body)
    dst.write(bytes((0xFF, marker)))
    shutil.copyfileobj(src, dst, 256 * 1024)


def _next_marker(src: BinaryIO) -> int:
    byte = _read(src, 1)
    if byte != b"\xff":
        raise Damaged("a segment does not start with a marker")
    while byte == b"\xff":  # markers may be padded with any number of 0xFF bytes
        byte = _read(src, 1)
    return byte[0]


def _read(src: BinaryIO, size: int) -> bytes:
    data = src.read(size)
    if len(data) < size:
        raise Damaged("it ends inside its header segments")
    return data
