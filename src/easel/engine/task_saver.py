"""Saving the remote tasks of many variants in one write transaction.

A variant's remote task must be in the database before its first poll (a restart then
resumes the task instead of paying for a new one), so each variant waits for its save.
SQLite has one writer at a time: with a thousand tasks created in a burst, a transaction
each would queue a thousand writes behind one connection, every one of them also waiting
for its turns on the busy event loop. Here the tasks that arrive while a save is being
written go together in the next one, one statement for all: one transaction when the
writer is idle, few under a burst.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from easel.db.engine import Database
from easel.db.repos import jobs as job_repo


class RemoteTaskSaver:
    def __init__(self, db: Database, *, owner: str) -> None:
        self.db = db
        self.owner = owner
        self._waiting: list[tuple[str, dict[str, Any], asyncio.Future[None]]] = []
        self._writing: asyncio.Task[None] | None = None
        self.transactions = 0
        """Write transactions made so far (what grouping saves is visible in tests)."""

    async def save(self, variant_id: str, task: Mapping[str, Any]) -> None:
        """Returns once the task is committed (for a variant this worker still holds)."""
        saved = asyncio.get_running_loop().create_future()
        self._waiting.append((variant_id, dict(task), saved))
        if self._writing is None or self._writing.done():
            self._writing = asyncio.create_task(self._write())
        # Shielded: a variant canceled meanwhile must not cancel the others' write.
        await asyncio.shield(saved)

    async def _write(self) -> None:
        while self._waiting:
            group, self._waiting = self._waiting, []
            try:
                self.transactions += 1
                async with self.db.transaction() as session:
                    tasks = [(variant_id, task) for variant_id, task, _ in group]
                    await job_repo.save_remote_tasks(session, owner=self.owner, tasks=tasks)
            except Exception as exc:  # each waiting variant fails as its own save would
                for _, _, saved in group:
                    if not saved.done():
                        saved.set_exception(exc)
            else:
                for _, _, saved in group:
                    if not saved.done():
                        saved.set_result(None)
