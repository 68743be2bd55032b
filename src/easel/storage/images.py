"""From a provider's bytes to stored, content-addressed files.

`prepare_file` (and `prepare_image` for bytes in memory) checks that the data is a whole
image of an accepted type within the pixel limit, writes the generation record into it
without re-encoding (`easel.storage.records` says where, per format), makes a WebP
thumbnail and names both by the sha256 of the final bytes. The source is read as a stream
and its pixels decoded once, for the checks and the thumbnail together, a band at a time
where the format allows (`easel.storage.png`), so memory follows the thumbnail, not the
image. SVG is sanitised first (`easel.storage.svg`). Everything here is deterministic:
the same generation yields the same file, stored once. It is CPU-bound and keeps no
shared state: run it in ``asyncio.to_thread``.

`store_image` then puts the thumbnail and the original into an ImageStore.
"""

from __future__ import annotations

import hashlib
import io
import shutil
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass, replace
from pathlib import Path
from typing import BinaryIO

from PIL import Image, UnidentifiedImageError

from easel.errors import InvalidOutput, StorageError
from easel.storage import jpeg, png, svg, thumbnails, webp
from easel.storage.base import ImageStore
from easel.storage.records import (
    RECORD_KEYS,
    GenerationRecord,
    a1111_parameters,
    read_png_record,
    read_record,
    xmp_description,
    xmp_packet,
)
from easel.storage.sniff import EXTENSIONS, HEAD_BYTES, describe_unusable, extension_for, sniff
from easel.storage.sniff import sniff_mime as sniff_mime
from easel.storage.staging import StagedFile, Staging

__all__ = [
    "DEFAULT_ALLOWED_TYPES",
    "RASTER_TYPES",
    "GenerationRecord",
    "PreparedImage",
    "a1111_parameters",
    "extension_for",
    "prepare_file",
    "prepare_image",
    "read_png_record",
    "read_record",
    "sniff_mime",
    "store_image",
]

RASTER_TYPES = ("image/png", "image/jpeg", "image/webp")
DEFAULT_ALLOWED_TYPES = RASTER_TYPES
DEFAULT_MAX_PIXELS = 64 * 1024 * 1024
"""Below Pillow's own bomb limit (~89 Mpx), above any generator's output (8192² = 64 Mpx)."""
_PILLOW_FORMATS = {
    "image/png": "PNG",
    "image/jpeg": "JPEG",
    "image/webp": "WEBP",
    "image/gif": "GIF",
}
_MAX_SVG_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class PreparedImage:
    original: bytes | Path
    """The final original: bytes in memory, or a staged file to move into the store."""
    sha256: str
    mime_type: str
    width: int
    height: int
    size_bytes: int
    storage_key: str
    thumbnail: bytes
    """WebP, at most THUMBNAIL_SIZE px on the long side."""
    thumbnail_key: str

    def read_original(self) -> bytes:
        return self.original if isinstance(self.original, bytes) else self.original.read_bytes()


@dataclass(frozen=True)
class Limits:
    allowed_types: Collection[str] = DEFAULT_ALLOWED_TYPES
    max_pixels: int = DEFAULT_MAX_PIXELS
    subject: str = "The provider returned"
    """How messages name where the data came from ("The upload is" …)."""


def prepare_image(
    data: bytes,
    record: GenerationRecord | None,
    *,
    allowed_types: Collection[str] = DEFAULT_ALLOWED_TYPES,
    max_pixels: int = DEFAULT_MAX_PIXELS,
) -> PreparedImage:
    """`prepare_file` for bytes in memory; the original comes back as bytes.

    Raises `InvalidOutput` saying what was received when the bytes are not a whole image
    of an allowed type within ``max_pixels``; ``ValueError`` for an allowed type Easel
    cannot handle.
    """
    out = io.BytesIO()
    limits = Limits(allowed_types, max_pixels)
    prepared = _prepare(io.BytesIO(data), _Hashing(out), len(data), record, limits)
    return replace(prepared, original=out.getvalue())


def prepare_file(
    staged: StagedFile, record: GenerationRecord | None, staging: Staging, limits: Limits
) -> PreparedImage:
    """Prepare a staged file into a new staged file (the caller discards both)."""
    path = staging.new_path()
    try:
        with staged.open() as src, path.open("wb") as dst:
            prepared = _prepare(src, _Hashing(dst), staged.size, record, limits)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return replace(prepared, original=path)


class _Hashing:
    """A write-only file that hashes and counts what passes through it."""

    def __init__(self, dst: BinaryIO) -> None:
        self._dst = dst
        self.digest = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes | bytearray | memoryview) -> int:
        self.digest.update(data)
        self.size += len(data)
        return self._dst.write(data)


def _prepare(
    src: BinaryIO, dst: _Hashing, size: int, record: GenerationRecord | None, limits: Limits
) -> PreparedImage:
    """Everything about the final file but where it is (``original`` is left empty)."""
    unknown = sorted(set(limits.allowed_types) - EXTENSIONS.keys())
    if unknown:
        raise ValueError(f"Unsupported image types {unknown}; Easel handles {list(EXTENSIONS)}")
    if size == 0:
        raise InvalidOutput(f"{limits.subject} an empty response (0 bytes), not an image.")
    head = src.read(HEAD_BYTES)
    src.seek(0)
    kind = sniff(head)
    if kind not in limits.allowed_types:
        raise InvalidOutput(describe_unusable(head, size, limits.allowed_types, limits.subject))
    assert kind is not None
    try:
        if kind == "image/png":
            width, height, thumb = _png(src, dst, record, limits)
        elif kind == svg.MIME:
            width, height, thumb = _svg(src, dst, size, record, limits)
        else:
            width, height, thumb = _raster(src, dst, kind, record, limits)
    except (png.Damaged, jpeg.Damaged, webp.Damaged, svg.Unusable) as exc:
        raise InvalidOutput(f"{limits.subject} a damaged {kind} ({size:,} bytes): {exc}.") from None
    sha = dst.digest.hexdigest()
    shard = f"{sha[0:2]}/{sha[2:4]}/{sha}"
    return PreparedImage(
        original=b"",
        sha256=sha,
        mime_type=kind,
        width=width,
        height=height,
        size_bytes=dst.size,
        storage_key=f"originals/{shard}.{EXTENSIONS[kind]}",
        thumbnail=thumb,
        thumbnail_key=f"thumbs/{shard}.webp",
    )


def _check_pixels(size: tuple[int, int], limits: Limits) -> None:
    width, height = size
    if width <= 0 or height <= 0:
        raise InvalidOutput(f"{limits.subject} an image with no pixels ({width}x{height}).")
    if width * height > limits.max_pixels:
        raise InvalidOutput(
            f"{limits.subject} a {width}x{height} image ({width * height / 1e6:.0f} Mpx), "
            f"above the limit of {limits.max_pixels / 1e6:.0f} Mpx."
        )


# --- per format ------------------------------------------------------------------------------


class _PngState:
    """What `copy_png` reports while it passes, for the record, the checks and the decoder."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.header: png.PngHeader | None = None
        self.decoder: png.BandDecoder | None = None
        self.icc: bytes | None = None
        self.turn = 1

    def on_chunk(self, kind: bytes, body: bytes) -> None:
        if kind == b"IHDR":
            self.header = png.parse_header(body)
            _check_pixels((self.header.width, self.header.height), self.limits)
            if self.header.streamable:
                factor = thumbnails.reduction_factor(self.header.width, self.header.height)
                self.decoder = png.BandDecoder(self.header, factor)
        elif kind == b"PLTE" and self.decoder is not None:
            self.decoder.palette = body
        elif kind == b"tRNS" and self.decoder is not None:
            self.decoder.transparency = body
        elif kind == b"iCCP":
            self.icc = png.icc_profile(body)
        elif kind == b"eXIf":
            exif = Image.Exif()
            exif.load(body)
            self.turn = thumbnails.orientation(exif)

    def on_data(self, piece: bytes) -> None:
        if self.decoder is not None:
            self.decoder.feed(piece)


def _png(
    src: BinaryIO, dst: _Hashing, record: GenerationRecord | None, limits: Limits
) -> tuple[int, int, bytes]:
    state = _PngState(limits)

    def metadata() -> bytes:
        if record is None or state.header is None:
            return b""
        size = (state.header.width, state.header.height)
        return png.text_chunk("parameters", a1111_parameters(record, size)) + png.itxt_chunk(
            "easel", record.to_json()
        )

    png.copy_png(
        src,
        dst,
        metadata=metadata,
        replaced=RECORD_KEYS if record is not None else (),
        on_chunk=state.on_chunk,
        on_data=state.on_data,
    )
    assert state.header is not None
    full = (state.header.width, state.header.height)
    if state.decoder is not None:
        reduced = state.decoder.finish()
    else:  # interlaced or 16-bit colour: decode it whole
        src.seek(0)
        with _open_whole(src, "PNG", limits) as image:
            reduced = thumbnails.from_whole(image)
    width, height = thumbnails.upright_size(full, state.turn)
    return width, height, thumbnails.webp(reduced, full, state.turn, state.icc)


def _raster(
    src: BinaryIO, dst: _Hashing, kind: str, record: GenerationRecord | None, limits: Limits
) -> tuple[int, int, bytes]:
    """JPEG, WebP and GIF: decode (JPEG at reduced scale), then copy with XMP."""
    with _open_whole(src, _PILLOW_FORMATS[kind], limits) as image:
        full = image.size
        turn = thumbnails.orientation(image.getexif())
        icc = image.info.get("icc_profile")
        thumb = thumbnails.webp(thumbnails.from_whole(image), full, turn, icc)
    src.seek(0)
    copy = {"image/jpeg": jpeg.copy_jpeg, "image/webp": webp.copy_webp}.get(kind)
    if record is None or copy is None:
        shutil.copyfileobj(src, dst, 256 * 1024)
    else:
        description = xmp_description(record, full)
        copy(src, dst, lambda existing: xmp_packet(description, existing))
    width, height = thumbnails.upright_size(full, turn)
    return width, height, thumb


def _svg(
    src: BinaryIO, dst: _Hashing, size: int, record: GenerationRecord | None, limits: Limits
) -> tuple[int, int, bytes]:
    if size > _MAX_SVG_BYTES:
        raise svg.Unusable(f"it is larger than the {_MAX_SVG_BYTES:,}-byte limit for SVG")
    root = svg.sanitise(src.read())
    data = svg.with_record(root, record)
    width, height = svg.natural_size(root)
    raster = svg.rasterise(data, thumbnails.fit(width, height))
    dst.write(data)
    return width, height, thumbnails.webp(raster, raster.size, 1, None)


def _open_whole(src: BinaryIO, fmt: str, limits: Limits) -> Image.Image:
    """Open and decode ``src`` (JPEG at the scale the thumbnail needs), or raise
    `InvalidOutput` saying why not."""
    try:
        image = Image.open(src, formats=[fmt])
        try:
            _check_pixels(image.size, limits)
            if fmt == "JPEG":
                box = thumbnails.fit(*image.size)
                image.draft(image.mode, (box[0] * 2, box[1] * 2))
            image.load()
        except BaseException:
            image.close()
            raise
    except InvalidOutput:
        raise
    except UnidentifiedImageError:
        raise png.Damaged("it cannot be opened") from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise InvalidOutput(f"{limits.subject} an image too large to open: {exc}") from exc
    except MemoryError:
        raise
    except Exception as exc:  # decoders raise OSError, SyntaxError, ValueError, EOFError…
        raise png.Damaged(str(exc).rstrip(".")) from exc
    return image


# --- storing ---------------------------------------------------------------------------------


async def store_image(store: ImageStore, image: PreparedImage) -> None:
    """Put the thumbnail, then the original, skipping keys already stored.

    In that order a present original implies a present thumbnail. Failures raise
    `StorageError`; nothing is ever kept anywhere temporary instead.
    """
    thumb, original = image.thumbnail_key, image.original
    await _put_missing(store, thumb, lambda: store.put(thumb, image.thumbnail, "image/webp"))
    key, mime = image.storage_key, image.mime_type
    if isinstance(original, bytes):
        await _put_missing(store, key, lambda: store.put(key, original, mime))
    else:
        await _put_missing(store, key, lambda: store.put_file(key, original, mime))


async def _put_missing(store: ImageStore, key: str, put: Callable[[], Awaitable[None]]) -> None:
    try:
        if not await store.exists(key):
            await put()
    except StorageError:
        raise
    except Exception as exc:  # a third-party ImageStore's own error type
        raise StorageError(f"Could not store image {key}: {exc}") from exc
