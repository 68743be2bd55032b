"""`LocalImageStore`: images in a folder, read and removed through obstore's LocalStore.

obstore already writes a local object to ``<key>#<n>`` and renames it into place, so a
crashed writer never leaves a partial file at a key. It does not fsync, though, and after
a power cut a freshly renamed file can come back empty, which content addressing would
then treat as "already stored" forever. So a put here is, in one call on a thread:
write to ``.staging/<uuid>``, fsync it, rename it onto the key and fsync the folder that
now holds it.
The folders above it are fsynced only the first time this store puts into that folder:
a folder's own entry in its parent is durable once its parent was fsynced after it was
made, and that stays true, so fsyncing it again for every image (ten fsyncs per image
instead of four) bought nothing. A folder is remembered only after that fsync returned
(so one made by another, perhaps killed, writer is fsynced up to the root once here),
and forgotten when a put finds it missing (removed by hand, it is made anew). A file
already on disk (`put_file`) is hard-linked or copied into ``.staging`` by the kernel, not
read through Python; bytes (`put`) are written there on the same thread call. Look-ups
are a stat. Files a killed writer leaves in ``.staging`` are harmless;
`remove_stale_staging` clears them, and `staging` lends the folder to
`easel.storage.staging` so results are staged on the same file system.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import uuid
from pathlib import Path

from obstore.exceptions import BaseError
from obstore.store import LocalStore

from easel.errors import StorageError
from easel.ops.metrics import FSYNC_SECONDS
from easel.storage.s3 import ObjectImageStore
from easel.storage.staging import Staging

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
        self._durable = _DurableFolders(self.root)

    async def check(self) -> None:
        if not await asyncio.to_thread(os.access, self.root, os.W_OK | os.X_OK):
            raise StorageError(
                f"Could not reach the image folder {self.root}: it is missing or not writable.",
                hint=f"Check that the user running Easel may read and write {self.root}.",
            )

    async def exists(self, key: str) -> bool:
        # A stat, on the loop: microseconds, where a look-up through obstore's runtime
        # costs about 0.2 ms of CPU, twice for every image stored.
        try:
            return (self.root / key).is_file()
        except OSError as exc:
            raise self._failure("look up", key, exc) from exc

    async def _write(self, key: str, data: bytes, content_type: str) -> None:
        await asyncio.to_thread(self._settle, self._staged(), key, data)

    async def _write_file(self, key: str, path: Path, content_type: str) -> None:
        await asyncio.to_thread(self._settle, self._staged(), key, path)

    def _staged(self) -> Path:
        return self.root / STAGING_DIR / uuid.uuid4().hex

    def _settle(self, staged: Path, key: str, source: bytes | Path) -> None:
        """On one thread (a hop each way costs more than the work): stage ``source`` (the
        bytes, or a file), fsync it, rename it onto the key, fsync the folders."""
        target = self.root / key
        try:
            staged.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(source, bytes):
                _write_new(staged, source)
            else:
                _link_or_copy(source, staged)
            _fsync_file(staged)
            self._durable.forget_missing(target.parent)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staged, target)
        except BaseException:
            _remove_quietly(staged)
            raise
        self._durable.fsync(target.parent)

    @property
    def staging(self) -> Staging:
        return Staging(self.root / STAGING_DIR)

    async def remove_stale_staging(self, older_than_seconds: float = 3600.0) -> int:
        """Delete staging files older than the cutoff (left by killed writers); returns how
        many. The age guard keeps it safe while other processes are writing."""
        return await asyncio.to_thread(self.staging.sweep, older_than_seconds)

    def _location(self, key: str) -> str:
        return str(self.root / key)


def _fsync_file(path: Path) -> None:
    with path.open("rb+") as f, FSYNC_SECONDS.labels("file").time():
        os.fsync(f.fileno())


class _DurableFolders:
    """fsyncs a folder after a rename into it, and its parents up to the root only until
    each is known to be durably linked (see the module's docstring)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._linked: set[Path] = set()
        """Folders whose entry in their parent this store fsynced after making them."""

    def forget_missing(self, folder: Path) -> None:
        """Before a rename into ``folder``: forget the folders the rename will make. One
        that was removed meanwhile (by hand, say) is made anew and fsynced up the tree
        again."""
        while folder != self.root and not folder.is_dir():
            self._linked.discard(folder)
            folder = folder.parent

    def fsync(self, folder: Path) -> None:
        """After the rename: the new entry in ``folder``, and each folder up the tree
        whose own entry is not known to be durable yet."""
        if os.name == "nt":  # Windows cannot open a folder for fsync; NTFS journals renames
            return
        _fsync_dir(folder)
        while folder != self.root and folder.parent != folder and folder not in self._linked:
            _fsync_dir(folder.parent)
            self._linked.add(folder)
            folder = folder.parent


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        with FSYNC_SECONDS.labels("folder").time():
            os.fsync(fd)
    finally:
        os.close(fd)


def _remove_quietly(path: Path) -> None:
    # The sweep gets it later if this fails; the original error matters more.
    with contextlib.suppress(OSError):
        path.unlink(missing_ok=True)


def _write_new(target: Path, data: bytes) -> None:
    with target.open("xb") as f:
        f.write(data)


def _link_or_copy(source: Path, target: Path) -> None:
    """A second name for ``source`` at ``target``, or a kernel-side copy across devices."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)
