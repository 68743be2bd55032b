"""Share links: who made them, what they show, and whether they still work.

A link works while it is not revoked, not expired, and its owner still has its target (the
job, or a variant or upload with the image). That one condition, `_working`, decides both
what a link shows and what its owner lists, so a deleted job's links stop at once.
Revoking also writes ``revoked_at``, so the same image made again later does not bring an
old link back.
"""

from __future__ import annotations

import secrets
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, delete, exists, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from easel.db.ids import new_id, utcnow
from easel.db.repos.images import owned
from easel.db.repos.users import hash_token
from easel.db.tables import Job, ShareLink

KINDS = ("image", "job")
KEEP_ENDED = timedelta(days=7)
"""How long a revoked or expired link's row is kept (for its owner's records) before the
owner's next new link removes it, so ended links never pile up."""


@dataclass(frozen=True)
class IssuedShare:
    link: ShareLink
    token: str
    """The secret part of the link's URL: shown once; only its hash is kept."""


def _target_held() -> ColumnElement[bool]:
    job_held = and_(
        ShareLink.target_kind == "job",
        exists().where(Job.id == ShareLink.target_id, Job.user_id == ShareLink.user_id),
    )
    image_held = and_(
        ShareLink.target_kind == "image", owned(ShareLink.user_id, ShareLink.target_id)
    )
    return or_(job_held, image_held)


def _working(now: datetime) -> ColumnElement[bool]:
    return and_(
        ShareLink.revoked_at.is_(None),
        or_(ShareLink.expires_at.is_(None), ShareLink.expires_at > now),
        _target_held(),
    )


async def issue(
    session: AsyncSession,
    *,
    user_id: str,
    kind: str,
    target_id: str,
    expires_at: datetime | None,
    now: datetime | None = None,
) -> IssuedShare:
    """A new link, made ``now``, to a target the caller has checked the user owns."""
    now = now or utcnow()
    ended = now - KEEP_ENDED
    await session.execute(
        delete(ShareLink).where(
            ShareLink.user_id == user_id,
            or_(ShareLink.revoked_at < ended, ShareLink.expires_at < ended),
        )
    )
    token = secrets.token_urlsafe(32)
    link = ShareLink(
        id=new_id(),
        user_id=user_id,
        token_hash=hash_token(token),
        target_kind=kind,
        target_id=target_id,
        created_at=now,
        expires_at=expires_at,
    )
    session.add(link)
    await session.flush()
    return IssuedShare(link, token)


async def working_link(session: AsyncSession, *, token: str) -> ShareLink | None:
    """The link a URL's secret names, if it still works."""
    return await session.scalar(
        select(ShareLink).where(ShareLink.token_hash == hash_token(token), _working(utcnow()))
    )


async def list_working(
    session: AsyncSession, *, user_id: str, before_id: str | None, limit: int
) -> Sequence[ShareLink]:
    """The user's working links, newest first (ids start with their creation time)."""
    query = select(ShareLink).where(ShareLink.user_id == user_id, _working(utcnow()))
    if before_id:
        query = query.where(ShareLink.id < before_id)
    return (await session.scalars(query.order_by(ShareLink.id.desc()).limit(limit))).all()


async def revoke(session: AsyncSession, *, user_id: str, share_id: str) -> bool:
    """End one of the user's working links; False when there is no such link."""
    result = await session.execute(
        update(ShareLink)
        .where(ShareLink.id == share_id, ShareLink.user_id == user_id, _working(utcnow()))
        .values(revoked_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def revoke_job(session: AsyncSession, *, user_id: str, job_id: str) -> None:
    """End the links to a job's page (the job is being deleted)."""
    await session.execute(
        update(ShareLink)
        .where(
            ShareLink.user_id == user_id,
            ShareLink.target_kind == "job",
            ShareLink.target_id == job_id,
            ShareLink.revoked_at.is_(None),
        )
        .values(revoked_at=utcnow())
    )


async def revoke_unowned_images(session: AsyncSession, shas: Collection[str]) -> None:
    """End the links to these images whose owners no longer have them (their job was
    deleted, their upload expired)."""
    if not shas:
        return
    await session.execute(
        update(ShareLink)
        .where(
            ShareLink.target_kind == "image",
            ShareLink.target_id.in_(set(shas)),
            ShareLink.revoked_at.is_(None),
            ~owned(ShareLink.user_id, ShareLink.target_id),
        )
        .values(revoked_at=utcnow())
        .execution_options(synchronize_session=False)
    )
