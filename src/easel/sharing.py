"""Making share links: only to a job or an image the user has, optionally expiring.

The HTTP API, the ``/v1`` answers (with ``EASEL_V1_SHARE_LINKS``) and the CLI all make
links here, so the ownership check is written once.
"""

from __future__ import annotations

from datetime import timedelta

from easel.db.engine import Database
from easel.db.ids import utcnow
from easel.db.repos import images as image_repo
from easel.db.repos import jobs as job_repo
from easel.db.repos import shares as share_repo
from easel.db.repos.shares import IssuedShare
from easel.errors import NotFound

MAX_EXPIRES_IN = 366 * 86400
"""The longest expiry one may ask for; leave it out for a link that never expires."""


async def create_share(
    db: Database, *, user_id: str, kind: str, target_id: str, expires_in: int | None
) -> IssuedShare:
    """A new link to the user's job or image. Another user's target is a 404, exactly as
    one that does not exist."""
    now = utcnow()
    expires_at = now + timedelta(seconds=expires_in) if expires_in else None
    async with db.transaction() as session:
        if kind == "job":
            found = await job_repo.get_job(session, user_id=user_id, job_id=target_id) is not None
            hint = "List your jobs with GET /api/v1/jobs."
        else:
            found = await image_repo.owned_by(session, user_id, target_id)
            hint = "Share an image of one of your jobs or uploads, by its sha256."
        if not found:
            raise NotFound(f"No {kind} {target_id}.", hint=hint, field="target.id")
        return await share_repo.issue(
            session,
            user_id=user_id,
            kind=kind,
            target_id=target_id,
            expires_at=expires_at,
            now=now,
        )
