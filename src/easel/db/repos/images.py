"""Stored image files (content-addressed), who may see them, and what keeps them alive.

An image is kept while anything refers to it: a variant's result, a user's upload, a
job's input (lineage), or a live pin of a writer about to store or record it
(`referenced`). Every decision to write, keep or remove an image's files is taken under
`lock_image`, so the three never race; see
`easel.storage.collector` for the whole protocol.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Collection, Sequence
from dataclasses import asdict, dataclass, fields
from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    SQLColumnExpression,
    Table,
    bindparam,
    delete,
    exists,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from easel.db.ids import utcnow
from easel.db.tables import Image, ImagePin, JobInput, Upload, Variant

_LOCK_CLASS = 0x45A5E1
"""The first key of PostgreSQL advisory locks on images (the second is from the sha)."""


class PinLost(Exception):
    """The writer's pin is gone: the collector removed the image after the pin lapsed."""


@dataclass(frozen=True)
class ImageFacts:
    sha256: str
    mime_type: str
    width: int
    height: int
    size_bytes: int
    storage_key: str
    thumbnail_key: str


async def lock_image(session: AsyncSession, sha256: str) -> None:
    """Serialise every write-keep-remove decision about one image until the transaction
    ends. PostgreSQL: a transaction-scoped advisory lock. SQLite needs none: its write
    transactions start with ``BEGIN IMMEDIATE`` and so already run one at a time."""
    if session.get_bind().dialect.name != "postgresql":
        return
    key = int.from_bytes(hashlib.sha256(sha256.encode()).digest()[:4], "big", signed=True)
    await session.execute(
        text("SELECT pg_advisory_xact_lock(:a, :b)"), {"a": _LOCK_CLASS, "b": key}
    )


async def add_if_missing(session: AsyncSession, facts: ImageFacts) -> Image:
    """The image's row, created (as unreferenced from now) when it is new."""
    image = await session.get(Image, facts.sha256)
    if image is None:
        now = utcnow()
        image = Image(
            sha256=facts.sha256,
            mime_type=facts.mime_type,
            width=facts.width,
            height=facts.height,
            size_bytes=facts.size_bytes,
            storage_key=facts.storage_key,
            thumbnail_key=facts.thumbnail_key,
            created_at=now,
            orphaned_at=now,
        )
        session.add(image)
        await session.flush()
    return image


_FACTS = tuple(f.name for f in fields(ImageFacts))


@functools.cache
def _pin_statements(dialect: str) -> tuple[Any, Any]:
    """The pin's two upserts in ``dialect``: INSERTs that say what to do on a conflicting
    key (on the tables: the ORM's bulk machinery costs more than the statements). Built
    once, with bound parameters: building them costs more CPU than running them."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    row: dict[str, Any] = {n: bindparam(n) for n in (*_FACTS, "created_at", "orphaned_at")}
    add_image = (
        insert(cast(Table, Image.__table__))
        .values(row)
        .on_conflict_do_nothing(index_elements=["sha256"])
    )
    until: Any = bindparam("until")
    hold = (
        insert(cast(Table, ImagePin.__table__))
        .values(sha256=bindparam("sha256"), holder=bindparam("holder"), expires_at=until)
        .on_conflict_do_update(index_elements=["sha256", "holder"], set_={"expires_at": until})
    )
    return add_image, hold


async def pin(session: AsyncSession, facts: ImageFacts, *, holder: str, until: datetime) -> None:
    """Claim the image for ``holder`` until ``until`` (creating its row, as unreferenced
    from now, if need be), under the image lock: after this commits, the collector leaves
    its files alone until the writer's `take_pin` transaction. Two statements: an insert
    of the row that leaves an existing one alone, and an insert-or-renew of the pin."""
    await lock_image(session, facts.sha256)
    now = utcnow()
    add_image, hold = _pin_statements(session.get_bind().dialect.name)
    await session.execute(add_image, {**asdict(facts), "created_at": now, "orphaned_at": now})
    await session.execute(hold, {"sha256": facts.sha256, "holder": holder, "until": until})


_IMAGES = cast(Table, Image.__table__)
_PINS = cast(Table, ImagePin.__table__)
# On the tables, not the mapped classes: the ORM's handling of an UPDATE or DELETE
# (matching the session's objects) costs more than the statement on this path.
_TAKE_PIN = (
    delete(_PINS)
    .where(_PINS.c.sha256 == bindparam("sha256"), _PINS.c.holder == bindparam("holder"))
    .returning(_PINS.c.holder)
)


async def take_pin(session: AsyncSession, *, sha256: str, holder: str) -> None:
    """Take the image lock and remove ``holder``'s pin, which must still be there (the
    collector removes lapsed pins with the image): raises `PinLost`, and the caller's
    transaction rolls back, when it is gone. One statement checks and removes it."""
    await lock_image(session, sha256)
    removed = await session.scalar(_TAKE_PIN, {"sha256": sha256, "holder": holder})
    if removed is None:
        raise PinLost(sha256)


_REFERENCED = (
    update(_IMAGES).where(_IMAGES.c.sha256 == bindparam("image_sha256")).values(orphaned_at=None)
)


async def settled(session: AsyncSession, *, sha256: str, referenced: bool) -> None:
    """After `take_pin`: the image is referenced now (``referenced``), or, given up,
    starts its grace period unless something else refers to it."""
    if referenced:
        await session.execute(_REFERENCED, {"image_sha256": sha256})
    else:
        await mark_orphans(session, [sha256])


async def referenced(session: AsyncSession, sha256: str, now: datetime) -> bool:
    """Whether a variant, an upload, a job's input or a live pin refers to the image."""
    query = select(
        or_(
            exists().where(Variant.image_sha256 == sha256),
            exists().where(Upload.sha256 == sha256),
            exists().where(JobInput.sha256 == sha256),
            exists().where(ImagePin.sha256 == sha256, ImagePin.expires_at > now),
        )
    )
    return bool(await session.scalar(query))


async def lasting_reference(session: AsyncSession, sha256: str) -> bool:
    """Whether a variant, an upload or a job's input refers to the image (pins aside)."""
    query = select(
        or_(
            exists().where(Variant.image_sha256 == sha256),
            exists().where(Upload.sha256 == sha256),
            exists().where(JobInput.sha256 == sha256),
        )
    )
    return bool(await session.scalar(query))


async def mark_orphans(session: AsyncSession, shas: Collection[str]) -> None:
    """Start the grace period of each image that nothing refers to any more. A hint only:
    the collector checks again, under the lock, before it removes anything."""
    now = utcnow()
    for sha in set(shas):
        if not await referenced(session, sha, now):
            await session.execute(
                update(Image)
                .where(Image.sha256 == sha, Image.orphaned_at.is_(None))
                .values(orphaned_at=now)
            )


async def orphaned_before(session: AsyncSession, cutoff: datetime, limit: int) -> Sequence[str]:
    query = (
        select(Image.sha256)
        .where(Image.orphaned_at.is_not(None), Image.orphaned_at <= cutoff)
        .order_by(Image.orphaned_at)
        .limit(limit)
    )
    return (await session.scalars(query)).all()


async def forget(session: AsyncSession, sha256: str) -> None:
    """Delete the image's row and its lapsed pins (its files are already gone)."""
    await session.execute(delete(ImagePin).where(ImagePin.sha256 == sha256))
    await session.execute(delete(Image).where(Image.sha256 == sha256))


# --- uploads and ownership -------------------------------------------------------------------


async def add_upload(session: AsyncSession, *, user_id: str, sha256: str) -> None:
    """Record (or refresh) the user's upload of an image whose row exists."""
    now = utcnow()
    found = await session.get(Upload, (user_id, sha256))
    if found is None:
        session.add(Upload(user_id=user_id, sha256=sha256, created_at=now, last_used_at=now))
    else:
        found.last_used_at = now
    await session.execute(update(Image).where(Image.sha256 == sha256).values(orphaned_at=None))
    await session.flush()


async def touch_upload(session: AsyncSession, *, user_id: str, sha256: str) -> None:
    """The user used the upload (in a job): its expiry starts again from now."""
    await session.execute(
        update(Upload)
        .where(Upload.user_id == user_id, Upload.sha256 == sha256)
        .values(last_used_at=utcnow())
    )


async def expire_uploads(session: AsyncSession, *, unused_since: datetime) -> list[str]:
    """Remove uploads not used since ``unused_since``; returns their images' sha256."""
    stale = select(Upload.user_id, Upload.sha256).where(Upload.last_used_at < unused_since)
    rows = (await session.execute(stale)).tuples().all()
    for user_id, sha in rows:
        await session.execute(delete(Upload).where(Upload.user_id == user_id, Upload.sha256 == sha))
    shas = [sha for _, sha in rows]
    await mark_orphans(session, shas)
    return shas


def owned(
    user_id: str | SQLColumnExpression[str], sha256: str | SQLColumnExpression[str]
) -> ColumnElement[bool]:
    """The user has a variant with the image or an upload of it (values or columns, so a
    query over other rows, such as share links, can ask it per row)."""
    return or_(
        exists().where(Variant.image_sha256 == sha256, Variant.user_id == user_id),
        exists().where(Upload.sha256 == sha256, Upload.user_id == user_id),
        exists().where(JobInput.sha256 == sha256, JobInput.user_id == user_id),
    )


async def owned_by(session: AsyncSession, user_id: str, sha256: str) -> bool:
    """True when the user has a variant with that image, an upload of it, or a job that
    worked from it (so "made from" stays viewable after the upload expires)."""
    return bool(await session.scalar(select(owned(user_id, sha256))))


async def image_for_user(session: AsyncSession, *, user_id: str, sha256: str) -> Image | None:
    """The image, if the user owns it (see `owned_by`)."""
    return await session.scalar(select(Image).where(Image.sha256 == sha256, owned(user_id, sha256)))
