"""PNG without re-encoding: copy the provider's chunks, splice text chunks in, and decode
the pixels a band at a time for the thumbnail.

`copy_png` walks the chunk stream once: every chunk's CRC is checked, chunks are copied
unchanged (the image data byte for byte), stale ``parameters``/``easel`` text chunks are
dropped and the new ones are written just before the first image data chunk. The image
data is handed to a `BandDecoder` as it passes.

`BandDecoder` keeps memory bounded by the thumbnail, not the image: it inflates the data
stream, cuts it into bands of rows, lets Pillow undo the PNG row filters of each band (a
small PNG of the band, stored uncompressed, whose first row is the previous band's last
row so the filters see their neighbour), box-reduces the band and pastes it into a reduced
copy of the whole image. Interlaced and 16-bit colour images, which that trick cannot
carry across bands exactly, are left to a whole-image decode by the caller.
"""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import BinaryIO

from PIL import Image, PngImagePlugin

from easel.storage.staging import Writable

SIGNATURE = b"\x89PNG\r\n\x1a\n"
_IMAGE_DATA = (b"IDAT", b"fcTL", b"fdAT")
_TEXT = (b"tEXt", b"zTXt", b"iTXt")
_KEEP_WHOLE = (b"IHDR", b"PLTE", b"tRNS", b"iCCP", b"eXIf")
"""Chunks read whole because the decoder needs them; every other body is streamed."""
_PIECE = 256 * 1024
_MAX_CHUNK = 2**31 - 1
_BAND_BYTES = 1024 * 1024
_MAX_PROFILE = 4 * 1024 * 1024
# bytes per pixel → a colour type with 8-bit samples and that many bytes per pixel, so
# Pillow's filter decoder hands back the exact reconstructed bytes of any such row.
_FAKE_COLOUR = {1: 0, 2: 4, 3: 2, 4: 6}


class Damaged(Exception):
    """The PNG stream is broken; the message says where."""


@dataclass(frozen=True)
class PngHeader:
    width: int
    height: int
    bit_depth: int
    colour_type: int
    interlaced: bool

    @property
    def channels(self) -> int:
        return {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}.get(self.colour_type, 0)

    @property
    def row_bytes(self) -> int:
        return (self.width * self.channels * self.bit_depth + 7) // 8

    @property
    def bytes_per_pixel(self) -> int:
        return max(1, self.channels * self.bit_depth // 8)

    @property
    def streamable(self) -> bool:
        """Whether `BandDecoder` can decode it (else decode it whole)."""
        mode = PngImagePlugin._MODES.get((self.bit_depth, self.colour_type))
        return mode is not None and not self.interlaced and self.bytes_per_pixel in _FAKE_COLOUR


def chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def text_chunk(keyword: str, text: str) -> bytes:
    """``tEXt`` when the text is Latin-1 (what AUTOMATIC1111 and most readers expect),
    else an uncompressed UTF-8 ``iTXt``, as Pillow's ``add_text`` does."""
    try:
        return chunk(b"tEXt", keyword.encode("latin-1") + b"\0" + text.encode("latin-1"))
    except UnicodeEncodeError:
        return itxt_chunk(keyword, text)


def itxt_chunk(keyword: str, text: str) -> bytes:
    body = keyword.encode("latin-1") + b"\0\0\0\0\0" + text.encode("utf-8")
    return chunk(b"iTXt", body)


def parse_header(body: bytes) -> PngHeader:
    if len(body) != 13:
        raise Damaged("its header chunk has the wrong length")
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
    header = PngHeader(width, height, depth, colour, interlace == 1)
    if (depth, colour) not in PngImagePlugin._MODES:
        raise Damaged(f"it declares an unknown pixel format ({depth}-bit, colour type {colour})")
    return header


def copy_png(
    src: BinaryIO,
    dst: Writable,
    *,
    metadata: Callable[[], bytes],
    replaced: Sequence[str],
    on_chunk: Callable[[bytes, bytes], None],
    on_data: Callable[[bytes], None],
) -> None:
    """Copy ``src`` to ``dst`` chunk by chunk (see the module docstring).

    ``on_chunk(kind, body)`` sees IHDR, PLTE, tRNS, iCCP and eXIf; ``on_data(piece)`` sees
    the default image's compressed data; ``metadata()`` (called once the header is known)
    gives the chunks to insert. Raises `Damaged`.
    """
    if src.read(8) != SIGNATURE:
        raise Damaged("it does not start with the PNG signature")
    dst.write(SIGNATURE)
    dropped = {name.encode("latin-1") for name in replaced}
    pending: bytes | None = None
    first = True
    while True:
        head = src.read(8)
        if len(head) < 8:
            raise Damaged("it ends before its IEND chunk")
        length, kind = struct.unpack(">I4s", head)
        if length > _MAX_CHUNK:
            raise Damaged(f"a {kind!r} chunk declares an impossible length")
        if first != (kind == b"IHDR"):
            raise Damaged("its IHDR chunk is not first")
        first = False
        if kind in _IMAGE_DATA and pending is None:
            pending = metadata()
            dst.write(pending)
        if kind in _KEEP_WHOLE:
            body = _read_checked(src, kind, length)
            on_chunk(kind, body)
            dst.write(head + body + struct.pack(">I", zlib.crc32(kind + body)))
        elif kind in _TEXT:
            _copy_text(src, dst, head, kind, length, dropped)
        else:
            _pipe(src, dst, head, kind, length, on_data if kind == b"IDAT" else None)
        if kind == b"IEND":
            return


def _read_checked(src: BinaryIO, kind: bytes, length: int) -> bytes:
    body = src.read(length)
    crc = src.read(4)
    if len(body) < length or len(crc) < 4:
        raise Damaged(f"it is cut off inside a {kind.decode('latin-1')} chunk")
    if struct.unpack(">I", crc)[0] != zlib.crc32(kind + body):
        raise Damaged(f"a {kind.decode('latin-1')} chunk fails its checksum")
    return body


def _copy_text(
    src: BinaryIO, dst: Writable, head: bytes, kind: bytes, length: int, dropped: set[bytes]
) -> None:
    prefix = src.read(min(length, 80))
    keyword = prefix.split(b"\0", 1)[0]
    sink = None if keyword in dropped else dst
    if sink is not None:
        sink.write(head + prefix)
    crc = zlib.crc32(kind + prefix)
    _pipe_body(src, sink, kind, length - len(prefix), crc, None)


def _pipe(
    src: BinaryIO,
    dst: Writable,
    head: bytes,
    kind: bytes,
    length: int,
    on_data: Callable[[bytes], None] | None,
) -> None:
    dst.write(head)
    _pipe_body(src, dst, kind, length, zlib.crc32(kind), on_data)


def _pipe_body(
    src: BinaryIO,
    dst: Writable | None,
    kind: bytes,
    remaining: int,
    crc: int,
    on_data: Callable[[bytes], None] | None,
) -> None:
    while remaining:
        piece = src.read(min(remaining, _PIECE))
        if not piece:
            raise Damaged(f"it is cut off inside a {kind.decode('latin-1')} chunk")
        remaining -= len(piece)
        crc = zlib.crc32(piece, crc)
        if dst is not None:
            dst.write(piece)
        if on_data is not None:
            on_data(piece)
    stored = src.read(4)
    if len(stored) < 4:
        raise Damaged(f"it is cut off inside a {kind.decode('latin-1')} chunk")
    if struct.unpack(">I", stored)[0] != crc:
        raise Damaged(f"a {kind.decode('latin-1')} chunk fails its checksum")
    if dst is not None:
        dst.write(stored)


class BandDecoder:
    """Decodes a non-interlaced PNG's image data band by band into a reduced image."""

    def __init__(self, header: PngHeader, factor: int) -> None:
        self.header = header
        self.factor = factor
        self.mode, self.rawmode = PngImagePlugin._MODES[(header.bit_depth, header.colour_type)]
        self.palette: bytes | None = None
        self.transparency: bytes | None = None
        stride = header.row_bytes + 1
        rows = max(1, _BAND_BYTES // stride // factor) * factor
        self._band_rows = rows
        self._band_bytes = rows * stride
        self._inflate = zlib.decompressobj()
        self._pending = bytearray()
        self._previous = bytes(header.row_bytes)
        self._row = 0
        self.reduced: Image.Image | None = None

    def feed(self, data: bytes) -> None:
        """Take the next piece of the compressed stream; raises `Damaged`."""
        while data and self._row < self.header.height and not self._inflate.eof:
            try:
                self._pending += self._inflate.decompress(data, self._band_bytes)
            except zlib.error as exc:
                raise Damaged(f"its image data does not inflate ({exc})") from None
            data = self._inflate.unconsumed_tail
            while len(self._pending) >= self._band_bytes:
                self._emit(self._band_rows)

    def finish(self) -> Image.Image:
        """The reduced image (RGB, RGBA or L), once every row has arrived."""
        stride = self.header.row_bytes + 1
        left = min(len(self._pending) // stride, self.header.height - self._row)
        if left:
            self._emit(left)
        if self._row < self.header.height or self.reduced is None:
            raise Damaged(f"its image data ends after {self._row} of {self.header.height} rows")
        return self.reduced

    def _emit(self, rows: int) -> None:
        rows = min(rows, self.header.height - self._row)
        stride = self.header.row_bytes + 1
        filtered = bytes(self._pending[: rows * stride])
        del self._pending[: rows * stride]
        raw = self._unfilter(filtered, rows)
        self._previous = raw[-self.header.row_bytes :]
        band = Image.frombytes(self.mode, (self.header.width, rows), raw, "raw", self.rawmode)
        band = self._displayable(band)
        if self.reduced is None:
            width, height = self.header.width, self.header.height
            size = (-(-width // self.factor), -(-height // self.factor))
            self.reduced = Image.new(band.mode, size)
        small = band.reduce(self.factor) if self.factor > 1 else band
        self.reduced.paste(small, (0, self._row // self.factor))
        self._row += rows

    def _unfilter(self, filtered: bytes, rows: int) -> bytes:
        """The band's reconstructed row bytes, filters undone by Pillow's decoder."""
        header = self.header
        width = header.row_bytes // header.bytes_per_pixel
        colour = _FAKE_COLOUR[header.bytes_per_pixel]
        ihdr = struct.pack(">IIBBBBB", width, rows + 1, 8, colour, 0, 0, 0)
        data = zlib.compress(b"\0" + self._previous + filtered, 0)
        small = SIGNATURE + chunk(b"IHDR", ihdr) + chunk(b"IDAT", data) + chunk(b"IEND", b"")
        try:
            with Image.open(io.BytesIO(small), formats=["PNG"]) as band:
                band.load()
                raw = band.tobytes()
        except (OSError, SyntaxError, ValueError) as exc:
            raise Damaged(f"its rows cannot be decoded ({exc})") from None
        return raw[header.row_bytes :]

    def _displayable(self, band: Image.Image) -> Image.Image:
        if self.mode == "P":
            band.putpalette(self.palette or bytes(range(256)) * 3)
            if self.transparency:
                band.info["transparency"] = self.transparency
            return band.convert("RGBA" if self.transparency else "RGB")
        if self.mode == "I;16":
            return band.convert("I").point(lambda v: v / 256).convert("L")
        if self.mode in ("1", "L", "RGB") and self.transparency:
            band.info["transparency"] = _colour_key(self.transparency, self.mode)
            return band.convert("RGBA")
        return band.convert("L") if self.mode == "1" else band


def _colour_key(trns: bytes, mode: str) -> int | tuple[int, int, int]:
    """A tRNS colour key (16-bit samples) in the 8-bit terms of the decoded band."""
    if mode == "RGB" and len(trns) >= 6:
        red, green, blue = struct.unpack(">HHH", trns[:6])
        return (red & 0xFF, green & 0xFF, blue & 0xFF)
    return struct.unpack(">H", trns[:2])[0] & 0xFF if len(trns) >= 2 else 0


def icc_profile(body: bytes) -> bytes | None:
    """The colour profile of an iCCP chunk, or None when it is unreadable."""
    _, _, compressed = body.partition(b"\0")
    try:
        inflate = zlib.decompressobj()
        profile = inflate.decompress(compressed[1:], _MAX_PROFILE)
    except zlib.error:
        return None
    return profile if inflate.eof else None
