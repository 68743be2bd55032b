"""The job event log."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from easel.db.ids import as_utc, utcnow
from easel.db.tables import JobEvent, User
from easel.events.types import Event, EventPayload


def _to_event(row: JobEvent) -> Event:
    return Event(
        seq=row.seq,
        user_id=row.user_id,
        job_id=row.job_id,
        variant_id=row.variant_id,
        type=row.type,
        data=row.data,
        created_at=as_utc(row.created_at),
    )


async def append(
    session: AsyncSession,
    *,
    user_id: str,
    job_id: str,
    payload: EventPayload,
    variant_id: str | None = None,
) -> Event:
    """Append one event. Taking the next number locks the user's row until commit, so a
    user's events commit in sequence order and a reader never skips one that lands late."""
    seq = (
        await session.execute(
            update(User)
            .where(User.id == user_id)
            .values(event_seq=User.event_seq + 1)
            .returning(User.event_seq)
        )
    ).scalar_one()
    row = JobEvent(
        user_id=user_id,
        seq=seq,
        job_id=job_id,
        variant_id=variant_id,
        type=payload.name,
        data=payload.model_dump(mode="json"),
        created_at=utcnow(),
    )
    session.add(row)
    await session.flush()
    return _to_event(row)


async def after(
    session: AsyncSession,
    *,
    user_id: str,
    after_seq: int,
    job_id: str | None = None,
    limit: int = 1000,
) -> Sequence[Event]:
    """Events of a user (or one of their jobs) with a sequence number above ``after_seq``."""
    query = select(JobEvent).where(JobEvent.user_id == user_id, JobEvent.seq > after_seq)
    if job_id is not None:
        query = query.where(JobEvent.job_id == job_id)
    rows = (await session.scalars(query.order_by(JobEvent.seq).limit(limit))).all()
    return [_to_event(r) for r in rows]


async def last_seq(session: AsyncSession, *, user_id: str) -> int:
    value = await session.scalar(select(User.event_seq).where(User.id == user_id))
    return int(value or 0)
