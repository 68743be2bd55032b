"""From job events to webhook deliveries, inside the transaction that made the events.

`easel.engine.transitions` calls `record` wherever a variant changes state, in the same
transaction. So a delivery row exists exactly when its event was committed: a crash
cannot lose one between the two, and a rolled-back transition creates none. Nothing is
sent here; the dispatcher (`easel.webhooks.delivery`) picks the rows up.

Payloads hold paths (``/api/v1/…``); the dispatcher makes them absolute with the
server's public URL when it sends them.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from easel.db.repos import webhooks as webhook_repo
from easel.db.tables import Job, Variant
from easel.events.types import Event, JobFinished, VariantFailed
from easel.urls import image_path, job_path

EVENT_TYPES: tuple[str, ...] = (JobFinished.name, VariantFailed.name)
"""What account-wide webhooks can subscribe to. A job's own ``webhook_url`` gets
``job.finished``."""


def _variant_summary(variant: Variant) -> dict[str, Any]:
    error = None
    if variant.error_code:
        error = {"code": variant.error_code, "message": variant.error_message or ""}
    return {
        "id": variant.id,
        "model": variant.model_id,
        "status": variant.status,
        "seed": variant.seed,
        "image_url": image_path(variant.image_sha256) if variant.image_sha256 else None,
        "error": error,
    }


def _data(job: Job, event: Event, variants: list[Variant]) -> dict[str, Any]:
    if event.type == JobFinished.name:
        return {
            "job_id": job.id,
            "url": job_path(job.id),
            "prompt": job.prompt,
            "status": event.data["status"],
            "cost_usd": event.data["cost_usd"],
            "variants": [_variant_summary(v) for v in variants],
        }
    variant = next(v for v in variants if v.id == event.variant_id)
    return {"job_id": job.id, "url": job_path(job.id), "variant": _variant_summary(variant)}


def payload(job: Job, event: Event, variants: list[Variant]) -> dict[str, Any]:
    """The message body, in the Standard Webhooks shape ``{type, timestamp, data}``."""
    return {
        "type": event.type,
        "timestamp": event.created_at.isoformat(),
        "data": _data(job, event, variants),
    }


async def record(
    session: AsyncSession, job: Job, events: list[Event], variants: list[Variant]
) -> None:
    """Add a delivery per target for each event that webhooks are told about;
    ``variants`` are all the job's, as the transition left them."""
    wanted = [e for e in events if e.type in EVENT_TYPES]
    if not wanted:
        return
    for event in wanted:
        targets: list[tuple[str | None, str]] = [
            (w.id, w.url)
            for w in await webhook_repo.subscribed(
                session, user_id=job.user_id, event_type=event.type
            )
        ]
        if event.type == JobFinished.name and job.webhook_url:
            targets.append((None, job.webhook_url))
        body = payload(job, event, variants)
        for webhook_id, url in targets:
            await webhook_repo.add_delivery(
                session,
                user_id=job.user_id,
                webhook_id=webhook_id,
                job_id=job.id,
                url=url,
                event_type=event.type,
                payload=body,
            )
