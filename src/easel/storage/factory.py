"""Pick the ImageStore for a storage URL (``Settings.resolved_storage_url``)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

from obstore.store import MemoryStore

from easel.storage.base import ImageStore
from easel.storage.local import LocalImageStore
from easel.storage.s3 import ObjectImageStore, open_s3_store
from easel.storage.staging import Staging

ACCEPTED_SCHEMES = ("file://", "s3://", "memory://")


def open_image_store(url: str, options: Mapping[str, Any] | None = None) -> ImageStore:
    """``file:///abs/folder`` → LocalImageStore; ``s3://bucket/prefix`` → an S3-backed
    ObjectImageStore configured by ``options`` (see `s3_options_from_env`) and ``AWS_*``;
    ``memory://`` → a throw-away store for tests and demos.

    Raises ``ValueError`` for any other URL, naming the accepted forms.
    """
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "file":
        return LocalImageStore(_file_url_path(url))
    if scheme in ("s3", "s3a"):
        return open_s3_store(url, options)
    if scheme == "memory":
        return ObjectImageStore(MemoryStore(), name="memory://")
    raise ValueError(_unknown_scheme_message(url, scheme))


def _file_url_path(url: str) -> Path:
    parts = urlsplit(url)
    if parts.netloc not in ("", "localhost"):
        raise ValueError(
            f"Storage URL {url!r} names host {parts.netloc!r}; a file URL needs an absolute "
            "path with three slashes, e.g. file:///srv/easel/images."
        )
    path = Path(url2pathname(parts.path))
    if not path.is_absolute():
        raise ValueError(f"Storage URL {url!r} must hold an absolute path.")
    return path


def _unknown_scheme_message(url: str, scheme: str) -> str:
    accepted = ", ".join(ACCEPTED_SCHEMES)
    message = f"Unsupported storage URL {url!r}: it must start with one of {accepted}."
    if not scheme or len(scheme) == 1:  # a bare path, or a Windows drive letter
        message += f" For a folder, use {Path(url).resolve().as_uri()}"
    return message


def staging_for(store: ImageStore, data_dir: Path) -> Staging:
    """Beside a folder store (so staged files move in by rename), else in the data dir."""
    if isinstance(store, LocalImageStore):
        return store.staging
    return Staging(data_dir / "staging")
