"""Uploads: a user's own image, stored like a result and recorded as theirs.

The file arrives staged (`easel.api.routes.uploads` streams it to disk with the byte
limit), gets the same checks as any result (type sniffing, pixel limit, a full decode for
the thumbnail) and is stored content-addressed, unchanged. The ``uploads`` row makes the
user an owner of the image (`image_repo.owned_by`); an upload not used again within
``upload_grace_seconds`` is removed by the collector.
"""

from __future__ import annotations

import uuid

from easel.db.engine import Database
from easel.db.repos import images as image_repo
from easel.db.repos.images import ImageFacts
from easel.errors import InvalidOutput, UserInputError
from easel.storage.images import RASTER_TYPES, Limits
from easel.storage.keeper import ImageKeeper
from easel.storage.staging import StagedFile

UPLOAD_LIMITS = Limits(allowed_types=RASTER_TYPES, subject="The upload is")


async def store_upload(
    *, db: Database, keeper: ImageKeeper, user_id: str, staged: StagedFile
) -> ImageFacts:
    """Check, store and record ``staged`` (consumed) as ``user_id``'s upload.

    Raises `UserInputError` saying what is wrong with the file, `StorageError` when the
    store stays unavailable.
    """
    holder = f"upload:{uuid.uuid4().hex}"
    try:
        image = await keeper.keep(
            staged, None, holder=holder, limits=UPLOAD_LIMITS, report=_no_progress
        )
    except InvalidOutput as exc:
        raise UserInputError(
            exc.message,
            field="file",
            hint="Upload a whole PNG, JPEG or WebP image.",
        ) from None
    async with db.transaction() as session:

        async def record() -> bool:
            await image_repo.add_upload(session, user_id=user_id, sha256=image.sha256)
            return True

        await keeper.settle(session, image, holder=holder, reference=record)
    return image


async def _no_progress(fraction: float, message: str, preview: bytes | None) -> None:
    return None
