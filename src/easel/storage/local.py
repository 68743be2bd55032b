"""`LocalImageStore`: images in a folder, through obstore's LocalStore.

obstore already writes a local object to ``<key>#<n>`` and renames it into place, so a
crashed writer never leaves a partial file at a key. It does not fsync, though, and after
a power cut a freshly renamed file can come back empty, which content addressing would
then treat as "already stored" forever. So a put here is: write to ``.staging/<uuid>``
(through obstore), fsync it, rename it onto the key, fsync the folders on the way. Files a
killed writer leaves in ``.staging`` are harmless; `remove_stale_staging` clears them.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
import uuid
from pathlib import Path

import obstore
from obstore.exceptions import BaseError
from obstore.store import LocalStore

from easel.errors import StorageError
from easel.storage.s3 import ObjectImageStore

STAGING_DIR = ".staging"


class LocalImageStore(ObjectImageStore):
    """A folder of images; created (with parents) when missing."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root).expanduser().resolve()
        self.name = str(self.root)
        try:
            store = LocalStore(prefix=self.root, mkdir=True)
        except (BaseError, OSError) as exc:
            reason, hint = self._explain(exc)
            raise StorageError(
                f"Could not open the image folder {self.root}: {reason}.", hint=hint
            ) from exc
        super().__init__(store, name=self.name)

    async def _write(self, key: str, data: bytes, content_type: str) -> None:
        staging = f"{STAGING_DIR}/{uuid.uuid4().hex}"
        await obstore.put_async(self._store, staging, data, use_multipart=False)
        try:
            await asyncio.to_thread(_fsync_file, self.root / staging)
            await obstore.rename_async(self._store, staging, key)
        except BaseException:
            _remove_quietly(self.root / staging)
            raise
        await asyncio.to_thread(_fsync_dirs, (self.root / key).parent, self.root)

    async def remove_stale_staging(self, older_than_seconds: float = 3600.0) -> int:
        """Delete staging files older than the cutoff (left by killed writers); returns how
        many. The age guard keeps it safe while other processes are writing."""
        cutoff = time.time() - older_than_seconds
        return await asyncio.to_thread(_sweep, self.root / STAGING_DIR, cutoff)

    def _location(self, key: str) -> str:
        return str(self.root / key)


def _fsync_file(path: Path) -> None:
    with path.open("rb+") as f:
        os.fsync(f.fileno())


def _fsync_dirs(folder: Path, root: Path) -> None:
    """fsync ``folder`` and its parents up to ``root``: the rename may have created them."""
    if os.name == "nt":  # Windows cannot open a folder for fsync; NTFS journals renames
        return
    while True:
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        if folder == root or folder.parent == folder:
            return
        folder = folder.parent


def _remove_quietly(path: Path) -> None:
    # The sweep gets it later if this fails; the original error matters more.
    with contextlib.suppress(OSError):
        path.unlink(missing_ok=True)


def _sweep(folder: Path, cutoff: float) -> int:
    removed = 0
    try:
        entries = list(os.scandir(folder))
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
