"""Share links: make one to your image or job, list yours, revoke one. The link itself is
served without a token by `easel.api.routes.shared`."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response, status
from pydantic import BaseModel, Field

from easel.api.deps import CurrentUser, ServicesDep
from easel.db.ids import as_utc
from easel.db.repos import shares as share_repo
from easel.db.repos.shares import IssuedShare
from easel.db.tables import ShareLink
from easel.errors import NotFound
from easel.sharing import MAX_EXPIRES_IN, create_share
from easel.urls import base_url, image_path, job_path, share_path

router = APIRouter(prefix="/shares", tags=["shares"])


class ShareTarget(BaseModel):
    kind: Literal["image", "job"] = Field(
        description="``image``: the image file itself. ``job``: a read-only page with the "
        "job's images, prompt and models."
    )
    id: str = Field(min_length=1, max_length=64, description="The image's sha256, or the job's id.")


class ShareIn(BaseModel):
    target: ShareTarget
    expires_in: int | None = Field(
        default=None,
        ge=1,
        le=MAX_EXPIRES_IN,
        description="Seconds until the link stops working; leave out for a link that works "
        "until it is revoked.",
    )


class ShareOut(BaseModel):
    id: str
    kind: Literal["image", "job"]
    target_id: str
    target_url: str = Field(description="The target in the API (needs your token).")
    created_at: datetime
    expires_at: datetime | None

    @classmethod
    def fields(cls, link: ShareLink) -> dict[str, object]:
        kind = link.target_kind
        return {
            "id": link.id,
            "kind": kind,
            "target_id": link.target_id,
            "target_url": job_path(link.target_id) if kind == "job" else image_path(link.target_id),
            "created_at": as_utc(link.created_at),
            "expires_at": as_utc(link.expires_at) if link.expires_at else None,
        }

    @classmethod
    def build(cls, link: ShareLink) -> ShareOut:
        return cls.model_validate(cls.fields(link))


class ShareCreated(ShareOut):
    url: str = Field(
        description="The link: works without a token until revoked or expired. Shown only "
        "now; Easel keeps only its hash."
    )

    @classmethod
    def made(cls, issued: IssuedShare, base_url: str) -> ShareCreated:
        """The new link, absolute under ``base_url``."""
        url = base_url.rstrip("/") + share_path(issued.token)
        return cls.model_validate({**ShareOut.fields(issued.link), "url": url})


@router.post("", status_code=status.HTTP_201_CREATED, response_model=ShareCreated)
async def create(
    body: ShareIn, request: Request, user: CurrentUser, services: ServicesDep
) -> ShareCreated:
    """Make a link that shows one of your images, or a job's read-only page, to anyone who
    has it, without a token."""
    issued = await create_share(
        services.db,
        user_id=user.id,
        kind=body.target.kind,
        target_id=body.target.id,
        expires_in=body.expires_in,
    )
    return ShareCreated.made(issued, base_url(request, services.settings.public_url))


@router.get("", response_model=list[ShareOut])
async def list_shares(
    user: CurrentUser,
    services: ServicesDep,
    before: Annotated[
        str | None, Query(max_length=32, description="Only links older than this id.")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[ShareOut]:
    """Your links that still work, newest first (never their URLs: only their hashes are
    kept)."""
    async with services.db.session() as session:
        links = await share_repo.list_working(
            session, user_id=user.id, before_id=before, limit=limit
        )
    return [ShareOut.build(link) for link in links]


@router.delete("/{share_id}", status_code=status.HTTP_204_NO_CONTENT)
async def revoke(share_id: str, user: CurrentUser, services: ServicesDep) -> Response:
    """Revoke a link: it answers 404 from the next request on."""
    async with services.db.transaction() as session:
        found = await share_repo.revoke(session, user_id=user.id, share_id=share_id)
    if not found:
        raise NotFound(f"No share link {share_id}.", hint="List yours with GET /api/v1/shares.")
    return Response(status_code=status.HTTP_204_NO_CONTENT)
