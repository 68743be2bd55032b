"""The assist history: one row per finished run, scoped to its user."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from easel.db.ids import as_utc
from easel.db.tables import AssistRun


async def add_run(session: AsyncSession, run: AssistRun) -> None:
    session.add(run)
    await session.flush()


async def get_run(session: AsyncSession, *, user_id: str, run_id: str) -> AssistRun | None:
    return await session.scalar(
        select(AssistRun).where(AssistRun.id == run_id, AssistRun.user_id == user_id)
    )


async def list_runs(
    session: AsyncSession,
    *,
    user_id: str,
    text: str | None,
    kind: str | None,
    before_id: str | None,
    limit: int,
) -> Sequence[AssistRun]:
    """Newest first; ``text`` matches the question or idea and the streamed answer."""
    query = select(AssistRun).where(AssistRun.user_id == user_id)
    if before_id:
        query = query.where(AssistRun.id < before_id)
    if kind:
        query = query.where(AssistRun.kind == kind)
    if text:
        query = query.where(
            or_(
                AssistRun.request_text.icontains(text, autoescape=True),
                AssistRun.text.icontains(text, autoescape=True),
            )
        )
    return (await session.scalars(query.order_by(AssistRun.id.desc()).limit(limit))).all()


async def finished_since(
    session: AsyncSession, *, user_id: str, since: datetime
) -> list[tuple[datetime, Decimal | None]]:
    """(finished_at, cost) of the user's runs finished at or after ``since``."""
    query = select(AssistRun.finished_at, AssistRun.cost_usd).where(
        AssistRun.user_id == user_id, AssistRun.finished_at >= since
    )
    return [(as_utc(at), cost) for at, cost in (await session.execute(query)).tuples()]


async def runs_for_stats(
    session: AsyncSession, *, user_id: str
) -> Sequence[tuple[str, str, int | None, int | None, int | None, Decimal | None]]:
    """(model, status, input tokens, output tokens, first delta ms, cost) of every run."""
    query = select(
        AssistRun.model_id,
        AssistRun.status,
        AssistRun.input_tokens,
        AssistRun.output_tokens,
        AssistRun.first_delta_ms,
        AssistRun.cost_usd,
    ).where(AssistRun.user_id == user_id)
    return (await session.execute(query)).tuples().all()
