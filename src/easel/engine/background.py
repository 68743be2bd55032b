"""The process's periodic passes: reconciling, collecting images, delivering webhooks and
checking the vendors' model lists.

Stopping lets a pass in hand finish instead of cancelling it: a pass cancelled in the
middle of a query leaves its database connection to be reset by the garbage collector,
which fails noisily once the event loop is gone. Only a pass that outlives the grace
period is cancelled.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)


class Background:
    def __init__(self) -> None:
        self._stopping = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []

    def every(
        self,
        seconds: float | Callable[[], float],
        work: Callable[[], Awaitable[object]],
        *,
        what: str,
    ) -> None:
        """Run ``work`` now and then again ``seconds`` after each pass ends."""
        delay = seconds if callable(seconds) else (lambda: seconds)
        self._tasks.append(asyncio.create_task(self._repeat(delay, work, what), name=what))

    async def _repeat(
        self, delay: Callable[[], float], work: Callable[[], Awaitable[object]], what: str
    ) -> None:
        while not self._stopping.is_set():
            try:
                await work()
            except Exception:  # a transient failure must not end the schedule
                log.exception("%s failed", what)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), delay())

    async def stop(self, grace_seconds: float = 5.0) -> None:
        self._stopping.set()
        if not self._tasks:
            return
        _, late = await asyncio.wait(self._tasks, timeout=grace_seconds)
        for task in late:
            log.warning(
                "%s did not finish within %.0f s; cancelling it", task.get_name(), grace_seconds
            )
            task.cancel()
        for task in late:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()
