"""The runner's polls of a real create-then-poll API (the BFL emulator on loopback): the
vendor's progress foretells a first task's end, and the duration learned from it (or,
before it ends, foretold by it) sends the next task of the model its only poll when it
should be done."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Mapping
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import Request
from fastapi.responses import Response

from easel.config import ProviderSettings, Settings
from easel.engine.retry import ProviderGate
from easel.engine.runner import RunHooks, Runner
from easel.providers import Catalog
from easel.providers.base import GenerationRequest
from easel.storage.staging import Staging
from emulators.bfl import BFLEmulator

TASK_SECONDS = 2.0
FLOOR = 0.2
"""The poll floor: backing off from it with the elapsed time would ask nine times."""


class CountingBFL(BFLEmulator):
    """The BFL emulator, counting the polls of each task."""

    def __init__(self) -> None:
        self.polls_of: Counter[str] = Counter()
        super().__init__()

    async def _result(self, id: str, request: Request) -> Response:
        self.polls_of[id] += 1
        return await super()._result(id, request)


async def _report(fraction: float, message: str, preview: bytes | None) -> None:
    return None


async def _save_result(data: Mapping[str, Any], now: bool) -> None:
    return None


@pytest.fixture
async def runner(tmp_path: Path) -> AsyncIterator[tuple[Runner, Catalog, CountingBFL]]:
    bfl = CountingBFL().start()
    bfl.state.task_seconds = TASK_SECONDS
    settings = Settings(
        data_dir=tmp_path / "data",
        poll_interval_seconds=FLOOR,
        providers={"bfl": ProviderSettings(base_url=bfl.base_url)},
        environ={"HOME": str(tmp_path), **bfl.easel_env()},
    )
    try:
        async with httpx.AsyncClient() as http:
            runner = Runner(settings=settings, http=http, staging=Staging(tmp_path / "staging"))
            yield runner, Catalog.load(settings), bfl
    finally:
        bfl.stop()


async def _polls_of_one_task(runner: Runner, catalog: Catalog, bfl: CountingBFL) -> int:
    entry = catalog.get("bfl/flux-pro-1.1")
    request = GenerationRequest(model=entry.model, prompt="a lighthouse", width=512, height=512)
    made: list[str] = []

    async def save_task(task: Mapping[str, Any]) -> None:
        made.append(str(task["id"]))

    hooks = RunHooks(report=_report, save_task=save_task, save_result=_save_result)
    await runner.run(
        entry=entry,
        gate=ProviderGate("bfl", 1),
        request=request,
        remote_task=None,
        remote_result=None,
        hooks=hooks,
    )
    return bfl.polls_of[made[0]]


async def test_progress_then_the_learned_duration_cut_the_polls_per_task(
    runner: tuple[Runner, Catalog, CountingBFL],
) -> None:
    first = await _polls_of_one_task(*runner)
    # Two readings of progress give the rate; the next poll lands just after the end
    # (one more when rounding in the vendor's progress put it just before).
    assert 1 <= first <= 4
    # The learned duration is at least the first task's: the next task, as long, is
    # asked about once, when it is done.
    assert await _polls_of_one_task(*runner) == 1


async def test_a_running_tasks_progress_tells_the_next_task_when_to_poll(
    runner: tuple[Runner, Catalog, CountingBFL],
) -> None:
    first = asyncio.create_task(_polls_of_one_task(*runner))
    bfl = runner[2]
    while sum(bfl.polls_of.values()) < 2:  # two readings of the first task's progress
        await asyncio.sleep(0.01)
    # Nothing has finished yet, but the first task's rate foretold the model's duration:
    # the second is asked about when it should be done (once; twice if the rounding in
    # the vendor's progress put that just before its end), not first at the floor.
    assert await _polls_of_one_task(*runner) <= 2
    assert await first <= 4
