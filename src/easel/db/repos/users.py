"""Users and their API tokens. Tokens are stored as sha256 hashes, never in clear."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import select, update
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


async def get_or_create_user(session: AsyncSession, *, name: str) -> User:
    """The user called ``name``, created if new; the studio's first user is its admin."""
    user = await session.scalar(select(User).where(User.name == name))
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
