"""The webhook dispatcher: sends due deliveries, signs them, logs every attempt.

Deliveries are rows, so the dispatcher keeps no state of its own: each pass takes the
due rows, claims each one with a short lease (an update that only one process wins),
posts it, then records the attempt and when to try again. After a crash or a restart
the next pass finds the same rows; a claim interrupted mid-send is retried once its
lease is over.

Retries back off exponentially (doubling from ``webhook_retry_base_seconds`` up to
``webhook_retry_max_seconds``, with jitter, and no sooner than a ``Retry-After``) until
``webhook_give_up_seconds`` after the event. Redirects are not followed, and ``410 Gone``
switches an account webhook off, as Standard Webhooks recommends.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx

from easel.config import Settings
from easel.db.engine import Database
from easel.db.ids import as_utc, utcnow
from easel.db.repos import webhooks as webhook_repo
from easel.db.tables import WebhookDelivery
from easel.errors import UserInputError
from easel.webhooks import signing
from easel.webhooks.targets import Resolver, Target, check_target, system_resolver

log = logging.getLogger(__name__)

URL_FIELDS = frozenset({"url", "image_url"})


@dataclass(frozen=True)
class Message:
    """What one attempt needs, read while the delivery is claimed."""

    id: str
    user_id: str
    url: str
    payload: dict[str, Any]
    secret: str


@dataclass(frozen=True)
class Attempt:
    status_code: int | None
    error: str | None
    """None when delivered."""
    duration_ms: int
    retry_after: float | None = None
    gone: bool = False


def absolute_urls(value: Any, base_url: str) -> Any:
    """Payload paths (``/api/v1/…``) made absolute with the server's public URL."""
    if isinstance(value, dict):
        return {
            k: base_url + v
            if k in URL_FIELDS and isinstance(v, str) and v.startswith("/")
            else absolute_urls(v, base_url)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [absolute_urls(v, base_url) for v in value]
    return value


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after", "")
    return float(value) if value.strip().isdigit() else None


class Dispatcher:
    poll_seconds = 1.0
    batch = 50
    concurrency = 8

    def __init__(
        self,
        *,
        settings: Settings,
        db: Database,
        resolver: Resolver = system_resolver,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.settings = settings
        self.db = db
        self.resolver = resolver
        # Not following redirects: a 3xx could point anywhere, past the address check.
        self.http = httpx.AsyncClient(
            timeout=settings.webhook_timeout_seconds,
            follow_redirects=False,
            trust_env=False,
            transport=transport,
            headers={"User-Agent": "easel-webhooks"},
        )
        self._slots = asyncio.Semaphore(self.concurrency)

    async def drain(self) -> int:
        """One pass over the due deliveries; returns how many were due."""
        async with self.db.session() as session:
            ids = await webhook_repo.due_ids(session, now=utcnow(), limit=self.batch)
        await asyncio.gather(*(self._deliver(delivery_id) for delivery_id in ids))
        return len(ids)

    async def aclose(self) -> None:
        await self.http.aclose()

    async def _claim(self, delivery_id: str) -> Message | None:
        now = utcnow()
        lease = timedelta(seconds=self.settings.webhook_timeout_seconds + 30)
        async with self.db.transaction() as session:
            delivery = await webhook_repo.claim(
                session, delivery_id=delivery_id, now=now, lease_until=now + lease
            )
            if delivery is None:
                return None
            secret = await webhook_repo.ensure_secret(session, user_id=delivery.user_id)
            return Message(delivery.id, delivery.user_id, delivery.url, delivery.payload, secret)

    async def _deliver(self, delivery_id: str) -> None:
        async with self._slots:
            message = await self._claim(delivery_id)
            if message is None:
                return
            attempted_at = utcnow()
            attempt = await self.send(message)
            async with self.db.transaction() as session:
                delivery = await session.get(WebhookDelivery, delivery_id)
                if delivery is None:
                    return
                next_at, give_up = self._schedule(delivery, attempt)
                await webhook_repo.record_attempt(
                    session,
                    delivery=delivery,
                    attempted_at=attempted_at,
                    status_code=attempt.status_code,
                    error=attempt.error,
                    duration_ms=attempt.duration_ms,
                    next_attempt_at=next_at,
                    give_up=give_up,
                )
                if attempt.gone and delivery.webhook_id:
                    await webhook_repo.disable_webhook(session, webhook_id=delivery.webhook_id)

    def _schedule(self, delivery: WebhookDelivery, attempt: Attempt) -> tuple[datetime, bool]:
        """When to try again, and whether to give up instead."""
        s = self.settings
        delay = s.webhook_retry_base_seconds * 2 ** min(delivery.attempts, 30)
        delay = min(delay, s.webhook_retry_max_seconds)
        delay *= random.uniform(0.8, 1.2)  # spread retries so failures do not come in waves
        if attempt.retry_after is not None:
            delay = max(delay, min(attempt.retry_after, s.webhook_retry_max_seconds))
        next_at = utcnow() + timedelta(seconds=delay)
        deadline = as_utc(delivery.created_at) + timedelta(seconds=s.webhook_give_up_seconds)
        return next_at, attempt.gone or next_at > deadline

    async def send(self, message: Message) -> Attempt:
        """One signed POST to the checked address of the target."""
        started = time.monotonic()

        def elapsed() -> int:
            return int((time.monotonic() - started) * 1000)

        try:
            target = await check_target(
                message.url,
                allow_private=self.settings.allow_private_webhooks,
                resolver=self.resolver,
            )
        except UserInputError as exc:
            return Attempt(None, f"refused: {exc.message}", elapsed())
        payload = absolute_urls(message.payload, self.settings.public_url.rstrip("/"))
        body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
        headers = signing.headers(message.secret, f"msg_{message.id}", int(time.time()), body)
        try:
            response = await self._post(target, body, headers)
        except httpx.HTTPError as exc:
            return Attempt(None, f"{type(exc).__name__}: {exc}".rstrip(": "), elapsed())
        if response.is_success:
            return Attempt(response.status_code, None, elapsed())
        return Attempt(
            response.status_code,
            f"HTTP {response.status_code}",
            elapsed(),
            retry_after=_retry_after(response),
            gone=response.status_code == 410,
        )

    async def _post(self, target: Target, body: bytes, headers: dict[str, str]) -> httpx.Response:
        url = httpx.URL(target.url)
        # Connect to the address that was checked, naming the host in Host and TLS SNI,
        # so a second DNS answer cannot swap in a private address.
        pinned = url.copy_with(host=target.address)
        extensions = {"sni_hostname": target.host} if target.scheme == "https" else {}
        request = self.http.build_request(
            "POST",
            pinned,
            content=body,
            headers={
                **headers,
                "Host": url.netloc.decode(),
                "Content-Type": "application/json",
            },
            extensions=extensions,
        )
        # Streamed and closed unread: the receiver's body is not needed, however large.
        response = await self.http.send(request, stream=True)
        with contextlib.suppress(httpx.HTTPError):
            await response.aclose()
        return response
