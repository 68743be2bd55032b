"""Stored image files (content-addressed) and who may see them."""

from __future__ import annotations

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from easel.db.ids import utcnow
from easel.db.tables import Image, Variant


async def add_if_missing(
    session: AsyncSession,
    *,
    sha256: str,
    mime_type: str,
    width: int,
    height: int,
    size_bytes: int,
    storage_key: str,
    thumbnail_key: str,
) -> Image:
    image = await session.get(Image, sha256)
    if image is None:
        image = Image(
            sha256=sha256,
            mime_type=mime_type,
            width=width,
            height=height,
            size_bytes=size_bytes,
            storage_key=storage_key,
            thumbnail_key=thumbnail_key,
            created_at=utcnow(),
        )
        session.add(image)
        await session.flush()
    return image


async def image_for_user(session: AsyncSession, *, user_id: str, sha256: str) -> Image | None:
    """The image, if one of the user's variants produced it."""
    owned = exists().where(Variant.image_sha256 == sha256, Variant.user_id == user_id)
    return await session.scalar(select(Image).where(Image.sha256 == sha256, owned))
