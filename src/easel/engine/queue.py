"""The VariantQueue interface and its in-process implementation.

A queue message carries only a variant id; the database row is the source of truth and a
worker claims the row before working on it. Delivering an id twice is therefore harmless
(the second claim finds the variant taken), which is what lets the reconciler re-push
anything that may have been lost.
"""

from __future__ import annotations

import abc
import asyncio
from collections.abc import Awaitable, Callable, Iterable

Handler = Callable[[str], Awaitable[None]]


class VariantQueue(abc.ABC):
    @abc.abstractmethod
    async def push(self, variant_ids: Iterable[str]) -> None:
        """Ask for these variants to be worked on."""

    @abc.abstractmethod
    async def consume(self, handler: Handler) -> None:
        """Run ``handler(variant_id)`` for every pushed id until cancelled."""

    @abc.abstractmethod
    async def lost(self, variant_ids: Iterable[str]) -> list[str]:
        """Of these variants (queued in the database), the ones the queue does not hold:
        never pushed, dropped with a restarted broker, or taken by a worker that is gone.
        The reconciler pushes only those, so its cost follows what is lost."""

    async def tidy(self) -> None:  # noqa: B027
        """Drop what the queue keeps of delivered work (run by the leader only)."""

    async def aclose(self) -> None:  # noqa: B027
        """Release connections."""


class InProcessQueue(VariantQueue):
    """An asyncio queue; ids already waiting or in flight are not queued again."""

    def __init__(self, max_in_flight: int = 256) -> None:
        self._queue: asyncio.Queue[str] = asyncio.Queue()
        self._known: set[str] = set()
        self._slots = asyncio.Semaphore(max_in_flight)
        self._tasks: set[asyncio.Task[None]] = set()

    async def push(self, variant_ids: Iterable[str]) -> None:
        for variant_id in variant_ids:
            if variant_id not in self._known:
                self._known.add(variant_id)
                self._queue.put_nowait(variant_id)

    async def lost(self, variant_ids: Iterable[str]) -> list[str]:
        return [variant_id for variant_id in variant_ids if variant_id not in self._known]

    async def consume(self, handler: Handler) -> None:
        try:
            while True:
                variant_id = await self._queue.get()
                await self._slots.acquire()
                task = asyncio.create_task(self._run(handler, variant_id))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)
        finally:
            for task in list(self._tasks):
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _run(self, handler: Handler, variant_id: str) -> None:
        try:
            await handler(variant_id)
        finally:
            self._known.discard(variant_id)
            self._slots.release()

    def pending(self) -> int:
        return self._queue.qsize()
