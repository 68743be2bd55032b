"""The query functions on SQLite and PostgreSQL: scoping, filters, paging, presets, stats."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from decimal import Decimal

import pytest

from easel.db.engine import Database
from easel.db.ids import new_id, utcnow
from easel.db.repos import images as image_repo
from easel.db.repos import jobs as job_repo
from easel.db.repos import presets as preset_repo
from easel.db.repos import stats as stats_repo
from easel.db.repos import users as user_repo
from easel.db.repos.images import ImageFacts
from easel.db.repos.jobs import JobFilters
from easel.db.tables import Image, Job, Variant
from easel.errors import Conflict


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    yield database
    await database.dispose()


async def _seed(db: Database, user_name: str, prompts: list[str], model: str) -> list[str]:
    async with db.transaction() as session:
        user = await user_repo.get_or_create_user(session, name=user_name)
        ids = []
        for i, prompt in enumerate(prompts):
            now = utcnow() - timedelta(days=len(prompts) - i)
            job = Job(
                id=new_id(),
                user_id=user.id,
                prompt=prompt,
                negative_prompt=None,
                params={},
                status="succeeded" if i % 2 else "failed",
                favorite=i == 0,
                created_at=now,
                updated_at=now,
            )
            session.add(job)
            await session.flush()
            sha = f"{i:064x}"
            await image_repo.add_if_missing(
                session,
                ImageFacts(
                    sha256=sha,
                    mime_type="image/png",
                    width=8,
                    height=8,
                    size_bytes=10,
                    storage_key=f"o/{sha}",
                    thumbnail_key=f"t/{sha}",
                ),
            )
            session.add(
                Variant(
                    id=new_id(),
                    job_id=job.id,
                    user_id=user.id,
                    position=0,
                    model_id=model,
                    provider_id="offline",
                    params={},
                    seed=i,
                    status=job.status,
                    attempts=1,
                    queued_at=now,
                    duration_ms=100 * (i + 1),
                    cost_usd=Decimal("0.04"),
                    image_sha256=sha if job.status == "succeeded" else None,
                )
            )
            ids.append(job.id)
    return ids


async def test_listing_is_scoped_filtered_and_paged(db: Database) -> None:
    prompts = [f"100% sunny_{i} meadow" for i in range(7)]
    ann_jobs = await _seed(db, "ann", prompts, "m/one")
    await _seed(db, "ben", ["ben's 100% meadow"], "m/two")
    async with db.session() as session:
        ann = await user_repo.get_or_create_user(session, name="ann")
        everything = await job_repo.list_jobs(
            session, user_id=ann.id, filters=JobFilters(), before_id=None, limit=100
        )
        assert [j.id for j in everything] == list(reversed(ann_jobs))
        page = await job_repo.list_jobs(
            session, user_id=ann.id, filters=JobFilters(), before_id=everything[2].id, limit=2
        )
        assert [j.id for j in page] == [everything[3].id, everything[4].id]
        # LIKE wildcards in the search text are taken literally.
        text = await job_repo.list_jobs(
            session, user_id=ann.id, filters=JobFilters(text="sunny_3"), before_id=None, limit=100
        )
        assert [j.prompt for j in text] == ["100% sunny_3 meadow"]
        assert (
            len(
                await job_repo.list_jobs(
                    session,
                    user_id=ann.id,
                    filters=JobFilters(text="% SUNNY"),
                    before_id=None,
                    limit=100,
                )
            )
            == 7
        )
        model = await job_repo.list_jobs(
            session, user_id=ann.id, filters=JobFilters(model="m/two"), before_id=None, limit=100
        )
        assert model == []
        failed = await job_repo.list_jobs(
            session, user_id=ann.id, filters=JobFilters(status="failed"), before_id=None, limit=100
        )
        assert len(failed) == 4
        favourite = await job_repo.list_jobs(
            session, user_id=ann.id, filters=JobFilters(favorite=True), before_id=None, limit=100
        )
        assert [j.id for j in favourite] == [ann_jobs[0]]
        recent = await job_repo.list_jobs(
            session,
            user_id=ann.id,
            filters=JobFilters(created_after=utcnow() - timedelta(days=2, hours=12)),
            before_id=None,
            limit=100,
        )
        assert [j.id for j in recent] == list(reversed(ann_jobs[-2:]))


async def test_images_are_visible_only_to_their_owner_and_orphans_are_marked(
    db: Database,
) -> None:
    jobs = await _seed(db, "cat", ["a", "b"], "m/one")
    async with db.session() as session:
        cat = await user_repo.get_or_create_user(session, name="cat")
        dan = await user_repo.get_or_create_user(session, name="dan")
        sha = f"{1:064x}"
        assert await image_repo.image_for_user(session, user_id=cat.id, sha256=sha) is not None
        assert await image_repo.image_for_user(session, user_id=dan.id, sha256=sha) is None
    async with db.transaction() as session:
        assert await job_repo.delete_job(session, user_id=dan.id, job_id=jobs[1]) is None
        shas = await job_repo.delete_job(session, user_id=cat.id, job_id=jobs[1])
        assert shas == {sha}
        await image_repo.mark_orphans(session, shas)
    async with db.session() as session:
        image = await session.get(Image, sha)
        assert image is not None and image.orphaned_at is not None  # the collector's to take
        assert not await image_repo.owned_by(session, cat.id, sha)


async def test_preset_names_are_unique_per_user(db: Database) -> None:
    async with db.transaction() as session:
        eve = await user_repo.get_or_create_user(session, name="eve")
        fay = await user_repo.get_or_create_user(session, name="fay")
        await preset_repo.create_preset(session, user_id=eve.id, name="p", models=[], params={})
        await preset_repo.create_preset(session, user_id=fay.id, name="p", models=[], params={})
        with pytest.raises(Conflict):
            await preset_repo.create_preset(session, user_id=eve.id, name="p", models=[], params={})
        assert len(await preset_repo.list_presets(session, user_id=eve.id)) == 1


async def test_model_stats(db: Database) -> None:
    await _seed(db, "gus", [str(i) for i in range(10)], "m/one")
    async with db.session() as session:
        gus = await user_repo.get_or_create_user(session, name="gus")
        (tally,) = await stats_repo.model_stats(session, user_id=gus.id)
    assert tally.count == 10 and tally.success_rate == 0.5
    # Successful variants took 200, 400, ..., 1000 ms.
    assert tally.percentile(0.5) == 600 and tally.percentile(0.95) == 1000
    assert tally.cost_usd == Decimal("0.40")


async def test_tokens_are_stored_hashed(db: Database) -> None:
    async with db.transaction() as session:
        issued = await user_repo.create_token(session, user_name="hal")
    async with db.session() as session:
        from sqlalchemy import select

        from easel.db.tables import ApiToken

        stored = (await session.scalars(select(ApiToken.token_hash))).all()
        assert issued.token not in stored
        assert (await user_repo.user_for_token(session, token=issued.token)) is not None
        assert (await user_repo.user_for_token(session, token=issued.token + "x")) is None
