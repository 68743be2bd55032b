"""Blobs are removed only by the collector, and never while anything refers to them or a
writer is about to.

The regression case: user A deletes a job while a worker stores, for user B, a variant
with the same bytes (same prompt and seed, so the same sha256). The race is driven with
hooks in the store, not sleeps: the worker is held exactly where it decided to skip the
write (or had just pinned), the delete and a collection run, and then the worker goes
on. The collector is also held half-way through removing a file while B's worker starts.
Hundreds of rounds on SQLite and on PostgreSQL; not one image may be lost.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from sqlalchemy import text, update

from easel.config import Settings
from easel.db.ids import utcnow
from easel.db.repos import images as image_repo
from easel.db.repos import users as user_repo
from easel.db.tables import Image, ImagePin
from easel.engine.specs import JobSpec
from easel.services import Services, build_services
from easel.storage.local import LocalImageStore
from support.client import MODEL

ROUNDS = {"skip_decided": 100, "just_pinned": 50, "collector_midway": 50}


@dataclass
class Gate:
    """A point where one task parks until the test lets it go on."""

    reached: asyncio.Event = field(default_factory=asyncio.Event)
    release: asyncio.Event = field(default_factory=asyncio.Event)

    async def park(self) -> None:
        self.reached.set()
        await self.release.wait()


class HookedStore(LocalImageStore):
    """A real folder store that can hold a caller right after a look-up or a delete."""

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.after_exists: dict[str, Gate] = {}
        self.after_delete: dict[str, Gate] = {}

    async def exists(self, key: str) -> bool:
        found = await super().exists(key)
        gate = self.after_exists.pop(key, None)
        if gate is not None:
            await gate.park()
        return found

    async def delete(self, key: str) -> None:
        await super().delete(key)
        gate = self.after_delete.pop(key, None)
        if gate is not None:
            await gate.park()


@contextlib.asynccontextmanager
async def studio(database_url: str, tmp_path: Path) -> AsyncIterator[tuple[Services, HookedStore]]:
    settings = Settings(
        data_dir=tmp_path / "data",
        database_url=database_url,
        orphan_grace_seconds=0,
        environ={"HOME": str(tmp_path)},
    )
    store = HookedStore(tmp_path / "data" / "images")
    services = build_services(settings, store=store)
    try:
        yield services, store
    finally:
        await services.aclose()


async def _user(services: Services, name: str) -> str:
    async with services.db.transaction() as session:
        issued = await user_repo.create_token(session, user_name=name)
        user = await user_repo.user_for_token(session, token=issued.token)
    assert user is not None
    return user.id


async def _job(services: Services, user_id: str, prompt: str) -> tuple[str, str]:
    spec = JobSpec(prompt=prompt, models=[MODEL], size="64x64", seed=7)
    job = await services.jobs.create(user_id=user_id, spec=spec)
    view = await services.jobs.get(user_id=user_id, job_id=job.id)
    return job.id, view.variants[0].id


async def _run(services: Services, user_id: str, job_id: str, variant_id: str) -> str:
    """Work the variant; return its image's sha256 (it must have succeeded)."""
    await services.worker.handle(variant_id)
    view = await services.jobs.get(user_id=user_id, job_id=job_id)
    variant = view.variants[0]
    assert variant.status == "succeeded", (variant.error_code, variant.error_message)
    assert variant.image_sha256 is not None
    return variant.image_sha256


async def _intact(services: Services, store: HookedStore, sha: str) -> bool:
    async with services.db.session() as session:
        image = await session.get(Image, sha)
    if image is None:
        return False
    original = store.root / image.storage_key
    return (
        original.is_file()
        and original.stat().st_size == image.size_bytes
        and (store.root / image.thumbnail_key).is_file()
    )


async def _waiting_on_lock(services: Services) -> bool:
    """PostgreSQL: a session waits for an advisory lock (B's pin behind the collector)."""
    async with services.db.session() as session:
        query = text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")
        return bool(await session.scalar(query))


async def _round(
    services: Services, store: HookedStore, alice: str, bob: str, case: str, n: int
) -> bool:
    """One race between alice's delete and bob's store; True when bob's image is whole."""
    prompt = f"twin lighthouses, round {case} {n}"
    a_job, a_variant = await _job(services, alice, prompt)
    sha = await _run(services, alice, a_job, a_variant)
    async with services.db.session() as session:
        image = await session.get(Image, sha)
    assert image is not None
    b_job, b_variant = await _job(services, bob, prompt)
    gate = Gate()
    if case == "collector_midway":
        # A's delete first; the collector parks after removing the original.
        await services.jobs.delete(user_id=alice, job_id=a_job)
        store.after_delete[image.storage_key] = gate
        collecting = asyncio.create_task(services.collector.collect())
        await gate.reached.wait()
        worker = asyncio.create_task(_run(services, bob, b_job, b_variant))
        if not services.db.is_sqlite:  # on SQLite B cannot even claim: one writer at a time
            while not await _waiting_on_lock(services):
                await asyncio.sleep(0)
        gate.release.set()
        assert await collecting == 1
        assert await worker == sha
    else:
        key = image.storage_key if case == "skip_decided" else image.thumbnail_key
        store.after_exists[key] = gate
        worker = asyncio.create_task(_run(services, bob, b_job, b_variant))
        await gate.reached.wait()
        await services.jobs.delete(user_id=alice, job_id=a_job)
        assert await services.collector.collect() == 0, "collected under a writer's pin"
        gate.release.set()
        assert await worker == sha
    return await _intact(services, store, sha)


async def test_delete_while_another_user_stores_the_same_image_loses_nothing(
    database_url: str, tmp_path: Path
) -> None:
    lost: list[str] = []
    async with studio(database_url, tmp_path) as (services, store):
        alice, bob = await _user(services, "alice"), await _user(services, "bob")
        for case, rounds in ROUNDS.items():
            for n in range(rounds):
                if not await _round(services, store, alice, bob, case, n):
                    lost.append(f"{case} {n}")
        assert lost == []
        # Every image still referenced is whole; deleting bob's jobs lets them all go.
        async with services.db.session() as session:
            shas = list((await session.scalars(text("SELECT sha256 FROM images"))).all())
        assert len(shas) == sum(ROUNDS.values())
        for sha in shas:
            assert await _intact(services, store, sha)


async def test_an_image_nothing_refers_to_is_collected_after_its_grace(
    database_url: str, tmp_path: Path
) -> None:
    async with studio(database_url, tmp_path) as (services, store):
        alice = await _user(services, "alice")
        job, variant = await _job(services, alice, "a single lighthouse")
        sha = await _run(services, alice, job, variant)
        services.collector.orphan_grace = timedelta(hours=1)
        await services.jobs.delete(user_id=alice, job_id=job)
        assert await services.collector.collect() == 0, "removed before its grace period"
        assert await _intact(services, store, sha)
        services.collector.orphan_grace = timedelta(0)
        assert await services.collector.collect() == 1
        async with services.db.session() as session:
            assert await session.get(Image, sha) is None
        assert not any(store.root.rglob(f"{sha}.*"))


async def test_a_lapsed_pin_cannot_record_a_collected_image(
    database_url: str, tmp_path: Path
) -> None:
    """A writer stalled past its pin finds its image collected and fails, never records a
    reference to files that are gone."""
    async with studio(database_url, tmp_path) as (services, store):
        alice = await _user(services, "alice")
        first, first_variant = await _job(services, alice, "a stalled lighthouse")
        sha = await _run(services, alice, first, first_variant)
        async with services.db.session() as session:
            image = await session.get(Image, sha)
        assert image is not None
        await services.jobs.delete(user_id=alice, job_id=first)
        assert await services.collector.collect() == 1

        job, variant = await _job(services, alice, "a stalled lighthouse")
        gate = Gate()
        store.after_exists[image.storage_key] = gate  # pinned, thumbnail written
        worker = asyncio.create_task(services.worker.handle(variant))
        await gate.reached.wait()
        async with services.db.transaction() as session:
            await session.execute(update(ImagePin).values(expires_at=utcnow() - timedelta(1)))
        assert await services.collector.collect() == 1
        gate.release.set()
        await worker
        view = await services.jobs.get(user_id=alice, job_id=job)
        assert (view.variants[0].status, view.variants[0].error_code) == ("failed", "storage")
        async with services.db.session() as session:
            assert not await image_repo.owned_by(session, alice, sha)
