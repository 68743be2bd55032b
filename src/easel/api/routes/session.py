"""The dashboard's session: sign in with an API token, read who is signed in, sign out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Literal

from fastapi import APIRouter, Request, Response, status
from pydantic import BaseModel, ConfigDict, Field

from easel.api.deps import (
    CallerDep,
    ServicesDep,
    SessionKeysDep,
    bearer_token,
    current_caller,
    session_claims,
)
from easel.api.sessions import (
    COOKIE,
    MAX_AGE_SECONDS,
    CsrfRejected,
    SessionClaims,
    SessionKeys,
    cookie_options,
)
from easel.db.repos import sessions as session_repo
from easel.db.repos import users as user_repo
from easel.db.tables import User
from easel.errors import Unauthorized

router = APIRouter(prefix="/session", tags=["session"])


class SignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    token: str = Field(min_length=1, max_length=200, description="An API token (esl_…).")


class UserOut(BaseModel):
    id: str
    name: str


class SessionOut(BaseModel):
    user: UserOut | None = Field(description="Null when nobody is signed in.")
    auth: Literal["cookie", "bearer"] | None = None
    csrf_token: str | None = Field(
        default=None, description="Send as X-CSRF-Token on POST, PUT and DELETE (cookie only)."
    )
    expires_at: datetime | None = None


def _signed_in(user: User, claims: SessionClaims, keys: SessionKeys) -> SessionOut:
    return SessionOut(
        user=UserOut(id=user.id, name=user.name),
        auth="cookie",
        csrf_token=keys.csrf_token(claims),
        expires_at=datetime.fromtimestamp(claims.issued_at + MAX_AGE_SECONDS, UTC),
    )


def _check_origin(request: Request) -> None:
    """A browser always names the page's origin on a POST; it must be this server."""
    origin = request.headers.get("origin")
    if origin and origin != f"{request.url.scheme}://{request.url.netloc}":
        raise CsrfRejected(
            f"Sign-in from another origin ({origin}) is refused.",
            hint="Sign in from the dashboard served by this server.",
        )


@router.post("", response_model=SessionOut)
async def sign_in(
    body: SignIn, request: Request, response: Response, services: ServicesDep, keys: SessionKeysDep
) -> SessionOut:
    """Exchange an API token for an HttpOnly session cookie (for the dashboard)."""
    _check_origin(request)
    async with services.db.transaction() as session:
        found = await session_repo.token_owner(session, token=body.token.strip())
        if found is not None:
            await user_repo.touch_token(session, token=body.token.strip())
            opened = await session_repo.open_session(
                session,
                user_id=found[0].id,
                token_id=found[1],
                lifetime=timedelta(seconds=MAX_AGE_SECONDS),
                user_agent=request.headers.get("user-agent", ""),
            )
    if found is None:
        raise Unauthorized(
            "The API token is not valid.",
            hint="Check for typos, or create a new one with `easel token create`.",
        )
    value = keys.issue(session_id=opened.id)
    response.set_cookie(COOKIE, value, max_age=MAX_AGE_SECONDS, **cookie_options(request))
    claims = keys.read(value)
    assert claims is not None
    return _signed_in(found[0], claims, keys)


@router.get("", response_model=SessionOut)
async def read_session(request: Request, services: ServicesDep, keys: SessionKeysDep) -> SessionOut:
    """Who is signed in, and the CSRF token of the session; `user` is null when nobody is."""
    if bearer_token(request) is not None:
        caller = await current_caller(request, services, keys)
        return SessionOut(user=UserOut(id=caller.user.id, name=caller.user.name), auth="bearer")
    claims = session_claims(request, keys)
    if claims is None:
        return SessionOut(user=None)
    async with services.db.session() as session:
        found = await session_repo.live_session(session, session_id=claims.session_id)
    return _signed_in(found[0], claims, keys) if found is not None else SessionOut(user=None)


@router.delete("", status_code=status.HTTP_204_NO_CONTENT)
async def sign_out(request: Request, caller: CallerDep, services: ServicesDep) -> Response:
    """End this browser session on the server and forget its cookie. (A bearer-token
    caller has no session; nothing changes. Revoke tokens at /api/v1/tokens.)"""
    if caller.session_id is not None:
        async with services.db.transaction() as session:
            await session_repo.revoke(session, user_id=caller.user.id, session_id=caller.session_id)
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    response.delete_cookie(COOKIE, **cookie_options(request))
    return response
