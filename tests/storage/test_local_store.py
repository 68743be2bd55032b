"""The ImageStore contract over a folder, obstore's MemoryStore and a real S3-compatible
server, plus what only the folder store promises: atomic, durable writes and failures a
person can act on."""

from __future__ import annotations

import asyncio
import errno
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import obstore
import pytest
from obstore.exceptions import GenericError
from obstore.store import MemoryStore
from prometheus_client import REGISTRY

from easel.errors import StorageError
from easel.storage import local
from easel.storage.base import ImageStore
from easel.storage.factory import open_image_store
from easel.storage.local import STAGING_DIR, LocalImageStore
from easel.storage.s3 import ObjectImageStore, open_s3_store, s3_options_from_env
from support.s3 import S3Bucket, configured_store

KEY = "originals/ab/cd/abcd.png"


@pytest.fixture(params=["local", "memory", "s3"])
def store(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> ImageStore:
    if request.param == "local":
        return LocalImageStore(tmp_path / "images")
    if request.param == "s3":
        bucket: S3Bucket = request.getfixturevalue("s3_bucket")
        return configured_store(bucket.env(), monkeypatch)
    return ObjectImageStore(MemoryStore(), name="memory")


async def _collect(store: ImageStore, key: str, chunk_size: int) -> list[bytes]:
    opened = await store.open(key, chunk_size)
    chunks = [chunk async for chunk in opened.chunks]
    assert opened.size == sum(map(len, chunks))
    return chunks


def _files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


# --- the contract, for every store ---------------------------------------------------------


async def test_put_get_exists_delete(store: ImageStore) -> None:
    assert not await store.exists(KEY)
    await store.put(KEY, b"pixels", "image/png")
    assert await store.exists(KEY)
    assert await store.get(KEY) == b"pixels"
    await store.delete(KEY)
    assert not await store.exists(KEY)


async def test_open_yields_the_whole_object_and_its_size(store: ImageStore) -> None:
    data = os.urandom(1024 * 1024 + 7)
    await store.put(KEY, data, "image/png")
    chunks = await _collect(store, KEY, 64 * 1024)
    assert b"".join(chunks) == data
    assert all(chunks)


async def test_put_twice_keeps_one_copy(store: ImageStore) -> None:
    await store.put(KEY, b"same", "image/png")
    await store.put(KEY, b"same", "image/png")
    assert await store.get(KEY) == b"same"


async def test_put_replaces_whole_object(store: ImageStore) -> None:
    await store.put(KEY, b"a much longer first version", "image/png")
    await store.put(KEY, b"short", "image/png")
    assert await store.get(KEY) == b"short"


async def test_missing_key_raises_key_error(store: ImageStore) -> None:
    with pytest.raises(KeyError):
        await store.get("originals/no/pe/nope.png")
    with pytest.raises(KeyError):
        await _collect(store, "originals/no/pe/nope.png", 1024)


async def test_delete_missing_is_fine(store: ImageStore) -> None:
    await store.delete("originals/no/pe/nope.png")


async def test_empty_object(store: ImageStore) -> None:
    await store.put(KEY, b"", "image/png")
    assert await store.get(KEY) == b""


async def test_put_file_uploads_the_file_and_leaves_it(store: ImageStore, tmp_path: Path) -> None:
    source = tmp_path / "staged.png"
    data = os.urandom(300_000)
    source.write_bytes(data)
    await store.put_file(KEY, source, "image/png")
    assert await store.get(KEY) == data
    assert source.read_bytes() == data


async def test_a_reachable_store_passes_its_check(store: ImageStore) -> None:
    await store.check()


# --- the folder store ----------------------------------------------------------------------


async def test_files_land_at_their_key_and_nothing_else_remains(tmp_path: Path) -> None:
    root = tmp_path / "images"
    store = LocalImageStore(root)
    await store.put(KEY, b"one", "image/png")
    await store.put(KEY, b"one", "image/png")
    assert _files(root) == [KEY]
    assert (root / KEY).read_bytes() == b"one"


async def test_open_from_disk_comes_in_chunks(tmp_path: Path) -> None:
    store = LocalImageStore(tmp_path)
    await store.put(KEY, b"x" * 300_000, "image/png")
    assert len(await _collect(store, KEY, 64 * 1024)) > 1


async def test_failed_write_leaves_no_file_at_the_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "images"
    store = LocalImageStore(root)

    def crash(*args: Any, **kwargs: Any) -> None:
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(StorageError, match="I/O error"):
        await store.put(KEY, b"data", "image/png")
    assert not (root / KEY).exists()
    assert _files(root) == []  # the staging copy is cleaned up too


@pytest.mark.skipif(os.name != "posix", reason="folders are fsynced on POSIX only")
async def test_folders_above_a_file_are_fsynced_once_then_only_its_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "images"
    store = LocalImageStore(root)
    synced: list[str] = []
    fsync = os.fsync

    def counting(fd: int) -> None:
        synced.append(os.readlink(f"/proc/self/fd/{fd}"))
        fsync(fd)

    monkeypatch.setattr(os, "fsync", counting)
    await store.put(KEY, b"first", "image/png")
    folders = [root / "originals/ab/cd", root / "originals/ab", root / "originals", root]
    assert synced[1:] == [str(f) for f in folders]  # the file, then each folder up
    synced.clear()
    await store.put("originals/ab/cd/other.png", b"second", "image/png")
    assert synced[1:] == [str(root / "originals/ab/cd")]
    synced.clear()
    await store.put("originals/ab/ef/third.png", b"third", "image/png")  # a new folder
    assert synced[1:] == [str(root / "originals/ab/ef"), str(root / "originals/ab")]
    # A folder removed and made again is a new one: its parent is fsynced again.
    for name in ("other.png", "abcd.png"):
        (root / "originals/ab/cd" / name).unlink()
    (root / "originals/ab/cd").rmdir()
    synced.clear()
    await store.put(KEY, b"again", "image/png")
    assert synced[1:] == [str(root / "originals/ab/cd"), str(root / "originals/ab")]
    assert await store.get(KEY) == b"again"


def _fsyncs_recorded() -> tuple[float, float]:
    """(count, seconds) of the fsync histogram, both targets."""
    count = seconds = 0.0
    for target in ("file", "folder"):
        labels = {"target": target}
        count += REGISTRY.get_sample_value("easel_storage_fsync_seconds_count", labels) or 0.0
        seconds += REGISTRY.get_sample_value("easel_storage_fsync_seconds_sum", labels) or 0.0
    return count, seconds


@pytest.mark.skipif(os.name != "posix", reason="folders are fsynced on POSIX only")
@pytest.mark.parametrize("how", ["bytes", "file"])
async def test_every_fsync_is_timed_in_the_metrics(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    store = LocalImageStore(tmp_path / "images")
    source = tmp_path / "staged.png"
    source.write_bytes(b"pixels")
    synced: list[int] = []
    fsync = os.fsync

    def counting(fd: int) -> None:
        synced.append(fd)
        fsync(fd)

    monkeypatch.setattr(os, "fsync", counting)
    count, seconds = _fsyncs_recorded()
    for key in (KEY, "originals/ab/cd/other.png"):  # new folders, then a known one
        if how == "bytes":
            await store.put(key, b"pixels", "image/png")
        else:
            await store.put_file(key, source, "image/png")
    assert len(synced) == 5 + 2
    after_count, after_seconds = _fsyncs_recorded()
    assert after_count - count == len(synced)
    assert after_seconds > seconds


CRASHING_WRITER = """
import asyncio, sys
from easel.storage.local import LocalImageStore

async def main() -> None:
    store = LocalImageStore(sys.argv[1])
    size = int(sys.argv[2])
    print("ready", flush=True)
    for i in range(1, 1_000_000):
        await store.put("originals/big.bin", bytes([i % 256]) * size, "image/png")

asyncio.run(main())
"""


@pytest.mark.parametrize("delay", [0.0, 0.05, 0.2])
async def test_killed_writer_leaves_key_absent_or_complete(tmp_path: Path, delay: float) -> None:
    root = tmp_path / "images"
    size = 32 * 1024 * 1024
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-c", CRASHING_WRITER, str(root), str(size), stdout=subprocess.PIPE
    )
    try:
        assert child.stdout is not None
        assert (await child.stdout.readline()).strip() == b"ready"
        await asyncio.sleep(delay)  # lands in the middle of some write (or before the first)
    finally:
        child.kill()
        await child.wait()

    store = LocalImageStore(root)
    if await store.exists("originals/big.bin"):
        data = await store.get("originals/big.bin")
        assert len(data) == size
        assert data == data[:1] * size  # one whole version, never a mix
    # Whatever the kill left in staging is only ever swept, never read.
    await store.remove_stale_staging(older_than_seconds=0)
    staging = root / STAGING_DIR
    assert not staging.exists() or not any(staging.iterdir())


async def test_remove_stale_staging_spares_fresh_files(tmp_path: Path) -> None:
    store = LocalImageStore(tmp_path)
    staging = tmp_path / STAGING_DIR
    staging.mkdir(exist_ok=True)
    (staging / "old").write_bytes(b"x")
    (staging / "new").write_bytes(b"x")
    an_hour_ago = time.time() - 7200
    os.utime(staging / "old", (an_hour_ago, an_hour_ago))
    assert await store.remove_stale_staging(older_than_seconds=3600) == 1
    assert sorted(p.name for p in staging.iterdir()) == ["new"]


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root ignores file modes")
async def test_permission_denied_is_a_clear_storage_error(tmp_path: Path) -> None:
    root = tmp_path / "images"
    store = LocalImageStore(root)
    root.chmod(0o500)
    try:
        with pytest.raises(StorageError) as caught:
            await store.put(KEY, b"data", "image/png")
    finally:
        root.chmod(0o700)
    assert "permission denied" in str(caught.value)
    assert str(root) in str(caught.value)


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (PermissionError(errno.EACCES, "Permission denied"), "permission denied"),
        (OSError(errno.ENOSPC, "No space left on device"), "the disk is full"),
        (OSError(errno.EROFS, "Read-only file system"), "read-only"),
    ],
)
async def test_os_failures_become_actionable_storage_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error: Exception, expected: str
) -> None:
    root = tmp_path / "images"
    store = LocalImageStore(root)

    def failing_write(*args: Any, **kwargs: Any) -> None:
        raise error

    monkeypatch.setattr(local, "_write_new", failing_write)
    with pytest.raises(StorageError) as caught:
        await store.put(KEY, b"data", "image/png")
    message = str(caught.value)
    assert expected in message
    assert str(root / KEY) in message  # names the file a person would look at


async def test_obstore_failures_become_actionable_storage_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Reads and removals go through obstore, which reports an OS failure with the errno
    only in its text."""
    root = tmp_path / "images"
    store = LocalImageStore(root)

    async def failing_delete(*args: Any, **kwargs: Any) -> None:
        raise GenericError(
            "Generic LocalFileSystem error: Unable to delete /x: "
            "Permission denied (os error 13)\n\nDebug source: ..."
        )

    monkeypatch.setattr(obstore, "delete_async", failing_delete)
    with pytest.raises(StorageError) as caught:
        await store.delete(KEY)
    message = str(caught.value)
    assert "permission denied" in message
    assert str(root / KEY) in message
    assert "Debug source" not in message


async def test_a_file_in_the_way_is_reported(tmp_path: Path) -> None:
    root = tmp_path / "images"
    store = LocalImageStore(root)
    (root / "originals").write_bytes(b"not a folder")
    with pytest.raises(StorageError, match="a file is in the way"):
        await store.put(KEY, b"data", "image/png")


def test_unusable_root_is_reported(tmp_path: Path) -> None:
    (tmp_path / "file").write_bytes(b"")
    with pytest.raises(StorageError, match="Could not open the image folder"):
        LocalImageStore(tmp_path / "file" / "images")


# --- choosing a store by URL ---------------------------------------------------------------


def test_file_url_opens_a_folder_store(tmp_path: Path) -> None:
    folder = tmp_path / "my images"
    store = open_image_store(folder.as_uri())
    assert isinstance(store, LocalImageStore)
    assert store.root == folder.resolve()
    assert folder.is_dir()


def test_s3_url_opens_an_object_store_without_network() -> None:
    store = open_image_store("s3://bucket/easel", {"region": "eu-west-1"})
    assert type(store) is ObjectImageStore
    assert store.name == "s3://bucket/easel"


async def test_memory_url_is_a_working_store() -> None:
    store = open_image_store("memory://")
    await store.put(KEY, b"x", "image/png")
    assert await store.get(KEY) == b"x"


@pytest.mark.parametrize(
    ("url", "hint"),
    [
        ("ftp://host/images", "file://, s3://, memory://"),
        ("/srv/images", "file:///srv/images"),
        ("file://server/share", "three slashes"),
    ],
)
def test_bad_urls_are_rejected_clearly(url: str, hint: str) -> None:
    with pytest.raises(ValueError, match=hint):
        open_image_store(url)


def test_bad_s3_option_is_a_storage_error() -> None:
    with pytest.raises(StorageError, match="bogus"):
        open_s3_store("s3://bucket/easel", {"bogus": "x"})


def test_s3_options_from_env() -> None:
    environ = {
        "EASEL_S3_ENDPOINT": "http://127.0.0.1:9000",
        "EASEL_S3_REGION": "us-east-1",
        "EASEL_S3_ALLOW_HTTP": "true",
        "EASEL_S3_SESSION_TOKEN": "",
        "EASEL_PORT": "8000",
    }
    assert s3_options_from_env(environ) == {
        "endpoint": "http://127.0.0.1:9000",
        "region": "us-east-1",
        "client_options": {"allow_http": "true"},
    }
    open_s3_store("s3://bucket/easel", s3_options_from_env(environ))  # obstore accepts them


async def test_memory_store_keeps_the_content_type() -> None:
    backing = MemoryStore()
    store = ObjectImageStore(backing)
    await store.put(KEY, b"x", "image/webp")
    result = await obstore.get_async(backing, KEY)
    assert result.attributes.get("Content-Type") == "image/webp"
