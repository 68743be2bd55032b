"""What can act as you: your API tokens and your signed-in browser sessions. List them,
and revoke any of them; a revoked one stops working on its next request."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request, Response, status
from pydantic import BaseModel, Field

from easel.api.deps import CallerDep, ServicesDep
from easel.api.sessions import COOKIE, cookie_options
from easel.db.ids import as_utc
from easel.db.repos import sessions as session_repo
from easel.db.repos import users as user_repo
from easel.db.tables import ApiToken, BrowserSession
from easel.errors import NotFound

router = APIRouter(tags=["access"])


class TokenOut(BaseModel):
    id: str
    label: str
    prefix: str = Field(description="The token's first characters, to recognise it by.")
    created_at: datetime
    last_used_at: datetime | None = Field(description="When it last signed in a browser.")
    current: bool = Field(description="This request was made with it (or its session).")

    @classmethod
    def build(cls, token: ApiToken, current_token: str) -> TokenOut:
        return cls(
            id=token.id,
            label=token.name,
            prefix=token.prefix,
            created_at=as_utc(token.created_at),
            last_used_at=as_utc(token.last_used_at) if token.last_used_at else None,
            current=token.id == current_token,
        )


class SessionOut(BaseModel):
    id: str
    token_id: str = Field(description="The API token it was opened with.")
    user_agent: str
    created_at: datetime
    last_seen_at: datetime = Field(description="Updated at most once a minute.")
    expires_at: datetime
    current: bool = Field(description="This request was made in it.")

    @classmethod
    def build(cls, row: BrowserSession, current_session: str | None) -> SessionOut:
        return cls(
            id=row.id,
            token_id=row.token_id,
            user_agent=row.user_agent,
            created_at=as_utc(row.created_at),
            last_seen_at=as_utc(row.last_seen_at),
            expires_at=as_utc(row.expires_at),
            current=row.id == current_session,
        )


@router.get("/tokens", response_model=list[TokenOut])
async def list_tokens(caller: CallerDep, services: ServicesDep) -> list[TokenOut]:
    """Your API tokens, newest first (never their values: only a prefix)."""
    async with services.db.session() as session:
        tokens = await user_repo.list_tokens(session, user_id=caller.user.id)
    return [TokenOut.build(t, caller.token_id) for t, _ in tokens]


@router.delete("/tokens/{token_id}", status_code=status.HTTP_204_NO_CONTENT)
async def revoke_token(
    token_id: str, request: Request, caller: CallerDep, services: ServicesDep
) -> Response:
    """Revoke a token, and every browser session opened with it."""
    async with services.db.transaction() as session:
        found = await user_repo.delete_token(session, token_id=token_id, user_id=caller.user.id)
    if not found:
        raise NotFound(f"No token {token_id}.", hint="List your tokens with GET /api/v1/tokens.")
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    if token_id == caller.token_id and caller.session_id is not None:
        response.delete_cookie(COOKIE, **cookie_options(request))
    return response


@router.get("/sessions", response_model=list[SessionOut])
async def list_sessions(caller: CallerDep, services: ServicesDep) -> list[SessionOut]:
    """Browsers signed in as you, most recently used first."""
    async with services.db.session() as session:
        rows = await session_repo.list_sessions(session, user_id=caller.user.id)
    return [SessionOut.build(r, caller.session_id) for r in rows]


@router.delete("/sessions/{session_id}", status_code=status.HTTP_204_NO_CONTENT)
async def revoke_session(
    session_id: str, request: Request, caller: CallerDep, services: ServicesDep
) -> Response:
    """Sign a browser out: its cookie stops working on its next request."""
    async with services.db.transaction() as session:
        found = await session_repo.revoke(session, user_id=caller.user.id, session_id=session_id)
    if not found:
        raise NotFound(
            f"No session {session_id}.", hint="List your sessions with GET /api/v1/sessions."
        )
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    if session_id == caller.session_id:
        response.delete_cookie(COOKIE, **cookie_options(request))
    return response
