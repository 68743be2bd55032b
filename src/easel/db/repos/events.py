"""The job event log."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

from sqlalchemy import RowMapping, Table, bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from easel.db.ids import as_utc, utcnow
from easel.db.tables import JobEvent, User
from easel.events.types import Event, EventPayload

_USERS = cast(Table, User.__table__)
_EVENTS = cast(Table, JobEvent.__table__)
# Built once: building a statement and its cache key costs more CPU than running it.
_NUMBER = (
    update(_USERS)
    .where(_USERS.c.id == bindparam("user_id"))
    .values(event_seq=_USERS.c.event_seq + bindparam("count"))
    .returning(_USERS.c.event_seq)
)
_INSERT = insert(_EVENTS)
# Rows, not mapped objects: each becomes an `Event` at once, and every SSE stream and
# every waiting /v1 call reads here.
_AFTER = select(
    _EVENTS.c.seq,
    _EVENTS.c.user_id,
    _EVENTS.c.job_id,
    _EVENTS.c.variant_id,
    _EVENTS.c.type,
    _EVENTS.c.data,
    _EVENTS.c.created_at,
).where(_EVENTS.c.user_id == bindparam("user_id"), _EVENTS.c.seq > bindparam("after_seq"))
_USER_AFTER = _AFTER.order_by(_EVENTS.c.seq).limit(bindparam("limit"))
_JOB_AFTER = (
    _AFTER.where(_EVENTS.c.job_id == bindparam("job_id"))
    .order_by(_EVENTS.c.seq)
    .limit(bindparam("limit"))
)


def _to_event(row: RowMapping) -> Event:
    return Event(
        seq=row["seq"],
        user_id=row["user_id"],
        job_id=row["job_id"],
        variant_id=row["variant_id"],
        type=row["type"],
        data=row["data"],
        created_at=as_utc(row["created_at"]),
    )


@dataclass(frozen=True)
class NewEvent:
    """An event to append: what happened, to which job (and variant)."""

    job_id: str
    payload: EventPayload
    variant_id: str | None = None


async def append(session: AsyncSession, *, user_id: str, events: Sequence[NewEvent]) -> list[Event]:
    """Append events of one user, in order: one statement numbers them all, one writes
    them. Taking the numbers locks the user's row until commit, so a user's events commit
    in sequence order and a reader never skips one that lands late."""
    if not events:
        return []
    # Core statements on the tables: the ORM's bulk machinery costs more CPU than the
    # statements themselves on this path, taken by every transition.
    last = (await session.execute(_NUMBER, {"user_id": user_id, "count": len(events)})).scalar_one()
    now = utcnow()
    rows = [
        {
            "user_id": user_id,
            "seq": last - len(events) + 1 + index,
            "job_id": new.job_id,
            "variant_id": new.variant_id,
            "type": new.payload.name,
            "data": new.payload.model_dump(mode="json"),
            "created_at": now,
        }
        for index, new in enumerate(events)
    ]
    await session.execute(_INSERT, rows)
    return [Event.model_validate(row) for row in rows]


async def after(
    session: AsyncSession,
    *,
    user_id: str,
    after_seq: int,
    job_id: str | None = None,
    limit: int = 1000,
) -> Sequence[Event]:
    """Events of a user (or one of their jobs) with a sequence number above ``after_seq``."""
    params = {"user_id": user_id, "after_seq": after_seq, "limit": limit}
    if job_id is None:
        rows = (await session.execute(_USER_AFTER, params)).mappings().all()
    else:
        rows = (await session.execute(_JOB_AFTER, {**params, "job_id": job_id})).mappings().all()
    return [_to_event(r) for r in rows]


async def last_seq(session: AsyncSession, *, user_id: str) -> int:
    value = await session.scalar(select(User.event_seq).where(User.id == user_id))
    return int(value or 0)
