"""ImageKeeper: what the worker (and uploads) call to turn a staged result into a stored
image that a variant may reference.

``keep`` prepares the staged file once (checks, record, thumbnail, hash), then pins the
image and stores its files, retrying storage failures with backoff for up to
``retry_seconds`` while telling the variant it is waiting for storage; the prepared file
stays on disk meanwhile, so the provider's result is never asked for (or paid for) again.
``settle`` runs inside the transaction that records the reference. The pin protocol is
described in `easel.storage.collector`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from easel.db.engine import Database
from easel.db.ids import utcnow
from easel.db.repos import images as image_repo
from easel.db.repos.images import ImageFacts, PinLost
from easel.errors import StorageError
from easel.storage.base import ImageStore
from easel.storage.collector import PIN_SECONDS
from easel.storage.images import GenerationRecord, Limits, PreparedImage, prepare_file, store_image
from easel.storage.staging import StagedFile, Staging

log = logging.getLogger(__name__)
T = TypeVar("T")

Report = Callable[[float, str, bytes | None], Awaitable[None]]
"""The worker's progress hook: ``report(fraction, message, preview)``."""

WAITING_FRACTION = 0.99
_FIRST_DELAY = 0.5
_MAX_DELAY = 30.0


class ImageKeeper:
    def __init__(
        self, *, db: Database, store: ImageStore, staging: Staging, retry_seconds: float
    ) -> None:
        self.db = db
        self.store = store
        self.staging = staging
        self.retry_seconds = retry_seconds

    async def keep(
        self,
        staged: StagedFile,
        record: GenerationRecord | None,
        *,
        holder: str,
        limits: Limits,
        report: Report,
        hand_over: Callable[[str, bytes, str], None] | None = None,
    ) -> ImageFacts:
        """Prepare and store ``staged`` (which this consumes), pinned for ``holder``.
        ``hand_over(sha256, data, mime_type)``, when given, receives the stored bytes
        (for a caller in this process that answers with them).

        Raises `InvalidOutput` when it is not a usable image and `StorageError` when the
        store stayed unavailable for the whole retry window.
        """
        prepared = await asyncio.to_thread(_prepare, staged, record, self.staging, limits)
        try:
            await self._store(prepared, holder, report)
            if hand_over is not None:
                data = await asyncio.to_thread(prepared.read_original)
                hand_over(prepared.sha256, data, prepared.mime_type)
        finally:
            if isinstance(prepared.original, Path):
                with contextlib.suppress(OSError):
                    await asyncio.to_thread(prepared.original.unlink, missing_ok=True)
        return facts_of(prepared)

    async def _store(self, prepared: PreparedImage, holder: str, report: Report) -> None:
        facts = facts_of(prepared)
        deadline = time.monotonic() + self.retry_seconds
        delay, attempt = _FIRST_DELAY, 1
        while True:
            try:
                async with self.db.transaction() as session:
                    until = utcnow() + timedelta(seconds=PIN_SECONDS)
                    await image_repo.pin(session, facts, holder=holder, until=until)
                await store_image(self.store, prepared)
                return
            except StorageError as exc:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise
                log.warning("storing image %s failed (attempt %d): %s", facts.sha256, attempt, exc)
                attempt += 1
                await _tell(report, f"Waiting for storage (attempt {attempt}; {left:.0f} s left)")
                await asyncio.sleep(min(delay, left))
                delay = min(delay * 2, _MAX_DELAY)

    async def settle(
        self,
        session: AsyncSession,
        image: ImageFacts,
        *,
        holder: str,
        reference: Callable[[], Awaitable[T]],
    ) -> T:
        """In one transaction: check ``holder``'s pin on ``image``, run ``reference()``
        (which records the reference and returns something truthy, or something falsy
        when it did not, say because the variant was canceled) and drop the pin.

        Raises `StorageError`, before ``reference()`` runs, when the pin had lapsed and
        the image was collected meanwhile: a reference to missing files is never made.
        """
        try:
            await image_repo.take_pin(session, sha256=image.sha256, holder=holder)
        except PinLost:
            raise StorageError(
                "The stored image was removed before it could be recorded.",
                hint="Retry the variant.",
            ) from None
        result = await reference()
        await image_repo.settled(session, sha256=image.sha256, referenced=bool(result))
        return result


def _prepare(
    staged: StagedFile, record: GenerationRecord | None, staging: Staging, limits: Limits
) -> PreparedImage:
    """`prepare_file`, then ``staged`` goes, whatever happened: on one thread, as a hop
    there and back costs more than the unlink."""
    try:
        return prepare_file(staged, record, staging, limits)
    finally:
        staged.discard()


async def _tell(report: Report, message: str) -> None:
    """Progress is best effort: failing to report it must not end the wait."""
    try:
        await report(WAITING_FRACTION, message, None)
    except Exception:
        log.warning("could not report %r", message, exc_info=True)


def facts_of(prepared: PreparedImage) -> ImageFacts:
    return ImageFacts(
        sha256=prepared.sha256,
        mime_type=prepared.mime_type,
        width=prepared.width,
        height=prepared.height,
        size_bytes=prepared.size_bytes,
        storage_key=prepared.storage_key,
        thumbnail_key=prepared.thumbnail_key,
    )
