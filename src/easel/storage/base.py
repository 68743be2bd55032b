"""The ImageStore interface: a flat key → bytes store that never loses a write half-way.

Keys are chosen by `easel.storage.images` (content-addressed: the sha256 of the bytes);
a store only puts, reads and deletes them. Implementations: `local.py` (a folder) and,
for scale-out, an S3-compatible bucket through the same obstore API.
"""

from __future__ import annotations

import abc
from collections.abc import AsyncIterator


class ImageStore(abc.ABC):
    @abc.abstractmethod
    async def put(self, key: str, data: bytes, content_type: str) -> None:
        """Store ``data`` under ``key`` atomically: readers see all of it or nothing.
        Putting a key that exists is allowed and leaves one copy."""

    @abc.abstractmethod
    async def get(self, key: str) -> bytes:
        """The whole object; raises ``KeyError`` when it does not exist."""

    @abc.abstractmethod
    def stream(self, key: str, chunk_size: int = 256 * 1024) -> AsyncIterator[bytes]:
        """The object in chunks, for serving large files; ``KeyError`` when missing."""

    @abc.abstractmethod
    async def exists(self, key: str) -> bool: ...

    @abc.abstractmethod
    async def delete(self, key: str) -> None:
        """Remove the object; deleting a missing key is not an error."""

    async def aclose(self) -> None:  # noqa: B027
        """Release connections."""
