"""Share links on SQLite and PostgreSQL: a link works while it is neither revoked nor
expired and its owner still has the target; the clock is passed in as ``expires_at``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from easel.db.engine import Database
from easel.db.ids import utcnow
from easel.db.repos import jobs as job_repo
from easel.db.repos import shares as share_repo
from easel.db.repos import users as user_repo
from easel.db.tables import ShareLink

from .test_repos import _seed

SHA = f"{1:064x}"  # the image of ann's second (succeeded) job


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    yield database
    await database.dispose()


async def _works(db: Database, token: str) -> bool:
    async with db.session() as session:
        return await share_repo.working_link(session, token=token) is not None


async def test_links_work_until_revoked_expired_or_their_target_is_gone(db: Database) -> None:
    jobs = await _seed(db, "ann", ["a", "b"], "m/one")
    now = utcnow()
    async with db.transaction() as session:
        ann = await user_repo.get_or_create_user(session, name="ann")
        ben = await user_repo.get_or_create_user(session, name="ben")
        later = await share_repo.issue(
            session,
            user_id=ann.id,
            kind="image",
            target_id=SHA,
            expires_at=now + timedelta(hours=1),
        )
        past = await share_repo.issue(
            session,
            user_id=ann.id,
            kind="image",
            target_id=SHA,
            expires_at=now - timedelta(seconds=1),
        )
        page = await share_repo.issue(
            session, user_id=ann.id, kind="job", target_id=jobs[1], expires_at=None
        )
        spare = await share_repo.issue(
            session, user_id=ann.id, kind="image", target_id=SHA, expires_at=None
        )
        # A link to something ann does not have never works (the API refuses to make it).
        foreign = await share_repo.issue(
            session, user_id=ben.id, kind="image", target_id=SHA, expires_at=None
        )
    assert later.token != past.token and len(later.token) >= 43
    assert await _works(db, later.token) and await _works(db, page.token)
    assert not await _works(db, past.token)
    assert not await _works(db, foreign.token)
    assert not await _works(db, later.token + "x")

    async with db.transaction() as session:
        assert not await share_repo.revoke(session, user_id=ben.id, share_id=spare.link.id)
        listed = await share_repo.list_working(session, user_id=ann.id, before_id=None, limit=10)
        assert {s.id for s in listed} == {spare.link.id, page.link.id, later.link.id}
        assert [s.id for s in listed] == sorted((s.id for s in listed), reverse=True)
        assert await share_repo.revoke(session, user_id=ann.id, share_id=spare.link.id)
        assert not await share_repo.revoke(session, user_id=ann.id, share_id=spare.link.id)
        stored = await session.scalar(
            select(ShareLink.token_hash).where(ShareLink.id == page.link.id)
        )
        assert stored == user_repo.hash_token(page.token) and page.token not in str(stored)
    assert not await _works(db, spare.token)

    # Deleting the job ends its page's links and, as ann no longer has the image, those.
    async with db.transaction() as session:
        shas = await job_repo.delete_job(session, user_id=ann.id, job_id=jobs[1])
        assert shas == {SHA}
        await share_repo.revoke_job(session, user_id=ann.id, job_id=jobs[1])
        await share_repo.revoke_unowned_images(session, shas)
    assert not await _works(db, later.token) and not await _works(db, page.token)
    # The same image made again later does not bring the old link back.
    await _seed(db, "ann", ["a", "b"], "m/one")
    assert not await _works(db, later.token)
    async with db.session() as session:
        revoked = await session.scalar(select(ShareLink).where(ShareLink.id == later.link.id))
        assert revoked is not None and revoked.revoked_at is not None


async def test_ended_links_are_removed_after_a_week(db: Database) -> None:
    await _seed(db, "cal", ["a", "b"], "m/one")
    async with db.transaction() as session:
        cal = await user_repo.get_or_create_user(session, name="cal")
        old = await share_repo.issue(
            session, user_id=cal.id, kind="image", target_id=SHA, expires_at=None
        )
        await session.execute(
            update(ShareLink)
            .where(ShareLink.id == old.link.id)
            .values(revoked_at=utcnow() - timedelta(days=8))
        )
        recent = await share_repo.issue(
            session, user_id=cal.id, kind="image", target_id=SHA, expires_at=None
        )
        await share_repo.revoke(session, user_id=cal.id, share_id=recent.link.id)
    async with db.transaction() as session:
        await share_repo.issue(
            session, user_id=cal.id, kind="image", target_id=SHA, expires_at=None
        )
        kept = (
            await session.scalars(select(ShareLink.id).where(ShareLink.user_id == cal.id))
        ).all()
    assert old.link.id not in kept and recent.link.id in kept and len(kept) == 2
