"""Users and their API tokens. Tokens are stored as sha256 hashes, never in clear."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from easel.db.ids import new_id, utcnow
from easel.db.tables import ApiToken, User

TOKEN_PREFIX = "esl_"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedToken:
    user: User
    token: str
    """Shown once; only its hash is kept."""


async def any_user(session: AsyncSession) -> bool:
    return await session.scalar(select(User.id).limit(1)) is not None


async def user_named(session: AsyncSession, *, name: str) -> User | None:
    return await session.scalar(select(User).where(User.name == name))


async def get_or_create_user(session: AsyncSession, *, name: str) -> User:
    """The user called ``name``, created if new; the studio's first user is its admin."""
    user = await user_named(session, name=name)
    if user is None:
        first = not await any_user(session)
        user = User(id=new_id(), name=name, created_at=utcnow(), event_seq=0, is_admin=first)
        session.add(user)
        await session.flush()
    return user


async def get_user(session: AsyncSession, *, user_id: str) -> User | None:
    return await session.get(User, user_id)


async def set_default_models(session: AsyncSession, *, user_id: str, models: list[str]) -> None:
    """Keep ``models`` as the user's defaults; an empty list means "the cheapest"."""
    await session.execute(
        update(User).where(User.id == user_id).values(default_models=models or None)
    )


async def create_token(session: AsyncSession, *, user_name: str, label: str = "") -> IssuedToken:
    user = await get_or_create_user(session, name=user_name)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(
        ApiToken(
            id=new_id(),
            user_id=user.id,
            token_hash=hash_token(token),
            prefix=token[:10],
            name=label,
            created_at=utcnow(),
        )
    )
    await session.flush()
    return IssuedToken(user=user, token=token)


async def user_for_token(session: AsyncSession, *, token: str) -> User | None:
    return await session.scalar(
        select(User)
        .join(ApiToken, ApiToken.user_id == User.id)
        .where(ApiToken.token_hash == hash_token(token))
    )


async def touch_token(session: AsyncSession, *, token: str) -> None:
    await session.execute(
        update(ApiToken)
        .where(ApiToken.token_hash == hash_token(token))
        .values(last_used_at=utcnow())
    )


async def list_tokens(
    session: AsyncSession, *, user_id: str | None = None
) -> Sequence[tuple[ApiToken, str]]:
    """Tokens with their owner's name, newest first: one user's, or everyone's."""
    query = select(ApiToken, User.name).join(User, User.id == ApiToken.user_id)
    if user_id is not None:
        query = query.where(ApiToken.user_id == user_id)
    rows = await session.execute(query.order_by(ApiToken.id.desc()))
    return [(token, name) for token, name in rows.tuples()]


async def delete_token(session: AsyncSession, *, token_id: str, user_id: str | None) -> bool:
    """Revoke a token for good (only if it is ``user_id``'s, unless None): it stops working
    at once, and so does every browser session opened with it (their rows go with it)."""
    query = delete(ApiToken).where(ApiToken.id == token_id)
    if user_id is not None:
        query = query.where(ApiToken.user_id == user_id)
    result = await session.execute(query)
    return bool(result.rowcount)  # type: ignore[attr-defined]
