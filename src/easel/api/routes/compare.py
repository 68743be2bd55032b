"""Compare: pick the best image of a job (or of a row, column or cell of a compare
grid); the picks add up per model."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from easel.api.deps import CurrentUser, ServicesDep
from easel.db.repos import compare as compare_repo
from easel.db.tables import Variant
from easel.engine.grid_spec import MAX_AXIS_VALUES
from easel.engine.jobs import JobView
from easel.errors import Conflict, NotFound, UserInputError

router = APIRouter(tags=["compare"])


class WinnerIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    variant_id: str | None = Field(max_length=32, description="Null clears the pick.")
    row: int | None = Field(
        default=None, ge=0, lt=MAX_AXIS_VALUES, description="A grid row (zero-based)."
    )
    column: int | None = Field(
        default=None, ge=0, lt=MAX_AXIS_VALUES, description="A grid column (zero-based)."
    )


class WinnerOut(BaseModel):
    job_id: str
    variant_id: str | None
    model: str | None
    row: int | None = Field(default=None, description="The grid row the pick is for.")
    column: int | None = Field(default=None, description="The grid column the pick is for.")

    @classmethod
    def build(
        cls, view: JobView, variant_id: str | None, row: int | None, column: int | None
    ) -> WinnerOut:
        winner = next((v for v in view.variants if v.id == variant_id), None)
        return cls(
            job_id=view.job.id,
            variant_id=winner.id if winner else None,
            model=winner.model_id if winner else None,
            row=row,
            column=column,
        )


class StandingOut(BaseModel):
    model: str
    wins: int
    contests: int = Field(description="Judged jobs (or grid rows, columns, cells) it was in.")
    win_rate: float


def _check_scope(view: JobView, row: int | None, column: int | None) -> None:
    """Row and column only for a grid, and within it."""
    if row is None and column is None:
        return
    grid = view.job.params.get("grid")
    if not isinstance(grid, dict):
        raise Conflict(
            f"Job {view.job.id} is not a compare grid; pick its winner without row or column.",
            field="row" if row is not None else "column",
        )
    rows = len(grid["y"]["values"]) if grid.get("y") else 1
    for name, value, count in (("row", row, rows), ("column", column, len(grid["x"]["values"]))):
        if value is not None and value >= count:
            raise UserInputError(
                f"The grid has {count} {name}s; there is no {name} {value}.",
                field=name,
                allowed=[str(i) for i in range(count)],
                hint="Rows and columns count from 0.",
            )


def _in_scope(variant: Variant, scope: str, row: int | None, column: int | None) -> None:
    if not compare_repo.in_scope(scope, variant.params):
        where = " and ".join(
            f"{name} {value}"
            for name, value in (("row", row), ("column", column))
            if value is not None
        )
        raise UserInputError(
            f"Variant {variant.id} is not in {where} of the grid.",
            field="variant_id",
            hint="Pick a variant of that row or column (see each variant's cell).",
        )


async def _picks(services: ServicesDep, view: JobView) -> dict[str, str]:
    async with services.db.session() as session:
        picks = await compare_repo.grid_winners(session, job_id=view.job.id)
    if view.job.winner_variant_id:
        picks[compare_repo.JOB_SCOPE] = view.job.winner_variant_id
    return picks


@router.get("/jobs/{job_id}/winner", response_model=WinnerOut)
async def get_winner(
    job_id: str,
    user: CurrentUser,
    services: ServicesDep,
    row: Annotated[int | None, Query(ge=0, lt=MAX_AXIS_VALUES)] = None,
    column: Annotated[int | None, Query(ge=0, lt=MAX_AXIS_VALUES)] = None,
) -> WinnerOut:
    """The variant picked as the job's best (or its row's, column's or cell's), if any."""
    view = await services.jobs.get(user_id=user.id, job_id=job_id)
    _check_scope(view, row, column)
    picks = await _picks(services, view)
    return WinnerOut.build(view, picks.get(compare_repo.scope_of(row, column)), row, column)


@router.get("/jobs/{job_id}/winners", response_model=list[WinnerOut])
async def list_winners(job_id: str, user: CurrentUser, services: ServicesDep) -> list[WinnerOut]:
    """Every pick of the job: job-wide, and per grid row, column or cell."""
    view = await services.jobs.get(user_id=user.id, job_id=job_id)
    found: list[WinnerOut] = []
    for scope, variant_id in sorted((await _picks(services, view)).items()):
        kind, _, rest = scope.partition(":")
        parts = [int(p) for p in rest.split(":")] if rest else []
        row = parts[0] if kind == "row" else parts[1] if kind == "cell" else None
        column = parts[0] if kind in ("column", "cell") else None
        found.append(WinnerOut.build(view, variant_id, row, column))
    return found


@router.put("/jobs/{job_id}/winner", response_model=WinnerOut)
async def set_winner(
    job_id: str, body: WinnerIn, user: CurrentUser, services: ServicesDep
) -> WinnerOut:
    """Pick the best image of the job, or (with `row` and/or `column`) of one row, column
    or cell of its grid; a null `variant_id` clears the pick."""
    view = await services.jobs.get(user_id=user.id, job_id=job_id)
    _check_scope(view, body.row, body.column)
    scope = compare_repo.scope_of(body.row, body.column)
    if body.variant_id is not None:
        variant = next((v for v in view.variants if v.id == body.variant_id), None)
        if variant is None:
            raise NotFound(f"Job {job_id} has no variant {body.variant_id}.", field="variant_id")
        if variant.status != "succeeded":
            raise Conflict(
                f"Only a finished image can win; variant {variant.id} is {variant.status}.",
                field="variant_id",
            )
        _in_scope(variant, scope, body.row, body.column)
    async with services.db.transaction() as session:
        if scope != compare_repo.JOB_SCOPE:
            await compare_repo.set_grid_winner(
                session, job_id=job_id, scope=scope, variant_id=body.variant_id
            )
        elif not await compare_repo.set_winner(
            session, user_id=user.id, job_id=job_id, variant_id=body.variant_id
        ):
            raise NotFound(f"No job {job_id}.")
    view = await services.jobs.get(user_id=user.id, job_id=job_id)
    return WinnerOut.build(view, body.variant_id, body.row, body.column)


@router.get("/leaderboard", response_model=list[StandingOut])
async def leaderboard(user: CurrentUser, services: ServicesDep) -> list[StandingOut]:
    """Your models ranked by the comparisons they won."""
    async with services.db.session() as session:
        standings = await compare_repo.leaderboard(session, user_id=user.id)
    return [
        StandingOut(model=s.model, wins=s.wins, contests=s.contests, win_rate=s.win_rate)
        for s in standings
    ]
