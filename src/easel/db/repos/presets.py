"""Saved presets: a name, models and parameters, per user."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from easel.db.ids import new_id, utcnow
from easel.db.tables import Preset
from easel.errors import Conflict


async def list_presets(session: AsyncSession, *, user_id: str) -> Sequence[Preset]:
    query = select(Preset).where(Preset.user_id == user_id).order_by(Preset.name)
    return (await session.scalars(query)).all()


async def get_preset(session: AsyncSession, *, user_id: str, preset_id: str) -> Preset | None:
    return await session.scalar(
        select(Preset).where(Preset.id == preset_id, Preset.user_id == user_id)
    )


def _taken(name: str) -> Conflict:
    return Conflict(
        f"A preset named {name!r} already exists.", hint="Choose another name.", field="name"
    )


async def _check_name_free(
    session: AsyncSession, *, user_id: str, name: str, preset_id: str | None = None
) -> None:
    query = select(Preset.id).where(Preset.user_id == user_id, Preset.name == name)
    if preset_id is not None:
        query = query.where(Preset.id != preset_id)
    if await session.scalar(query) is not None:
        raise _taken(name)


async def create_preset(
    session: AsyncSession, *, user_id: str, name: str, models: list[Any], params: dict[str, Any]
) -> Preset:
    await _check_name_free(session, user_id=user_id, name=name)
    now = utcnow()
    preset = Preset(
        id=new_id(),
        user_id=user_id,
        name=name,
        models=models,
        params=params,
        created_at=now,
        updated_at=now,
    )
    try:
        # A savepoint, so losing a race for the name leaves the transaction usable.
        async with session.begin_nested():
            session.add(preset)
    except IntegrityError:
        raise _taken(name) from None
    return preset


async def update_preset(
    session: AsyncSession, *, preset: Preset, name: str, models: list[Any], params: dict[str, Any]
) -> Preset:
    await _check_name_free(session, user_id=preset.user_id, name=name, preset_id=preset.id)
    preset.name, preset.models, preset.params = name, models, params
    preset.updated_at = utcnow()
    await session.flush()
    return preset
