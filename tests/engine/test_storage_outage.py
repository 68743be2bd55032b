"""A storage outage is waited out, not turned into failures that each cost a new generation.

The image store refuses every write for a while (a real folder store behind a switch);
variants of a hosted model that answers with a URL (Black Forest Labs) and of one that
answers with inline base64 (Google) say they are waiting for storage, then all succeed
once the store is back, with one paid creation each at the emulated vendor.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from easel.config import ProviderSettings, Settings
from easel.db.repos import users as user_repo
from easel.engine.jobs import JobView
from easel.engine.specs import JobSpec
from easel.errors import StorageError
from easel.events.bus import Subscription
from easel.services import Services, build_services
from easel.storage.local import LocalImageStore
from emulators.bfl import BFLEmulator
from emulators.gemini import GeminiEmulator


class SwitchedStore(LocalImageStore):
    """A folder store that fails every write and look-up while ``down`` is set."""

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.down = asyncio.Event()
        self.refused = 0

    def _check(self) -> None:
        if self.down.is_set():
            self.refused += 1
            raise StorageError("Could not save image: the storage service is unavailable.")

    async def exists(self, key: str) -> bool:
        self._check()
        return await super().exists(key)

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        self._check()
        await super().put(key, data, content_type)

    async def put_file(self, key: str, path: Path, content_type: str) -> None:
        self._check()
        await super().put_file(key, path, content_type)


@pytest.fixture
async def outage(
    database_url: str, tmp_path: Path
) -> AsyncIterator[tuple[Services, SwitchedStore, list]]:  # type: ignore[type-arg]
    bfl, google = BFLEmulator().start(), GeminiEmulator().start()
    settings = Settings(
        data_dir=tmp_path / "data",
        database_url=database_url,
        storage_retry_seconds=60,
        retry_base_seconds=0.05,
        retry_max_seconds=0.2,
        poll_interval_seconds=0.05,
        providers={
            "bfl": ProviderSettings(base_url=bfl.base_url),
            "google": ProviderSettings(base_url=google.base_url),
        },
        environ={"HOME": str(tmp_path), **bfl.easel_env(), **google.easel_env()},
    )
    store = SwitchedStore(tmp_path / "data" / "images")
    services = build_services(settings, store=store)
    await services.start_workers()
    try:
        yield services, store, [bfl, google]
    finally:
        await services.aclose()
        bfl.stop()
        google.stop()


async def _waiting(subscription: Subscription, variants: int) -> set[str]:
    """Variant ids that announced they wait for storage, once all of them have."""
    waiting: set[str] = set()
    async for event in subscription:
        message = str(event.data.get("message", ""))
        if event.type == "variant.progress" and message.startswith("Waiting for storage"):
            waiting.add(str(event.variant_id))
            if len(waiting) == variants:
                return waiting
    raise AssertionError("the stream ended")


async def test_a_storage_outage_is_waited_out_without_paying_twice(
    outage: tuple[Services, SwitchedStore, list],  # type: ignore[type-arg]
) -> None:
    services, store, (bfl, google) = outage
    # A URL result (BFL) and an inline base64 one (Google).
    models = ["bfl/flux-2-pro", "google/gemini-nano-banana-2.1"]
    async with services.db.transaction() as session:
        issued = await user_repo.create_token(session, user_name="alice")
        user = await user_repo.user_for_token(session, token=issued.token)
    assert user is not None

    store.down.set()
    # One variant per job: concurrent variants of one job also contend in the event log,
    # which is not what this test is about.
    async with services.bus.subscribe(user.id) as subscription:
        jobs = [
            await services.jobs.create(
                user_id=user.id, spec=JobSpec(prompt=f"a lighthouse in a storm {n}", models=[m])
            )
            for n, m in enumerate(models * 2)
        ]
        waiting = await asyncio.wait_for(_waiting(subscription, 4), 60)
    views = [await services.jobs.get(user_id=user.id, job_id=job.id) for job in jobs]
    assert waiting == {view.variants[0].id for view in views}
    assert all(view.variants[0].status == "running" for view in views)
    assert store.refused >= 4

    store.down.clear()  # storage is back
    for view in views:
        view = await _finished(services, user.id, view.job.id)
        variant = view.variants[0]
        assert variant.status == "succeeded", variant.error_message
        assert variant.image_sha256 is not None
        image = view.images[variant.image_sha256]
        assert (store.root / image.storage_key).stat().st_size == image.size_bytes
    assert bfl.total_creations == 2 and google.total_creations == 2


async def _finished(services: Services, user_id: str, job_id: str) -> JobView:
    for _ in range(600):
        view = await services.jobs.get(user_id=user_id, job_id=job_id)
        if view.job.status not in ("queued", "running"):
            return view
        await asyncio.sleep(0.1)
    raise AssertionError(f"job {job_id} did not finish")


async def test_storage_down_past_the_window_fails_saying_so(
    outage: tuple[Services, SwitchedStore, list],  # type: ignore[type-arg]
) -> None:
    services, store, (bfl, _) = outage
    services.keeper.retry_seconds = 1.0
    async with services.db.transaction() as session:
        issued = await user_repo.create_token(session, user_name="bob")
        user = await user_repo.user_for_token(session, token=issued.token)
    assert user is not None
    store.down.set()
    model = services.catalog.by_provider()["bfl"].models()[0].id
    job = await services.jobs.create(
        user_id=user.id, spec=JobSpec(prompt="a quiet harbour", models=[model])
    )
    variant = (await _finished(services, user.id, job.id)).variants[0]
    assert (variant.status, variant.error_code) == ("failed", "storage")
    assert "storage service is unavailable" in (variant.error_message or "")
    assert bfl.total_creations == 1
