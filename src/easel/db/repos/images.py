"""Stored image files (content-addressed) and who may see them."""

from __future__ import annotations

from sqlalchemy import exists, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
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
) -> None:
    """Record a stored file. Identical images share a row; two processes storing the same
    image at once both succeed (the second insert does nothing)."""
    insert = sqlite_insert if session.get_bind().dialect.name == "sqlite" else pg_insert
    await session.execute(
        insert(Image)
        .values(
            sha256=sha256,
            mime_type=mime_type,
            width=width,
            height=height,
            size_bytes=size_bytes,
            storage_key=storage_key,
            thumbnail_key=thumbnail_key,
            created_at=utcnow(),
        )
        .on_conflict_do_nothing(index_elements=[Image.sha256])
    )


async def image_for_user(session: AsyncSession, *, user_id: str, sha256: str) -> Image | None:
    """The image, if one of the user's variants produced it."""
    owned = exists().where(Variant.image_sha256 == sha256, Variant.user_id == user_id)
    return await session.scalar(select(Image).where(Image.sha256 == sha256, owned))
