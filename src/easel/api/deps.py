"""Annotated dependencies, so routes read like prose."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from easel.db.repos import users as user_repo
from easel.db.tables import User
from easel.errors import Unauthorized
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


async def current_user(request: Request, services: ServicesDep) -> User:
    token = bearer_token(request)
    if token is None:
        raise Unauthorized(
            "This endpoint needs an API token.",
            hint="Send 'Authorization: Bearer <token>'; create one with `easel token create`.",
        )
    async with services.db.session() as session:
        user = await user_repo.user_for_token(session, token=token)
    if user is None:
        raise Unauthorized(
            "The API token is not valid.",
            hint="Check for typos, or create a new one with `easel token create`.",
        )
    return user


CurrentUser = Annotated[User, Depends(current_user)]
