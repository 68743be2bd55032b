"""A job with queued variants written straight into a database, for engine-level tests."""

from __future__ import annotations

from easel.db.engine import Database
from easel.db.ids import new_id, utcnow
from easel.db.repos import users as user_repo
from easel.db.tables import Job, Variant


async def queued_job(
    db: Database, user_name: str = "ann", variants: int = 2
) -> tuple[str, str, list[str]]:
    """(user id, job id, variant ids) of a new job whose variants wait in the queue."""
    async with db.transaction() as session:
        user = await user_repo.get_or_create_user(session, name=user_name)
        now = utcnow()
        job = Job(
            id=new_id(),
            user_id=user.id,
            prompt="a lake",
            negative_prompt=None,
            params={},
            status="queued",
            favorite=False,
            created_at=now,
            updated_at=now,
        )
        session.add(job)
        await session.flush()
        ids = []
        for position in range(variants):
            variant = Variant(
                id=new_id(),
                job_id=job.id,
                user_id=user.id,
                position=position,
                model_id="offline/procedural",
                provider_id="offline",
                params={},
                seed=position,
                status="queued",
                attempts=0,
                queued_at=now,
            )
            session.add(variant)
            ids.append(variant.id)
    return user.id, job.id, ids
