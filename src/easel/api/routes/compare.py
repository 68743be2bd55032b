"""Compare: pick the best image of a job run on several models; winners add up per model."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from easel.api.deps import CurrentUser, ServicesDep
from easel.db.repos import compare as compare_repo
from easel.engine.jobs import JobView
from easel.errors import Conflict, NotFound

router = APIRouter(tags=["compare"])


class WinnerIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    variant_id: str | None = Field(max_length=32, description="Null clears the pick.")


class WinnerOut(BaseModel):
    job_id: str
    variant_id: str | None
    model: str | None

    @classmethod
    def build(cls, view: JobView) -> WinnerOut:
        winner = next((v for v in view.variants if v.id == view.job.winner_variant_id), None)
        return cls(
            job_id=view.job.id,
            variant_id=winner.id if winner else None,
            model=winner.model_id if winner else None,
        )


class StandingOut(BaseModel):
    model: str
    wins: int
    contests: int = Field(description="Judged jobs the model took part in.")
    win_rate: float


@router.get("/jobs/{job_id}/winner", response_model=WinnerOut)
async def get_winner(job_id: str, user: CurrentUser, services: ServicesDep) -> WinnerOut:
    """The variant picked as the job's best, if any."""
    return WinnerOut.build(await services.jobs.get(user_id=user.id, job_id=job_id))


@router.put("/jobs/{job_id}/winner", response_model=WinnerOut)
async def set_winner(
    job_id: str, body: WinnerIn, user: CurrentUser, services: ServicesDep
) -> WinnerOut:
    """Pick the job's best image (one of its succeeded variants), or clear the pick."""
    view = await services.jobs.get(user_id=user.id, job_id=job_id)
    if body.variant_id is not None:
        variant = next((v for v in view.variants if v.id == body.variant_id), None)
        if variant is None:
            raise NotFound(f"Job {job_id} has no variant {body.variant_id}.", field="variant_id")
        if variant.status != "succeeded":
            raise Conflict(
                f"Only a finished image can win; variant {variant.id} is {variant.status}.",
                field="variant_id",
            )
    async with services.db.transaction() as session:
        if not await compare_repo.set_winner(
            session, user_id=user.id, job_id=job_id, variant_id=body.variant_id
        ):
            raise NotFound(f"No job {job_id}.")
    return WinnerOut.build(await services.jobs.get(user_id=user.id, job_id=job_id))


@router.get("/leaderboard", response_model=list[StandingOut])
async def leaderboard(user: CurrentUser, services: ServicesDep) -> list[StandingOut]:
    """Your models ranked by the comparisons they won."""
    async with services.db.session() as session:
        standings = await compare_repo.leaderboard(session, user_id=user.id)
    return [
        StandingOut(model=s.model, wins=s.wins, contests=s.contests, win_rate=s.win_rate)
        for s in standings
    ]
