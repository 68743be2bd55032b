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


async def _flush_unique(session: AsyncSession, name: str) -> None:
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError:
        raise Conflict(
            f"A preset named {name!r} already exists.", hint="Choose another name.", field="name"
        ) from None


async def create_preset(
    session: AsyncSession, *, user_id: str, name: str, models: list[Any], params: dict[str, Any]
) -> Preset:
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
    session.add(preset)
    await _flush_unique(session, name)
    return preset


async def update_preset(
    session: AsyncSession, *, preset: Preset, name: str, models: list[Any], params: dict[str, Any]
) -> Preset:
    preset.name, preset.models, preset.params = name, models, params
    preset.updated_at = utcnow()
    await _flush_unique(session, name)
    return preset
