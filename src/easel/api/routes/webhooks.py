"""Account webhooks, their signing secret, and the delivery log with its attempts."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal, get_args

from fastapi import APIRouter, Query, Response, status
from pydantic import BaseModel, ConfigDict, Field

from easel.api.deps import CurrentUser, ServicesDep
from easel.db.ids import as_utc
from easel.db.repos import webhooks as webhook_repo
from easel.db.tables import Webhook, WebhookAttempt, WebhookDelivery
from easel.errors import NotFound
from easel.webhooks.outbox import EVENT_TYPES
from easel.webhooks.signing import new_secret
from easel.webhooks.targets import check_target

router = APIRouter(prefix="/webhooks", tags=["webhooks"])

EventType = Literal["job.finished", "variant.failed"]
assert set(get_args(EventType)) == set(EVENT_TYPES), "spelled out for the schema; keep in step"


class WebhookIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str = Field(max_length=2000, examples=["https://example.com/hooks/easel"])
    events: list[EventType] = Field(
        default_factory=lambda: list(get_args(EventType)),
        min_length=1,
        max_length=10,
        description="What to send.",
    )


class WebhookOut(BaseModel):
    id: str
    url: str
    events: list[str]
    active: bool
    created_at: datetime

    @classmethod
    def build(cls, webhook: Webhook) -> WebhookOut:
        return cls(
            id=webhook.id,
            url=webhook.url,
            events=list(webhook.events),
            active=webhook.active,
            created_at=as_utc(webhook.created_at),
        )


class SecretOut(BaseModel):
    secret: str = Field(description="Verify deliveries with it (Standard Webhooks, whsec_…).")


class AttemptOut(BaseModel):
    attempted_at: datetime
    status_code: int | None
    error: str | None
    duration_ms: int

    @classmethod
    def build(cls, attempt: WebhookAttempt) -> AttemptOut:
        return cls(
            attempted_at=as_utc(attempt.attempted_at),
            status_code=attempt.status_code,
            error=attempt.error,
            duration_ms=attempt.duration_ms,
        )


class DeliveryOut(BaseModel):
    id: str
    message_id: str = Field(description="The webhook-id header: the same on every attempt.")
    webhook_id: str | None = Field(description="None for a job's own webhook_url.")
    job_id: str | None
    url: str
    event_type: str
    status: str = Field(description="pending, delivered or failed.")
    attempts: int
    next_attempt_at: datetime | None
    last_status_code: int | None
    last_error: str | None
    created_at: datetime
    delivered_at: datetime | None
    payload: dict[str, object]

    @classmethod
    def build(cls, d: WebhookDelivery) -> DeliveryOut:
        return cls(
            id=d.id,
            message_id=f"msg_{d.id}",
            webhook_id=d.webhook_id,
            job_id=d.job_id,
            url=d.url,
            event_type=d.event_type,
            status=d.status,
            attempts=d.attempts,
            next_attempt_at=as_utc(d.next_attempt_at) if d.next_attempt_at else None,
            last_status_code=d.last_status_code,
            last_error=d.last_error,
            created_at=as_utc(d.created_at),
            delivered_at=as_utc(d.delivered_at) if d.delivered_at else None,
            payload=d.payload,
        )


class DeliveryDetail(DeliveryOut):
    attempt_log: list[AttemptOut]


@router.post("", status_code=status.HTTP_201_CREATED, response_model=WebhookOut)
async def create_webhook(body: WebhookIn, user: CurrentUser, services: ServicesDep) -> WebhookOut:
    """Register a URL for events of all your jobs. It must be http(s) and public."""
    await check_target(body.url, allow_private=services.settings.allow_private_webhooks)
    async with services.db.transaction() as session:
        webhook = await webhook_repo.create_webhook(
            session, user_id=user.id, url=body.url, events=sorted(set(body.events))
        )
        await webhook_repo.ensure_secret(session, user_id=user.id)
    return WebhookOut.build(webhook)


@router.get("", response_model=list[WebhookOut])
async def list_webhooks(user: CurrentUser, services: ServicesDep) -> list[WebhookOut]:
    async with services.db.session() as session:
        webhooks = await webhook_repo.list_webhooks(session, user_id=user.id)
    return [WebhookOut.build(w) for w in webhooks]


@router.get("/secret", response_model=SecretOut)
async def get_secret(user: CurrentUser, services: ServicesDep) -> SecretOut:
    """The secret your deliveries are signed with (made on first use)."""
    async with services.db.transaction() as session:
        return SecretOut(secret=await webhook_repo.ensure_secret(session, user_id=user.id))


@router.post("/secret/rotate", response_model=SecretOut)
async def rotate_secret(user: CurrentUser, services: ServicesDep) -> SecretOut:
    """Replace the secret; every attempt from now on is signed with the new one."""
    secret = new_secret()
    async with services.db.transaction() as session:
        await webhook_repo.set_secret(session, user_id=user.id, secret=secret)
    return SecretOut(secret=secret)


@router.get("/deliveries", response_model=list[DeliveryOut])
async def list_deliveries(
    user: CurrentUser,
    services: ServicesDep,
    status: Literal["pending", "delivered", "failed"] | None = None,
    job_id: Annotated[str | None, Query(max_length=32)] = None,
    webhook_id: Annotated[str | None, Query(max_length=32)] = None,
    before: Annotated[str | None, Query(max_length=32, description="Last id of a page.")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[DeliveryOut]:
    """Messages sent or to be sent to your webhooks, newest first."""
    async with services.db.session() as session:
        deliveries = await webhook_repo.list_deliveries(
            session,
            user_id=user.id,
            status=status,
            job_id=job_id,
            webhook_id=webhook_id,
            before_id=before,
            limit=limit,
        )
    return [DeliveryOut.build(d) for d in deliveries]


async def _delivery(services: ServicesDep, user_id: str, delivery_id: str) -> WebhookDelivery:
    async with services.db.session() as session:
        delivery = await webhook_repo.get_delivery(
            session, user_id=user_id, delivery_id=delivery_id
        )
    if delivery is None:
        raise NotFound(f"No webhook delivery {delivery_id}.")
    return delivery


@router.get("/deliveries/{delivery_id}", response_model=DeliveryDetail)
async def get_delivery(
    delivery_id: str, user: CurrentUser, services: ServicesDep
) -> DeliveryDetail:
    """One delivery with every attempt made."""
    delivery = await _delivery(services, user.id, delivery_id)
    attempts = await list_attempts(delivery_id, user, services)
    return DeliveryDetail(**DeliveryOut.build(delivery).model_dump(), attempt_log=attempts)


@router.get("/deliveries/{delivery_id}/attempts", response_model=list[AttemptOut])
async def list_attempts(
    delivery_id: str, user: CurrentUser, services: ServicesDep
) -> list[AttemptOut]:
    """Every attempt of one delivery, oldest first: when, the answer, how long it took."""
    await _delivery(services, user.id, delivery_id)
    async with services.db.session() as session:
        attempts = await webhook_repo.attempts_of(session, delivery_id=delivery_id)
    return [AttemptOut.build(a) for a in attempts]


@router.get("/{webhook_id}", response_model=WebhookOut)
async def get_webhook(webhook_id: str, user: CurrentUser, services: ServicesDep) -> WebhookOut:
    async with services.db.session() as session:
        webhook = await webhook_repo.get_webhook(session, user_id=user.id, webhook_id=webhook_id)
    if webhook is None:
        raise NotFound(f"No webhook {webhook_id}.")
    return WebhookOut.build(webhook)


@router.delete("/{webhook_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_webhook(webhook_id: str, user: CurrentUser, services: ServicesDep) -> Response:
    """Stop sending to this URL; its undelivered messages are given up."""
    async with services.db.transaction() as session:
        found = await webhook_repo.delete_webhook(session, user_id=user.id, webhook_id=webhook_id)
    if not found:
        raise NotFound(f"No webhook {webhook_id}.")
    return Response(status_code=status.HTTP_204_NO_CONTENT)
