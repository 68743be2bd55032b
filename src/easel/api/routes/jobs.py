"""Jobs: create, read, list, cancel, retry, favourite, delete."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Response, status
from pydantic import BeforeValidator

from easel.api.deps import CurrentUser, ServicesDep
from easel.api.schemas import FavoriteIn, JobCreated, JobOut, JobPage
from easel.db.repos.jobs import JobFilters
from easel.engine.specs import JobSpec
from easel.engine.states import JobStatus
from easel.providers.base import Operation
from easel.urls import job_events_path, job_path

router = APIRouter(prefix="/jobs", tags=["jobs"])
ISO_DATE = re.compile(
    r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$"
)


def _iso_only(value: object) -> object:
    """Pydantic would also read a number as Unix time; the API promises ISO 8601."""
    if isinstance(value, str) and not ISO_DATE.match(value):
        raise ValueError("use an ISO 8601 date or date-time, such as 2026-05-01T12:00:00Z")
    return value


IsoDateTime = Annotated[datetime, BeforeValidator(_iso_only)]


@router.post("", status_code=status.HTTP_202_ACCEPTED, response_model=JobCreated)
async def create_job(
    spec: JobSpec, user: CurrentUser, services: ServicesDep, response: Response
) -> JobCreated:
    """Queue a generation (one prompt on one or more models, `n` variants each) or an
    operation on one of your images (`operation` with `image` and its other inputs)."""
    job = await services.jobs.create(user_id=user.id, spec=spec)
    response.headers["Location"] = job_path(job.id)
    return JobCreated(
        id=job.id, url=job_path(job.id), events_url=job_events_path(job.id), status=job.status
    )


@router.get("", response_model=JobPage)
async def list_jobs(
    user: CurrentUser,
    services: ServicesDep,
    model: str | None = None,
    status: JobStatus | None = None,
    since: IsoDateTime | None = Query(None, description="Created at or after (ISO 8601)."),
    until: IsoDateTime | None = Query(None, description="Created before (ISO 8601)."),
    favorite: bool | None = None,
    q: Annotated[str | None, Query(max_length=200, description="Text in the prompt.")] = None,
    id_prefix: Annotated[
        str | None,
        Query(max_length=32, pattern="^[0-9a-f]+$", description="Start of the job's id."),
    ] = None,
    operation: Operation | None = None,
    descendants_of: Annotated[
        str | None,
        Query(
            pattern=r"^[0-9a-f]{64}$",
            description="An image's sha256: only jobs made from it, directly or from "
            "anything made from it.",
        ),
    ] = None,
    before: Annotated[
        str | None, Query(max_length=32, description="Cursor from next_cursor.")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> JobPage:
    """Your jobs, newest first."""
    filters = JobFilters(
        model=model,
        status=status,
        created_after=since,
        created_before=until,
        favorite=favorite,
        text=q,
        id_prefix=id_prefix,
        operation=operation,
        descendants_of=descendants_of,
    )
    views = await services.jobs.search(user_id=user.id, filters=filters, before=before, limit=limit)
    items = [JobOut.build(v) for v in views]
    # Counted once, with the first page: later pages keep the number the first one gave.
    total = None if before else await services.jobs.count(user_id=user.id, filters=filters)
    return JobPage(
        items=items, next_cursor=items[-1].id if len(items) == limit else None, total=total
    )


@router.get("/{job_id}", response_model=JobOut)
async def get_job(job_id: str, user: CurrentUser, services: ServicesDep) -> JobOut:
    return JobOut.build(await services.jobs.get(user_id=user.id, job_id=job_id))


@router.post("/{job_id}/cancel", response_model=JobOut)
async def cancel_job(job_id: str, user: CurrentUser, services: ServicesDep) -> JobOut:
    """Cancel every queued or running variant of the job."""
    return JobOut.build(await services.jobs.cancel(user_id=user.id, job_id=job_id))


@router.post("/{job_id}/variants/{variant_id}/cancel", response_model=JobOut)
async def cancel_variant(
    job_id: str, variant_id: str, user: CurrentUser, services: ServicesDep
) -> JobOut:
    view = await services.jobs.cancel(user_id=user.id, job_id=job_id, variant_id=variant_id)
    return JobOut.build(view)


@router.post("/{job_id}/variants/{variant_id}/retry", response_model=JobOut)
async def retry_variant(
    job_id: str, variant_id: str, user: CurrentUser, services: ServicesDep
) -> JobOut:
    """Queue a failed or canceled variant again."""
    view = await services.jobs.retry(user_id=user.id, job_id=job_id, variant_id=variant_id)
    return JobOut.build(view)


@router.put("/{job_id}/favorite", response_model=JobOut)
async def set_favorite(
    job_id: str, body: FavoriteIn, user: CurrentUser, services: ServicesDep
) -> JobOut:
    view = await services.jobs.set_favorite(user_id=user.id, job_id=job_id, value=body.favorite)
    return JobOut.build(view)


@router.delete("/{job_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_job(job_id: str, user: CurrentUser, services: ServicesDep) -> Response:
    """Delete the job; its image files go too unless another job has the same image."""
    await services.jobs.delete(user_id=user.id, job_id=job_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
