"""Staging: files on their way into the image store.

A provider's result is written here as it arrives (a download streamed with its byte cap,
base64 decoded piece by piece), prepared from here (metadata spliced in, thumbnail made)
and put into the store from here. So an image is never held whole in memory beside its
decoded pixels, and a storage outage can be waited out with the result kept on disk.

For a folder store the staging folder sits inside it (``<root>/.staging``), so moving a
staged file into place is a rename on the same file system. Files a killed process leaves
behind are removed by `Staging.sweep` once they are older than an hour.
"""

from __future__ import annotations

import asyncio
import binascii
import contextlib
import os
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

from easel import payloads
from easel.errors import InvalidOutput

_FLUSH_BYTES = 1024 * 1024
"""Bytes gathered in memory before one write to the staging file, off the event loop."""
_BASE64_PIECE = 4 * 1024 * 1024
"""Base64 characters decoded at a time (a multiple of 4)."""
STALE_SECONDS = 3600.0


class Writable(Protocol):
    """Where prepared bytes go: a file, or a wrapper that hashes on the way."""

    def write(self, data: bytes, /) -> object: ...


@dataclass(frozen=True)
class StagedFile:
    """A file in the staging folder. Whoever holds it last calls `discard`."""

    path: Path
    size: int
    mime_type: str
    """The type its source declared (a Content-Type, a data: URL); checked later."""

    def open(self) -> BinaryIO:
        return self.path.open("rb")

    def read_bytes(self) -> bytes:
        return self.path.read_bytes()

    def discard(self) -> None:
        with contextlib.suppress(OSError):
            self.path.unlink(missing_ok=True)


class TooLarge(Exception):
    """More bytes arrived than the writer's limit allows."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"more than {limit:,} bytes")
        self.limit = limit


class StagingWriter:
    """Appends chunks to a new staging file, refusing to grow past ``max_bytes``."""

    def __init__(self, path: Path, max_bytes: int) -> None:
        self.path = path
        self.max_bytes = max_bytes
        self.size = 0
        self._pending: list[bytes] = []
        self._pending_size = 0
        self._file: BinaryIO | None = None

    async def write(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.size > self.max_bytes:
            raise TooLarge(self.max_bytes)
        self._pending.append(chunk)
        self._pending_size += len(chunk)
        if self._pending_size >= _FLUSH_BYTES:
            await self.flush()

    async def flush(self) -> None:
        if not self._pending:
            return
        await asyncio.to_thread(self._append, self._take_pending())

    def _take_pending(self) -> bytes:
        data, self._pending, self._pending_size = b"".join(self._pending), [], 0
        return data

    async def finish(self) -> None:
        """Write what is pending and close the file, on one thread call: most results
        are smaller than a flush, and arrive whole here."""
        await asyncio.to_thread(self._finish, self._take_pending())

    def _finish(self, data: bytes) -> None:
        if data:
            self._append(data)
        self._close()

    def _append(self, data: bytes) -> None:
        if self._file is None:
            self._file = self.path.open("wb")
        self._file.write(data)

    def _close(self) -> None:
        if self._file is None:
            self.path.touch()
        else:
            self._file.close()


class Staging:
    """A folder of staged files; created when missing."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def new_path(self, suffix: str = "") -> Path:
        self.root.mkdir(parents=True, exist_ok=True)
        return self.root / f"{uuid.uuid4().hex}{suffix}"

    @contextlib.asynccontextmanager
    async def writer(self, max_bytes: int) -> AsyncIterator[StagingWriter]:
        """``async with staging.writer(cap) as w: await w.write(chunk)``; the file is
        removed when the block fails. Read ``w.path`` and ``w.size`` afterwards."""
        writer = StagingWriter(self.new_path(), max_bytes)
        try:
            yield writer
            await writer.finish()
        except BaseException:
            await asyncio.to_thread(_close_and_remove, writer)
            raise

    async def write(self, data: bytes, mime_type: str) -> StagedFile:
        """Stage bytes already in memory (a provider's inline result)."""
        path = self.new_path()
        await asyncio.to_thread(path.write_bytes, data)
        return StagedFile(path, len(data), mime_type)

    async def write_base64(self, text: str, mime_type: str, max_bytes: int) -> StagedFile:
        """Decode base64 ``text`` into a staged file a piece at a time, so the decoded
        bytes never sit in memory whole beside the text."""
        return await asyncio.to_thread(self._decode_base64, text, mime_type, max_bytes)

    def _decode_base64(self, text: str, mime_type: str, max_bytes: int) -> StagedFile:
        text = "".join(text.split()) if any(c.isspace() for c in text[:128]) else text
        if len(text) * 3 // 4 > max_bytes + 2:
            raise InvalidOutput(f"The image is larger than the {max_bytes:,}-byte limit.")
        path = self.new_path()
        size = 0
        try:
            with path.open("wb") as out:
                for start in range(0, len(text), _BASE64_PIECE):
                    piece = payloads.b64decode(text[start : start + _BASE64_PIECE])
                    size += out.write(piece)
        except (binascii.Error, ValueError) as exc:
            path.unlink(missing_ok=True)
            raise InvalidOutput("The provider returned broken base64 image data.") from exc
        return StagedFile(path, size, mime_type)

    def sweep(self, older_than_seconds: float = STALE_SECONDS) -> int:
        """Remove staged files older than the cutoff (left by killed processes)."""
        cutoff = time.time() - older_than_seconds
        removed = 0
        try:
            entries = list(os.scandir(self.root))
        except FileNotFoundError:
            return 0
        for entry in entries:
            try:
                if entry.is_file(follow_symlinks=False) and entry.stat().st_mtime < cutoff:
                    os.unlink(entry.path)
                    removed += 1
            except FileNotFoundError:
                continue  # another process swept it first
        return removed


def _close_and_remove(writer: StagingWriter) -> None:
    with contextlib.suppress(OSError):
        writer._close()
    writer.path.unlink(missing_ok=True)
