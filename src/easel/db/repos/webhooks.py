"""Webhooks, their deliveries and delivery attempts, and each user's signing secret.

Every query taking a ``user_id`` is scoped to that user; the dispatcher's queries
(`due_ids`, `claim`, `record_attempt`) run across users.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from easel.db.ids import new_id, utcnow
from easel.db.tables import User, Webhook, WebhookAttempt, WebhookDelivery
from easel.webhooks.signing import new_secret

PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"


async def create_webhook(
    session: AsyncSession, *, user_id: str, url: str, events: list[str]
) -> Webhook:
    webhook = Webhook(
        id=new_id(), user_id=user_id, url=url, events=events, active=True, created_at=utcnow()
    )
    session.add(webhook)
    await session.flush()
    return webhook


async def list_webhooks(session: AsyncSession, *, user_id: str) -> Sequence[Webhook]:
    query = select(Webhook).where(Webhook.user_id == user_id).order_by(Webhook.id)
    return (await session.scalars(query)).all()


async def get_webhook(session: AsyncSession, *, user_id: str, webhook_id: str) -> Webhook | None:
    return await session.scalar(
        select(Webhook).where(Webhook.id == webhook_id, Webhook.user_id == user_id)
    )


async def delete_webhook(session: AsyncSession, *, user_id: str, webhook_id: str) -> bool:
    """Delete the webhook; its undelivered messages are given up (their log stays)."""
    webhook = await get_webhook(session, user_id=user_id, webhook_id=webhook_id)
    if webhook is None:
        return False
    await session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.webhook_id == webhook_id, WebhookDelivery.status == PENDING)
        .values(status=FAILED, next_attempt_at=None, last_error="the webhook was deleted")
    )
    await session.delete(webhook)
    return True


async def disable_webhook(session: AsyncSession, *, webhook_id: str) -> None:
    await session.execute(update(Webhook).where(Webhook.id == webhook_id).values(active=False))


# Built once, as every job's last transition runs it: building a statement and its cache
# key costs more CPU than running it.
_ACTIVE = select(Webhook).where(Webhook.user_id == bindparam("user_id"), Webhook.active.is_(True))


async def subscribed(session: AsyncSession, *, user_id: str, event_type: str) -> list[Webhook]:
    """Active webhooks of the user that asked for this event type."""
    rows = (await session.scalars(_ACTIVE, {"user_id": user_id})).all()
    # The event list is a small JSON array; filtering it here works on every database.
    return [w for w in rows if event_type in w.events]


async def get_secret(session: AsyncSession, *, user_id: str) -> str | None:
    return await session.scalar(select(User.webhook_secret).where(User.id == user_id))


async def set_secret(session: AsyncSession, *, user_id: str, secret: str) -> None:
    await session.execute(update(User).where(User.id == user_id).values(webhook_secret=secret))


async def add_delivery(
    session: AsyncSession,
    *,
    user_id: str,
    webhook_id: str | None,
    job_id: str | None,
    url: str,
    event_type: str,
    payload: dict[str, Any],
) -> WebhookDelivery:
    now = utcnow()
    delivery = WebhookDelivery(
        id=new_id(),
        user_id=user_id,
        webhook_id=webhook_id,
        job_id=job_id,
        url=url,
        event_type=event_type,
        payload=payload,
        status=PENDING,
        attempts=0,
        next_attempt_at=now,
        created_at=now,
    )
    session.add(delivery)
    return delivery


async def due_ids(session: AsyncSession, *, now: datetime, limit: int) -> Sequence[str]:
    query = (
        select(WebhookDelivery.id)
        .where(WebhookDelivery.status == PENDING, WebhookDelivery.next_attempt_at <= now)
        .order_by(WebhookDelivery.next_attempt_at)
        .limit(limit)
    )
    return (await session.scalars(query)).all()


async def claim(
    session: AsyncSession, *, delivery_id: str, now: datetime, lease_until: datetime
) -> WebhookDelivery | None:
    """Take a due delivery by pushing its next attempt past the lease: another process
    (or this one, after a crash) only retries it once the lease is over."""
    result = await session.execute(
        update(WebhookDelivery)
        .where(
            WebhookDelivery.id == delivery_id,
            WebhookDelivery.status == PENDING,
            WebhookDelivery.next_attempt_at <= now,
        )
        .values(next_attempt_at=lease_until)
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        return None
    return await session.get(WebhookDelivery, delivery_id, populate_existing=True)


async def record_attempt(
    session: AsyncSession,
    *,
    delivery: WebhookDelivery,
    attempted_at: datetime,
    status_code: int | None,
    error: str | None,
    duration_ms: int,
    next_attempt_at: datetime | None,
    give_up: bool,
) -> None:
    """Log one attempt and move the delivery on: delivered, retried later, or failed."""
    session.add(
        WebhookAttempt(
            delivery_id=delivery.id,
            attempted_at=attempted_at,
            status_code=status_code,
            error=error,
            duration_ms=duration_ms,
        )
    )
    delivery.attempts += 1
    delivery.last_status_code = status_code
    delivery.last_error = error
    if error is None:
        delivery.status, delivery.delivered_at, delivery.next_attempt_at = DELIVERED, utcnow(), None
    elif give_up:
        delivery.status, delivery.next_attempt_at = FAILED, None
    else:
        delivery.next_attempt_at = next_attempt_at
    await session.flush()


async def list_deliveries(
    session: AsyncSession,
    *,
    user_id: str,
    status: str | None,
    job_id: str | None,
    webhook_id: str | None,
    before_id: str | None,
    limit: int,
) -> Sequence[WebhookDelivery]:
    """Newest first (ids start with their creation time)."""
    query = select(WebhookDelivery).where(WebhookDelivery.user_id == user_id)
    if status:
        query = query.where(WebhookDelivery.status == status)
    if job_id:
        query = query.where(WebhookDelivery.job_id == job_id)
    if webhook_id:
        query = query.where(WebhookDelivery.webhook_id == webhook_id)
    if before_id:
        query = query.where(WebhookDelivery.id < before_id)
    query = query.order_by(WebhookDelivery.id.desc()).limit(limit)
    return (await session.scalars(query)).all()


async def get_delivery(
    session: AsyncSession, *, user_id: str, delivery_id: str
) -> WebhookDelivery | None:
    return await session.scalar(
        select(WebhookDelivery).where(
            WebhookDelivery.id == delivery_id, WebhookDelivery.user_id == user_id
        )
    )


async def attempts_of(session: AsyncSession, *, delivery_id: str) -> Sequence[WebhookAttempt]:
    query = (
        select(WebhookAttempt)
        .where(WebhookAttempt.delivery_id == delivery_id)
        .order_by(WebhookAttempt.id)
    )
    return (await session.scalars(query)).all()


async def ensure_secret(session: AsyncSession, *, user_id: str) -> str:
    """The user's signing secret, made on first use."""
    secret = await get_secret(session, user_id=user_id)
    if secret is None:
        secret = new_secret()
        await set_secret(session, user_id=user_id, secret=secret)
    return secret
