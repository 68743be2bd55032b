"""Taking turns across users, wherever work waits: in the queue for a worker slot and at
a provider's concurrency gate. Each user has a line; lines are served round-robin, so a
user with a thousand variants waiting delays another user's first by at most one turn.
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import Generic, TypeVar

T = TypeVar("T")


class RoundRobin(Generic[T]):
    """Per-user lines, served one item per user in turn, oldest first within a line. A
    user who starts waiting goes before those already being served, so a newcomer's
    first item is the very next one taken."""

    def __init__(self) -> None:
        self._lines: dict[str, deque[T]] = {}
        self._newcomers: deque[str] = deque()
        self._turns: deque[str] = deque()

    def add(self, user_id: str, item: T) -> None:
        line = self._lines.get(user_id)
        if line is None:
            line = self._lines[user_id] = deque()
            self._newcomers.append(user_id)
        line.append(item)

    def take(self) -> T | None:
        """The next user's oldest item, or None when every line is empty."""
        turns = self._newcomers or self._turns
        if not turns:
            return None
        user_id = turns.popleft()
        line = self._lines[user_id]
        item = line.popleft()
        if line:
            self._turns.append(user_id)
        else:
            del self._lines[user_id]
        return item


class FairSlots:
    """A counting semaphore whose waiters are woken in turns across users."""

    def __init__(self, count: int) -> None:
        self._free = count
        self._waiters: RoundRobin[asyncio.Future[None]] = RoundRobin()

    async def acquire(self, user_id: str) -> None:
        # A free slot means nobody live is waiting: release hands slots to waiters first.
        if self._free > 0:
            self._free -= 1
            return
        granted = asyncio.get_running_loop().create_future()
        self._waiters.add(user_id, granted)
        try:
            await granted
        except asyncio.CancelledError:
            if granted.done() and not granted.cancelled():
                self.release()  # handed a slot just as the caller gave up: pass it on
            raise

    def release(self) -> None:
        while (waiter := self._waiters.take()) is not None:
            if not waiter.done():  # cancelled waiters are skipped, not removed
                waiter.set_result(None)
                return
        self._free += 1
