"""Browser sessions: a session is bound to the API token that opened it, and lives until it
expires, is revoked, or its token is deleted."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from easel.db.ids import as_utc, new_id, utcnow
from easel.db.repos.users import hash_token
from easel.db.tables import ApiToken, BrowserSession, User

TOUCH_EVERY = timedelta(minutes=1)
"""How stale ``last_seen_at`` may get before a request writes it again."""


# Built once: every API request runs it, and building it costs more than running it.
_TOKEN_OWNER = (
    select(User, ApiToken.id)
    .join(ApiToken, ApiToken.user_id == User.id)
    .where(ApiToken.token_hash == bindparam("token_hash"))
)


async def token_owner(session: AsyncSession, *, token: str) -> tuple[User, str] | None:
    """The user of a clear-text token and the token's id, or None."""
    params = {"token_hash": hash_token(token)}
    row = (await session.execute(_TOKEN_OWNER, params)).first()
    return (row[0], row[1]) if row is not None else None


async def open_session(
    session: AsyncSession, *, user_id: str, token_id: str, lifetime: timedelta, user_agent: str
) -> BrowserSession:
    now = utcnow()
    row = BrowserSession(
        id=new_id(),
        user_id=user_id,
        token_id=token_id,
        user_agent=user_agent[:200],
        created_at=now,
        last_seen_at=now,
        expires_at=now + lifetime,
    )
    session.add(row)
    await session.flush()
    return row


def _live(now: datetime) -> ColumnElement[bool]:
    return and_(BrowserSession.revoked_at.is_(None), BrowserSession.expires_at > now)


async def live_session(
    session: AsyncSession, *, session_id: str
) -> tuple[User, BrowserSession] | None:
    """The user and row of a session that is not revoked or expired and whose API token
    still exists; None otherwise."""
    row = (
        await session.execute(
            select(User, BrowserSession)
            .join(BrowserSession, BrowserSession.user_id == User.id)
            .join(ApiToken, ApiToken.id == BrowserSession.token_id)
            .where(BrowserSession.id == session_id, _live(utcnow()))
        )
    ).first()
    return (row[0], row[1]) if row is not None else None


def stale(row: BrowserSession) -> bool:
    """Whether ``last_seen_at`` is old enough to be written again (at most once per
    `TOUCH_EVERY`, so reads do not all turn into writes)."""
    return utcnow() - as_utc(row.last_seen_at) >= TOUCH_EVERY


async def touch(session: AsyncSession, *, session_id: str) -> None:
    await session.execute(
        update(BrowserSession).where(BrowserSession.id == session_id).values(last_seen_at=utcnow())
    )


async def list_sessions(session: AsyncSession, *, user_id: str) -> Sequence[BrowserSession]:
    """The user's live sessions, most recently used first."""
    return (
        await session.scalars(
            select(BrowserSession)
            .join(ApiToken, ApiToken.id == BrowserSession.token_id)
            .where(BrowserSession.user_id == user_id, _live(utcnow()))
            .order_by(BrowserSession.last_seen_at.desc(), BrowserSession.id.desc())
        )
    ).all()


async def revoke(session: AsyncSession, *, user_id: str, session_id: str) -> bool:
    """End one of the user's sessions; False when there is no such live session."""
    result = await session.execute(
        update(BrowserSession)
        .where(
            BrowserSession.id == session_id,
            BrowserSession.user_id == user_id,
            BrowserSession.revoked_at.is_(None),
        )
        .values(revoked_at=utcnow())
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]
