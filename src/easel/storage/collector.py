"""The image collector: the only code that removes image files from the store.

Images are content-addressed, so two users' identical generations share one file, and a
file may be needed again the moment after its last reference goes. The rules that keep a
blob from being removed while anything refers to it, or a writer is about to:

1. **Writers pin first.** Before a worker (or an upload) looks at the store to decide
   whether to write an image's files or skip them because they exist, it commits a pin
   (`image_repo.pin`: the image row plus ``image_pins(sha256, holder, expires_at)``).
2. **References replace pins atomically.** The transaction that makes a variant succeed
   (or records an upload) also removes the writer's pin (`ImageKeeper.settle`); it fails
   with `PinLost` if the pin is gone, so a reference is never recorded to a file that was
   removed under it.
3. **Dropping a reference only marks.** Deleting a job or expiring an upload removes rows
   and sets ``images.orphaned_at`` on images nothing refers to any more; no file is
   touched.
4. **The collector removes under the lock, after a grace period.** For each image
   orphaned longer than ``orphan_grace_seconds`` it takes the image lock, checks again
   that no variant, upload or live pin refers to it, deletes the original and then the
   thumbnail, and deletes the row, all in one transaction.

Pinning, settling and collecting one image all run under `image_repo.lock_image`: a
PostgreSQL advisory lock per image, or SQLite's single writer. So a writer either pins
before the collector looks (and the collector leaves the files) or after the collector
committed (and the writer sees no files and writes them again). A writer that dies leaves
a pin that lapses after `PIN_SECONDS`; its image was marked orphaned when the pin created
the row, so it is collected like any other.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

from easel.db.engine import Database
from easel.db.ids import as_utc, utcnow
from easel.db.repos import images as image_repo
from easel.db.repos import shares as share_repo
from easel.db.tables import Image
from easel.errors import StorageError
from easel.storage.base import ImageStore
from easel.storage.staging import Staging

log = logging.getLogger(__name__)

PIN_SECONDS = 15 * 60.0
"""How long a pin protects an image; writers renew it before each storage attempt."""
_BATCH = 200


class Collector:
    def __init__(
        self,
        *,
        db: Database,
        store: ImageStore,
        staging: Staging,
        orphan_grace_seconds: float,
        upload_grace_seconds: float,
        interval_seconds: float,
    ) -> None:
        self.db = db
        self.store = store
        self.staging = staging
        self.orphan_grace = timedelta(seconds=orphan_grace_seconds)
        self.upload_grace = timedelta(seconds=upload_grace_seconds)
        self.interval = interval_seconds

    async def collect(self) -> int:
        """One pass: expire unused uploads, then remove what has been orphaned for the
        grace period. Returns how many images were removed."""
        async with self.db.transaction() as session:
            expired = await image_repo.expire_uploads(
                session, unused_since=utcnow() - self.upload_grace
            )
            await share_repo.revoke_unowned_images(session, expired)
        cutoff = utcnow() - self.orphan_grace
        removed = 0
        while True:
            async with self.db.session() as session:
                shas = await image_repo.orphaned_before(session, cutoff, _BATCH)
            outcomes = [await self._collect_one(sha, cutoff) for sha in shas]
            removed += sum(outcomes)
            if len(shas) < _BATCH or not any(outcomes):
                return removed

    async def _collect_one(self, sha256: str, cutoff: datetime) -> bool:
        try:
            async with self.db.transaction() as session:
                await image_repo.lock_image(session, sha256)
                image = await session.get(Image, sha256, populate_existing=True)
                if image is None or image.orphaned_at is None:
                    return False
                if as_utc(image.orphaned_at) > cutoff:
                    return False
                if await image_repo.referenced(session, sha256, utcnow()):
                    if await image_repo.lasting_reference(session, sha256):
                        image.orphaned_at = None
                    return False
                # Original first: a present original always has its thumbnail.
                for key in (image.storage_key, image.thumbnail_key):
                    await self.store.delete(key)
                await image_repo.forget(session, sha256)
        except StorageError as exc:
            log.warning("could not remove image %s; trying again later: %s", sha256, exc)
            return False
        log.info("removed unreferenced image %s", sha256)
        return True

    async def collect_and_sweep(self) -> None:
        """One periodic pass: unreferenced images, then abandoned staged files."""
        await self.collect()
        await asyncio.to_thread(self.staging.sweep)
