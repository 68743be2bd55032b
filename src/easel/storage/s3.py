"""`ObjectImageStore`: the one ImageStore implementation, over any obstore store.

S3 (and S3-compatible servers: MinIO, R2, Ceph…) is its main use, hence the module name;
`local.py` subclasses it for a folder and `MemoryStore` backs it in tests. Every obstore
or OS failure leaves here as a `StorageError` whose message names the object and says
what to do about it.
"""

from __future__ import annotations

import errno
import os
import re
from collections.abc import AsyncGenerator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import obstore
from obstore.exceptions import (
    BaseError,
    NotFoundError,
    PermissionDeniedError,
    UnauthenticatedError,
)
from obstore.store import LocalStore, from_url

from easel.errors import StorageError
from easel.storage.base import ImageStore, StoredObject

if TYPE_CHECKING:
    from obstore import GetResult
    from obstore.store import ObjectStore

# obstore reports OS failures as "GenericError: … (os error 13)"; the errno is only in the text.
_OS_ERROR_RE = re.compile(r"\(os error (\d+)\)")

_ERRNO_REASONS: dict[int, str] = {
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is exhausted",
    errno.EROFS: "the file system is read-only",
    errno.ENOTDIR: "a file is in the way where a folder should be",
    errno.EISDIR: "a folder is in the way where a file should be",
    errno.EEXIST: "a file is in the way where a folder should be",
    errno.EIO: "the disk reported an I/O error",
}

# EASEL_S3_* names that configure the HTTP client; `s3_options_from_env` passes every other
# one to obstore's S3 config as-is (lower-cased), so obstore rejects typos by name.
# How obstore's HTTP client words a connection that never got an answer.
_UNREACHABLE = "error sending request"

_CLIENT_OPTION_KEYS = {"allow_http", "allow_invalid_certificates", "timeout", "connect_timeout"}


class ObjectImageStore(ImageStore):
    """An ImageStore over an obstore store (S3, GCS, Azure, memory, local)."""

    def __init__(self, store: ObjectStore, *, name: str | None = None) -> None:
        self._store = store
        self.name = name or repr(store)
        # LocalFileSystem refuses attributes; every other backend keeps the Content-Type.
        self._send_content_type = not isinstance(store, LocalStore)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r})"

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        try:
            await self._write(key, data, content_type)
        except (BaseError, OSError) as exc:
            raise self._failure("save", key, exc) from exc

    async def get(self, key: str) -> bytes:
        result = await self._open(key)
        try:
            return bytes(await result.bytes_async())
        except (BaseError, OSError) as exc:
            raise self._failure("read", key, exc) from exc

    async def open(self, key: str, chunk_size: int = 256 * 1024) -> StoredObject:
        result = await self._open(key)
        return StoredObject(int(result.meta["size"]), self._chunks(key, result, chunk_size))

    async def _chunks(
        self, key: str, result: GetResult, chunk_size: int
    ) -> AsyncGenerator[bytes, None]:
        try:
            async for chunk in result.stream(min_chunk_size=chunk_size):
                yield bytes(chunk)
        except (BaseError, OSError) as exc:
            raise self._failure("read", key, exc) from exc

    async def put_file(self, key: str, path: Path, content_type: str) -> None:
        try:
            await self._write_file(key, path, content_type)
        except (BaseError, OSError) as exc:
            raise self._failure("save", key, exc) from exc

    async def exists(self, key: str) -> bool:
        try:
            await obstore.head_async(self._store, key)
        except FileNotFoundError:
            return False
        except (BaseError, OSError) as exc:
            raise self._failure("look up", key, exc) from exc
        return True

    async def delete(self, key: str) -> None:
        try:
            await obstore.delete_async(self._store, key)
        except FileNotFoundError:
            pass  # LocalStore reports a missing key; the contract says that is fine
        except (BaseError, OSError) as exc:
            raise self._failure("delete", key, exc) from exc

    async def check(self) -> None:
        """List at most one object: it needs the endpoint up, the credentials accepted
        and the bucket present, where a HEAD of some key would call a missing bucket a
        missing object."""
        try:
            stream = obstore.list(self._store, chunk_size=1)
            async for _ in stream:
                break
        except (BaseError, OSError) as exc:
            reason, hint = self._explain(exc)
            raise StorageError(f"Could not reach {self.name}: {reason}.", hint=hint) from exc

    async def _write(self, key: str, data: bytes, content_type: str) -> None:
        """Atomic overwrite of ``key``; subclasses may add durability around it."""
        attributes = {"Content-Type": content_type} if self._send_content_type else None
        # A single PUT is atomic on every backend and never leaves hidden multipart parts.
        await obstore.put_async(self._store, key, data, attributes=attributes, use_multipart=False)

    async def _write_file(self, key: str, path: Path, content_type: str) -> None:
        """Upload a local file; a single PUT, read by obstore, not by Python."""
        attributes = {"Content-Type": content_type} if self._send_content_type else None
        await obstore.put_async(self._store, key, path, attributes=attributes, use_multipart=False)

    async def _open(self, key: str) -> GetResult:
        try:
            return await obstore.get_async(self._store, key)
        except FileNotFoundError:
            raise KeyError(key) from None
        except (BaseError, OSError) as exc:
            raise self._failure("read", key, exc) from exc

    def _location(self, key: str) -> str:
        """How a person finds the object: overridden with a file path for local stores."""
        return f"{key!r} in {self.name}"

    def _failure(self, action: str, key: str, exc: BaseException) -> StorageError:
        reason, hint = self._explain(exc)
        return StorageError(f"Could not {action} image {self._location(key)}: {reason}.", hint=hint)

    def _explain(self, exc: BaseException) -> tuple[str, str | None]:
        """A short reason and, when there is one, what to do about it."""
        code = _errno_of(exc)
        if code in (errno.EACCES, errno.EPERM) or isinstance(exc, PermissionDeniedError):
            hint = f"Check that the user running Easel may read and write {self.name}."
            return "permission denied", hint
        if isinstance(exc, UnauthenticatedError):
            return "the credentials were rejected", (
                "Check AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (or EASEL_S3_*)."
            )
        if code in (errno.ENOSPC, errno.EDQUOT):
            return _ERRNO_REASONS[code], (
                f"Free some space where {self.name} lives, or point EASEL_STORAGE_URL elsewhere."
            )
        if _not_found(exc) and not isinstance(self._store, LocalStore):
            # Writing or listing never finds "no such object": the bucket itself is missing.
            return "the bucket does not exist", (
                f"Create the bucket, or correct EASEL_STORAGE_URL (now {self.name})."
            )
        if code is not None:
            return _ERRNO_REASONS.get(code, _strerror(code)), None
        if _UNREACHABLE in str(exc):
            return "the storage server could not be reached", (
                "Check EASEL_S3_ENDPOINT (or AWS_ENDPOINT_URL) and that the server is up."
            )
        return _first_line(exc), None


def open_s3_store(url: str, options: Mapping[str, Any] | None = None) -> ObjectImageStore:
    """An ObjectImageStore for ``s3://bucket/prefix``.

    Credentials, region and endpoint come from the usual ``AWS_*`` variables (obstore reads
    them) or from ``options``: S3 config keys (``endpoint``, ``region``…) plus an optional
    ``client_options`` dict; see `s3_options_from_env`.
    """
    try:
        store = from_url(url, **dict(options or {}))
    except (BaseError, ValueError) as exc:
        raise StorageError(
            f"Could not open the S3 store {url}: {_first_line(exc)}.",
            hint="Check EASEL_STORAGE_URL and the EASEL_S3_* / AWS_* settings.",
        ) from exc
    return ObjectImageStore(store, name=url)


def s3_options_from_env(environ: Mapping[str, str]) -> dict[str, Any]:
    """``EASEL_S3_ENDPOINT=…`` → ``{"endpoint": …}`` and so on, for `open_s3_store`.

    ``EASEL_S3_ALLOW_HTTP`` and the other HTTP-client settings go under ``client_options``.
    """
    config: dict[str, Any] = {}
    client: dict[str, str] = {}
    for name, value in sorted(environ.items()):
        if not name.startswith("EASEL_S3_") or not value:
            continue
        key = name.removeprefix("EASEL_S3_").lower()
        (client if key in _CLIENT_OPTION_KEYS else config)[key] = value
    if client:
        config["client_options"] = client
    return config


def _not_found(exc: BaseException) -> bool:
    """obstore raises FileNotFoundError for a PUT and a generic error for a LIST of a
    missing bucket; only the status code in its text says so."""
    return isinstance(exc, FileNotFoundError | NotFoundError) or "404 Not Found" in str(exc)


def _errno_of(exc: BaseException) -> int | None:
    if isinstance(exc, OSError) and exc.errno is not None:
        return exc.errno
    match = _OS_ERROR_RE.search(str(exc))
    return int(match.group(1)) if match else None


def _strerror(code: int) -> str:
    text = os.strerror(code)
    return text[:1].lower() + text[1:]


def _first_line(exc: BaseException) -> str:
    """obstore messages carry a multi-line debug dump; the first line is the useful part."""
    text = str(exc).strip().splitlines()
    return text[0].rstrip(".") if text else type(exc).__name__
