"""Retrying provider calls, once for every provider.

Only errors a provider marks ``retryable`` are tried again, with exponential backoff and
full jitter, honouring ``Retry-After``. A 429 cools the whole provider down: every call to
that provider waits until the cool-down ends, not just the one that was throttled.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from easel.engine.fairness import FairSlots
from easel.errors import ProviderError, RateLimited

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 4
    base_seconds: float = 1.0
    max_seconds: float = 30.0

    def backoff(self, attempt: int) -> float:
        """Full jitter: a random wait up to the exponential ceiling."""
        ceiling = min(self.max_seconds, self.base_seconds * 2 ** (attempt - 1))
        return random.uniform(ceiling / 2, ceiling)


class Slot:
    """One of a provider's concurrency slots, given back once: early, when the variant
    starts waiting on a remote task, or when its work ends."""

    def __init__(self, give_back: Callable[[], None]) -> None:
        self._give_back: Callable[[], None] | None = give_back

    def release(self) -> None:
        if self._give_back is not None:
            self._give_back()
            self._give_back = None


GateFactory = Callable[[str, int], "ProviderGate"]
"""Makes the gate of a provider (id, concurrency): in the process, or cluster-wide."""


class ProviderGate:
    """Per-provider concurrency limit and rate-limit cool-down, in this process.

    The limit counts generations being created at the vendor, as vendors count them:
    a variant holds a slot while its request is sent and, for synchronous APIs, until
    the image is back; a variant waiting on a remote task between polls holds none.
    Waiting variants get slots in turns across users.
    """

    def __init__(self, provider_id: str, concurrency: int) -> None:
        self.provider_id = provider_id
        self.slots = FairSlots(concurrency)
        self._cool_until = 0.0

    async def acquire(self, user_id: str) -> Slot:
        await self.slots.acquire(user_id)
        return Slot(self.slots.release)

    async def cool_down(self, seconds: float) -> None:
        self._cool_until = max(self._cool_until, time.monotonic() + seconds)

    async def wait_cool(self) -> None:
        while (delay := self._cool_until - time.monotonic()) > 0:
            await asyncio.sleep(delay)


async def call_with_retries(
    call: Callable[[], Awaitable[T]],
    *,
    gate: ProviderGate,
    policy: RetryPolicy,
    on_retry: Callable[[ProviderError, float], Awaitable[None]] | None = None,
) -> T:
    attempt = 0
    while True:
        attempt += 1
        await gate.wait_cool()
        try:
            return await call()
        except ProviderError as exc:
            if not exc.retryable or attempt >= policy.attempts:
                raise
            delay = policy.backoff(attempt)
            if isinstance(exc, RateLimited):
                delay = max(delay, exc.retry_after or 0.0)
                await gate.cool_down(delay)
            log.info(
                "%s: %s; retry %d/%d in %.1fs",
                gate.provider_id,
                exc,
                attempt,
                policy.attempts - 1,
                delay,
            )
            if on_retry is not None:
                await on_retry(exc, delay)
            await asyncio.sleep(delay)
