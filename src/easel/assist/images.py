"""Images as assistant models take them: the caller's own images, read from the store,
re-encoded only when too large for a vision model.

Vendors scale large images down themselves and bill for what they read, so an image over
``VISION_SIDE`` px on its long side (or over ``VISION_BYTES``) is scaled to fit first, in a
worker thread; a vector image goes as its raster thumbnail.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import Sequence

from PIL import Image

from easel.db.engine import Database
from easel.db.repos import images as image_repo
from easel.errors import NotFound
from easel.providers.base import ReferenceImage
from easel.storage.base import ImageStore

VISION_SIDE = 1568
"""Anthropic's guidance for images read without resizing; OpenAI and Gemini tile below it."""
VISION_BYTES = 3_500_000
PASSED_AS_IS = frozenset({"image/png", "image/jpeg", "image/webp", "image/gif"})


def vision_copy(data: bytes, mime_type: str, width: int, height: int) -> ReferenceImage:
    """``data`` itself when it fits, else a JPEG scaled to ``VISION_SIDE``."""
    fits = max(width, height) <= VISION_SIDE and len(data) <= VISION_BYTES
    if fits and mime_type in PASSED_AS_IS:
        return ReferenceImage(data, mime_type)
    with Image.open(io.BytesIO(data)) as opened:
        image = opened.convert("RGB")
    image.thumbnail((VISION_SIDE, VISION_SIDE))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return ReferenceImage(out.getvalue(), "image/jpeg")


async def load_owned(
    db: Database, store: ImageStore, *, user_id: str, shas: Sequence[str]
) -> tuple[ReferenceImage, ...]:
    """The user's images in order; one they do not own is 'not found', as elsewhere. Each
    upload used counts as a use (its expiry starts again)."""
    images = []
    async with db.transaction() as session:
        for sha in shas:
            image = await image_repo.image_for_user(session, user_id=user_id, sha256=sha)
            if image is None:
                raise NotFound(
                    f"No image {sha}.",
                    field="images",
                    hint="Name images you uploaded (POST /api/v1/uploads) or generated.",
                )
            await image_repo.touch_upload(session, user_id=user_id, sha256=sha)
            images.append(image)
    copies = []
    for image in images:
        vector = image.mime_type == "image/svg+xml"
        try:
            data = await store.get(image.thumbnail_key if vector else image.storage_key)
        except KeyError:
            raise NotFound(
                f"The file of image {image.sha256} is missing from storage.",
                field="images",
                hint="Upload the image again.",
            ) from None
        mime = "image/webp" if vector else image.mime_type
        copies.append(await asyncio.to_thread(vision_copy, data, mime, image.width, image.height))
    return tuple(copies)
