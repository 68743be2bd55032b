"""Running one adapter's stream the way every assistant run needs it:

* an answer refused before any text (429, or an overloaded 529/503) is tried again after
  the wait the vendor asked for (``retry-after``), within ``assist_retry_seconds`` in all
  and ``assist_max_attempts`` tries; once text went out it is never tried again, as the
  reader has already seen part of one answer;
* a vendor that stops sending for ``assist_idle_timeout_seconds`` between chunks ends the
  run with a `ProviderTimeout`;
* closing the iterator (the client went away) closes the adapter's stream, and with it the
  upstream request.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator, AsyncIterator
from dataclasses import dataclass

from easel.assist.base import TextContext, TextDelta, TextEvent, TextProvider, TextRequest
from easel.errors import ProviderError, ProviderTimeout, ProviderUnavailable, RateLimited


@dataclass(frozen=True)
class StreamPolicy:
    idle_timeout: float = 30.0
    retry_budget: float = 30.0
    """The longest total wait spent on retries before the first text."""
    max_attempts: int = 3
    backoff: float = 1.0
    """The wait when the vendor names none; it doubles per attempt."""


def _retry_wait(exc: ProviderError, attempt: int, policy: StreamPolicy) -> float | None:
    """How long to wait before trying again, or None when this failure is final."""
    if not isinstance(exc, RateLimited | ProviderUnavailable) or attempt >= policy.max_attempts:
        return None
    asked = exc.retry_after
    return asked if asked is not None else policy.backoff * 2 ** (attempt - 1)


async def _next(events: AsyncIterator[TextEvent], provider: str, idle: float) -> TextEvent:
    try:
        async with asyncio.timeout(idle):
            return await anext(events)
    except TimeoutError:
        raise ProviderTimeout(
            f"{provider} sent nothing for {idle:g} seconds and was stopped.",
            hint="Try again; if it keeps stalling, pick another assistant model.",
        ) from None


async def run_stream(
    provider: TextProvider, request: TextRequest, ctx: TextContext, policy: StreamPolicy
) -> AsyncIterator[TextEvent]:
    """The adapter's events, with retries before the first text and the idle timeout."""
    attempt, waited = 0, 0.0
    while True:
        attempt += 1
        events = provider.stream(request, ctx)
        sent_text = False
        try:
            while True:
                try:
                    event = await _next(events, provider.display_name, policy.idle_timeout)
                except StopAsyncIteration:
                    return
                sent_text = sent_text or isinstance(event, TextDelta)
                yield event
        except ProviderError as exc:
            wait = None if sent_text else _retry_wait(exc, attempt, policy)
            if wait is None or waited + wait > policy.retry_budget:
                if wait is not None:  # the wait asked for is longer than the budget left
                    exc.hint = f"{provider.display_name} asked to wait {wait:g} s; try again then."
                raise
            waited += wait
        finally:
            await _close(events)
        await asyncio.sleep(wait)


async def _close(events: AsyncIterator[TextEvent]) -> None:
    if isinstance(events, AsyncGenerator):
        with contextlib.suppress(Exception):
            await events.aclose()
