"""The VariantQueue interface and its in-process implementation.

A queue message carries a variant id and its owner; the database row is the source of
truth and a worker claims the row before working on it. Delivering an id twice is
therefore harmless (the second claim finds the variant taken), which is what lets the
reconciler re-push anything that may have been lost.

Work is handed out fairly across users: when a slot frees, the next variant comes from
the next user in turn, so one user's thousand queued variants delay another user's first
by at most one slot.
"""

from __future__ import annotations

import abc
import asyncio
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass

from easel.engine.fairness import RoundRobin

Handler = Callable[[str], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Ticket:
    """A variant to work on, and whose turn it takes."""

    variant_id: str
    user_id: str


class VariantQueue(abc.ABC):
    shared: bool = False
    """Whether every process reads this same queue (then only the leader feeds it); a
    process's own queue is fed by its own reconciler, leader or not."""

    @abc.abstractmethod
    async def push(self, tickets: Iterable[Ticket]) -> None:
        """Ask for these variants to be worked on."""

    @abc.abstractmethod
    async def consume(self, handler: Handler) -> None:
        """Run ``handler(variant_id)`` for every pushed variant until cancelled."""

    @abc.abstractmethod
    async def lost(self, tickets: Iterable[Ticket]) -> list[Ticket]:
        """Of these variants (queued in the database), the ones the queue does not hold:
        never pushed, dropped with a restarted broker, or taken by a worker that is gone.
        The reconciler pushes only those, so its cost follows what is lost."""

    async def tidy(self) -> None:  # noqa: B027
        """Drop what the queue keeps of delivered work (run by the leader only)."""

    async def aclose(self) -> None:  # noqa: B027
        """Release connections."""


class InProcessQueue(VariantQueue):
    """Users' turns in memory, at most ``max_in_flight`` handlers at once; the next variant
    is chosen only when a slot is free, so a late user's work goes next."""

    def __init__(self, max_in_flight: int = 256) -> None:
        self._turns: RoundRobin[str] = RoundRobin()
        self._known: set[str] = set()  # waiting or in flight: not queued twice
        self._waiting = asyncio.Event()
        self._slots = asyncio.Semaphore(max_in_flight)
        self._tasks: set[asyncio.Task[None]] = set()

    async def push(self, tickets: Iterable[Ticket]) -> None:
        for ticket in tickets:
            if ticket.variant_id not in self._known:
                self._known.add(ticket.variant_id)
                self._turns.add(ticket.user_id, ticket.variant_id)
                self._waiting.set()

    async def lost(self, tickets: Iterable[Ticket]) -> list[Ticket]:
        return [ticket for ticket in tickets if ticket.variant_id not in self._known]

    async def consume(self, handler: Handler) -> None:
        try:
            while True:
                await self._slots.acquire()
                variant_id = self._turns.take()
                while variant_id is None:
                    self._waiting.clear()
                    await self._waiting.wait()
                    variant_id = self._turns.take()
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
