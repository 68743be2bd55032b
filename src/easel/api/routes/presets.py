"""Presets: named sets of models and parameters."""

from __future__ import annotations

from fastapi import APIRouter, Response, status
from pydantic import ValidationError

from easel.api.deps import CurrentUser, ServicesDep
from easel.api.schemas import PresetIn, PresetOut
from easel.db.repos import presets as preset_repo
from easel.engine.jobs import PRESET_FIELDS
from easel.engine.specs import JobSpec, check_extra, check_lengths
from easel.errors import NotFound, UserInputError

router = APIRouter(prefix="/presets", tags=["presets"])


def _check(body: PresetIn, services: ServicesDep) -> None:
    unknown = sorted(set(body.params) - set(PRESET_FIELDS))
    if unknown:
        raise UserInputError(
            f"Presets cannot hold {', '.join(unknown)}.",
            field="params",
            allowed=list(PRESET_FIELDS),
        )
    entries = [services.catalog.require(model) for model in body.models]
    # Validate the values with the same rules as a job.
    try:
        spec = JobSpec.model_validate(
            {"prompt": "preset check", "models": body.models, **body.params}
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"])
        raise UserInputError(f"params.{field}: {first['msg']}", field=f"params.{field}") from None
    check_lengths(spec, services.settings.max_prompt_length)
    for entry in entries:
        check_extra(spec.extra, entry.model.id, entry.model.capabilities)


@router.get("", response_model=list[PresetOut])
async def list_presets(user: CurrentUser, services: ServicesDep) -> list[PresetOut]:
    async with services.db.session() as session:
        presets = await preset_repo.list_presets(session, user_id=user.id)
    return [PresetOut.build(p, services.catalog) for p in presets]


@router.post("", status_code=status.HTTP_201_CREATED, response_model=PresetOut)
async def create_preset(body: PresetIn, user: CurrentUser, services: ServicesDep) -> PresetOut:
    _check(body, services)
    async with services.db.transaction() as session:
        preset = await preset_repo.create_preset(
            session, user_id=user.id, name=body.name, models=body.models, params=body.params
        )
    return PresetOut.build(preset, services.catalog)


@router.get("/{preset_id}", response_model=PresetOut)
async def get_preset(preset_id: str, user: CurrentUser, services: ServicesDep) -> PresetOut:
    async with services.db.session() as session:
        preset = await preset_repo.get_preset(session, user_id=user.id, preset_id=preset_id)
    if preset is None:
        raise NotFound(f"No preset {preset_id}.")
    return PresetOut.build(preset, services.catalog)


@router.put("/{preset_id}", response_model=PresetOut)
async def update_preset(
    preset_id: str, body: PresetIn, user: CurrentUser, services: ServicesDep
) -> PresetOut:
    _check(body, services)
    async with services.db.transaction() as session:
        preset = await preset_repo.get_preset(session, user_id=user.id, preset_id=preset_id)
        if preset is None:
            raise NotFound(f"No preset {preset_id}.")
        await preset_repo.update_preset(
            session, preset=preset, name=body.name, models=body.models, params=body.params
        )
    return PresetOut.build(preset, services.catalog)


@router.delete("/{preset_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_preset(preset_id: str, user: CurrentUser, services: ServicesDep) -> Response:
    async with services.db.transaction() as session:
        preset = await preset_repo.get_preset(session, user_id=user.id, preset_id=preset_id)
        if preset is None:
            raise NotFound(f"No preset {preset_id}.")
        await session.delete(preset)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
