"""A provider's concurrency slot limits generations, not the storing after them.

The offline engine with a concurrency of 1, and a real folder store whose writes wait
behind a gate: while the first image waits to be stored, the next variant is already
generating. When storing falls behind (every finishing turn taken), a finished variant
keeps its slot while it waits for a turn, so no further generation starts.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

import easel.engine.worker as worker_module
from easel.config import ProviderSettings, Settings
from easel.db.migrate import upgrade
from easel.db.repos import users as user_repo
from easel.engine.jobs import JobView
from easel.engine.specs import JobSpec
from easel.services import Services, build_services
from easel.storage.local import LocalImageStore


class GatedStore(LocalImageStore):
    """A folder store whose writes wait until ``open`` is set."""

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.open = asyncio.Event()

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        await self.open.wait()
        await super().put(key, data, content_type)

    async def put_file(self, key: str, path: Path, content_type: str) -> None:
        await self.open.wait()
        await super().put_file(key, path, content_type)


Studio = tuple[Services, GatedStore, str]


async def _studio(tmp_path: Path) -> AsyncIterator[Studio]:
    settings = Settings(
        data_dir=tmp_path / "data",
        providers={"offline": ProviderSettings(concurrency=1)},
        environ={"HOME": str(tmp_path)},
    )
    settings.data_dir.mkdir(parents=True)
    store = GatedStore(settings.data_dir / "images")
    await asyncio.to_thread(upgrade, settings.resolved_database_url)
    services = build_services(settings, store=store)
    async with services.db.transaction() as session:
        issued = await user_repo.create_token(session, user_name="alice")
        user = await user_repo.user_for_token(session, token=issued.token)
    assert user is not None
    await services.start_workers()
    try:
        yield services, store, user.id
    finally:
        store.open.set()
        await services.aclose()


@pytest.fixture
async def studio(tmp_path: Path) -> AsyncIterator[Studio]:
    async for made in _studio(tmp_path):
        yield made


@pytest.fixture
async def one_turn_studio(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Studio]:
    monkeypatch.setattr(worker_module, "FINISHING_AT_ONCE", 1)
    async for made in _studio(tmp_path):
        yield made


async def _until(
    services: Services, user_id: str, job_id: str, done: Callable[[JobView], bool]
) -> JobView:
    for _ in range(600):
        view = await services.jobs.get(user_id=user_id, job_id=job_id)
        if done(view):
            return view
        await asyncio.sleep(0.05)
    raise AssertionError(f"job {job_id} never got there: {[v.status for v in view.variants]}")


def _statuses(view: JobView) -> list[str]:
    return sorted(v.status for v in view.variants)


async def test_the_next_variant_generates_while_the_last_image_is_stored(studio: Studio) -> None:
    services, store, user_id = studio
    spec = JobSpec(prompt="two kites over a dune", models=["offline/procedural"], n=2, size="64x64")
    job = await services.jobs.create(user_id=user_id, spec=spec)
    # Concurrency 1, yet both run at once: the first waits for storage, the second
    # generates (or waits for storage too, once its image is back).
    view = await _until(services, user_id, job.id, lambda v: _statuses(v) == ["running", "running"])
    assert not store.open.is_set() and view.job.status == "running"
    store.open.set()
    view = await _until(services, user_id, job.id, lambda v: v.job.finished_at is not None)
    assert _statuses(view) == ["succeeded", "succeeded"]


async def test_storing_that_falls_behind_holds_new_generations_back(
    one_turn_studio: Studio,
) -> None:
    services, store, user_id = one_turn_studio
    spec = JobSpec(prompt="three gulls on a pier", models=["offline/procedural"], n=3, size="64x64")
    job = await services.jobs.create(user_id=user_id, spec=spec)
    # The first image holds the one finishing turn; the second, generated, waits for a
    # turn with its slot; the third cannot start.
    await _until(
        services, user_id, job.id, lambda v: _statuses(v) == ["queued", "running", "running"]
    )
    await asyncio.sleep(0.5)  # time enough for a third to start, were a slot free
    view = await services.jobs.get(user_id=user_id, job_id=job.id)
    assert _statuses(view) == ["queued", "running", "running"]
    store.open.set()
    view = await _until(services, user_id, job.id, lambda v: v.job.finished_at is not None)
    assert _statuses(view) == ["succeeded"] * 3
