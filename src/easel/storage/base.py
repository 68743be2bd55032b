"""The ImageStore interface: a flat key → bytes store that never loses a write half-way.

Keys are chosen by `easel.storage.images` (content-addressed: the sha256 of the bytes);
a store only puts, reads and deletes them. Implementations: `local.py` (a folder) and,
for scale-out, an S3-compatible bucket through the same obstore API. Which objects may be
deleted, and when, is decided by `easel.storage.collector`, never by a store.
"""

from __future__ import annotations

import abc
import asyncio
from collections.abc import AsyncGenerator
from dataclasses import dataclass
from pathlib import Path


@dataclass
class StoredObject:
    """An object opened for reading: its size is known before the first byte is sent."""

    size: int
    chunks: AsyncGenerator[bytes, None]


class ImageStore(abc.ABC):
    @abc.abstractmethod
    async def put(self, key: str, data: bytes, content_type: str) -> None:
        """Store ``data`` under ``key`` atomically: readers see all of it or nothing.
        Putting a key that exists is allowed and leaves one copy."""

    async def put_file(self, key: str, path: Path, content_type: str) -> None:
        """`put` the contents of a local file; the file stays where it is. Stores that
        can copy or upload from a file without reading it into memory override this."""
        await self.put(key, await asyncio.to_thread(path.read_bytes), content_type)

    @abc.abstractmethod
    async def get(self, key: str) -> bytes:
        """The whole object; raises ``KeyError`` when it does not exist."""

    @abc.abstractmethod
    async def open(self, key: str, chunk_size: int = 256 * 1024) -> StoredObject:
        """The object's size and its bytes in chunks, for serving large files. Raises
        ``KeyError`` when it does not exist, before anything is read; a failure while
        reading the chunks raises `StorageError` from the iterator."""

    @abc.abstractmethod
    async def exists(self, key: str) -> bool: ...

    @abc.abstractmethod
    async def delete(self, key: str) -> None:
        """Remove the object; deleting a missing key is not an error."""

    async def check(self) -> None:  # noqa: B027
        """Raise `StorageError` when the store cannot be reached (readiness probes).
        Stores that can fail to be reachable override it with a cheap round trip."""

    async def aclose(self) -> None:  # noqa: B027
        """Release connections."""
