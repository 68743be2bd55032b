"""Annotated dependencies, so routes read like prose."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from easel.api.sessions import COOKIE, CSRF_HEADER, SAFE_METHODS, SessionClaims, SessionKeys
from easel.api.sessions import load_secret as load_session_secret
from easel.db.repos import sessions as session_repo
from easel.db.repos import users as user_repo
from easel.db.tables import User
from easel.errors import Forbidden, Unauthorized
from easel.services import Services


def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return None


async def get_session_keys(request: Request) -> SessionKeys:
    """The signer of dashboard session cookies, made once from the data dir's secret (a
    small file read once per process, so no thread hop on every request)."""
    keys: SessionKeys | None = getattr(request.app.state, "session_keys", None)
    if keys is None:
        services: Services = request.app.state.services
        keys = SessionKeys(load_session_secret(services.settings.data_dir))
        request.app.state.session_keys = keys
    return keys


SessionKeysDep = Annotated[SessionKeys, Depends(get_session_keys)]


def session_claims(request: Request, keys: SessionKeys) -> SessionClaims | None:
    value = request.cookies.get(COOKIE)
    return keys.read(value) if value else None


async def _cookie_user(request: Request, services: Services, keys: SessionKeys) -> User:
    """The dashboard's user: a signed session cookie, and a CSRF token on unsafe methods."""
    claims = session_claims(request, keys)
    if claims is None:
        raise Unauthorized(
            "This endpoint needs an API token.",
            hint="Send 'Authorization: Bearer <token>'; create one with `easel token create`."
            " The dashboard signs in with it at /sign-in.",
        )
    if request.method not in SAFE_METHODS:
        keys.check_csrf(claims, request.headers.get(CSRF_HEADER))
    async with services.db.session() as session:
        user = await session_repo.session_user(
            session, user_id=claims.user_id, token_id=claims.token_id
        )
    if user is None:
        raise Unauthorized(
            "The session has ended: its API token no longer exists.",
            hint="Sign in again with a valid token.",
        )
    return user


async def current_user(request: Request, services: ServicesDep, keys: SessionKeysDep) -> User:
    """The caller: a bearer token (exempt from CSRF: it is never sent by the browser on its
    own), or else the dashboard's session cookie."""
    token = bearer_token(request)
    if token is None:
        return await _cookie_user(request, services, keys)
    async with services.db.session() as session:
        user = await user_repo.user_for_token(session, token=token)
    if user is None:
        raise Unauthorized(
            "The API token is not valid.",
            hint="Check for typos, or create a new one with `easel token create`.",
        )
    return user


CurrentUser = Annotated[User, Depends(current_user)]


async def admin_user(user: CurrentUser) -> User:
    """The caller, who must be an admin (the studio's first user, or one made so with
    `easel token create --admin`)."""
    if not user.is_admin:
        raise Forbidden(
            f"Only admins may do this; {user.name} is not one.",
            hint="Ask an admin, or run `easel token create --user NAME --admin` on the server.",
        )
    return user


AdminUser = Annotated[User, Depends(admin_user)]
