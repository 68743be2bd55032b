"""The caller's own account: who they are, and the models their jobs use by default."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from easel.api.deps import CurrentUser, ServicesDep
from easel.db.repos import users as user_repo
from easel.engine.defaults import effective_defaults
from easel.errors import UserInputError
from easel.services import Services

router = APIRouter(prefix="/me", tags=["account"])


class DefaultsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    models: list[str] = Field(
        max_length=16,
        description="Model ids a job without models runs on; empty: the cheapest model.",
    )


class DefaultsOut(BaseModel):
    models: list[str] = Field(description="The models chosen as defaults (may be empty).")
    effective: list[str] = Field(
        description="What a job without models runs on today: the chosen defaults that can "
        "run now, or else the cheapest available model."
    )


class MeOut(BaseModel):
    id: str
    name: str
    is_admin: bool
    defaults: DefaultsOut


def _defaults(services: Services, chosen: list[str]) -> DefaultsOut:
    return DefaultsOut(models=chosen, effective=effective_defaults(services.catalog, chosen))


@router.get("", response_model=MeOut)
async def read_me(user: CurrentUser, services: ServicesDep) -> MeOut:
    chosen = list(user.default_models or [])
    return MeOut(
        id=user.id, name=user.name, is_admin=user.is_admin, defaults=_defaults(services, chosen)
    )


@router.get("/defaults", response_model=DefaultsOut)
async def read_defaults(user: CurrentUser, services: ServicesDep) -> DefaultsOut:
    return _defaults(services, list(user.default_models or []))


def _check(body: DefaultsIn, services: Services) -> list[str]:
    if len(set(body.models)) != len(body.models):
        raise UserInputError("A model is listed twice.", field="models")
    for model in body.models:
        services.catalog.require(model)  # unknown or shut down: a 404 or 410 naming why
    return body.models


@router.put("/defaults", response_model=DefaultsOut)
async def set_defaults(body: DefaultsIn, user: CurrentUser, services: ServicesDep) -> DefaultsOut:
    """Choose the models a job, an MCP call or `easel generate` without models runs on."""
    models = _check(body, services)
    async with services.db.transaction() as session:
        await user_repo.set_default_models(session, user_id=user.id, models=models)
    return _defaults(services, models)
