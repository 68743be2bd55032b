"""Look-ups behind browser sessions: a session is bound to the API token that opened it."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from easel.db.repos.users import hash_token
from easel.db.tables import ApiToken, User


async def token_owner(session: AsyncSession, *, token: str) -> tuple[User, str] | None:
    """The user of a clear-text token and the token's id, or None."""
    row = (
        await session.execute(
            select(User, ApiToken.id)
            .join(ApiToken, ApiToken.user_id == User.id)
            .where(ApiToken.token_hash == hash_token(token))
        )
    ).first()
    return (row[0], row[1]) if row is not None else None


async def session_user(session: AsyncSession, *, user_id: str, token_id: str) -> User | None:
    """The user of a session, while the token it was opened with still exists."""
    return await session.scalar(
        select(User)
        .join(ApiToken, ApiToken.user_id == User.id)
        .where(User.id == user_id, ApiToken.id == token_id)
    )
