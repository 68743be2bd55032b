"""Grid winners on SQLite and PostgreSQL: each pick a contest of the models in its row,
column or cell; picks are replaced, cleared, scoped to their user, and go with the job."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import update

from easel.db.engine import Database
from easel.db.repos import compare as compare_repo
from easel.db.repos import jobs as job_repo
from easel.db.tables import Variant
from support.jobs import queued_job

MODELS = ("offline/procedural", "acme/other")


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    yield database
    await database.dispose()


async def _grid_job(db: Database, user_name: str) -> tuple[str, str, dict[tuple[int, int], str]]:
    """A finished 2 × 2 grid, models across and two rows: (user id, job id, cell → id)."""
    user_id, job_id, ids = await queued_job(db, user_name, variants=4)
    cells: dict[tuple[int, int], str] = {}
    async with db.transaction() as session:
        for position, variant_id in enumerate(ids):
            row, column = divmod(position, 2)
            await session.execute(
                update(Variant)
                .where(Variant.id == variant_id)
                .values(
                    model_id=MODELS[column],
                    params={"cell": {"column": column, "row": row}},
                    status="succeeded",
                )
            )
            cells[(row, column)] = variant_id
    return user_id, job_id, cells


def _board(standings: list[compare_repo.Standing]) -> dict[str, tuple[int, int]]:
    return {s.model: (s.wins, s.contests) for s in standings}


async def test_grid_picks_add_up_per_scope(db: Database) -> None:
    ann, job_id, cells = await _grid_job(db, "ann")
    bob, _, _ = await _grid_job(db, "bob")  # never judged: in no board
    async with db.transaction() as session:
        for scope, variant_id in (
            ("row:0", cells[(0, 1)]),
            ("row:1", cells[(1, 0)]),
            ("column:1", cells[(1, 1)]),
            ("cell:0:0", cells[(0, 0)]),
        ):
            await compare_repo.set_grid_winner(
                session, job_id=job_id, scope=scope, variant_id=variant_id
            )
        await compare_repo.set_winner(session, user_id=ann, job_id=job_id, variant_id=cells[(0, 1)])
    async with db.session() as session:
        board = _board(await compare_repo.leaderboard(session, user_id=ann))
        assert await compare_repo.leaderboard(session, user_id=bob) == []
    # Rows and the whole job hold both models; column 1 only acme/other; cell 0:0 only
    # the offline one.
    assert board == {"acme/other": (3, 4), "offline/procedural": (2, 4)}

    async with db.transaction() as session:
        # A second pick of a scope replaces the first; None clears it.
        await compare_repo.set_grid_winner(
            session, job_id=job_id, scope="row:0", variant_id=cells[(0, 0)]
        )
        await compare_repo.set_grid_winner(session, job_id=job_id, scope="row:1", variant_id=None)
    async with db.session() as session:
        picks = await compare_repo.grid_winners(session, job_id=job_id)
        board = _board(await compare_repo.leaderboard(session, user_id=ann))
    assert picks == {"row:0": cells[(0, 0)], "column:1": cells[(1, 1)], "cell:0:0": cells[(0, 0)]}
    assert board == {"acme/other": (2, 3), "offline/procedural": (2, 3)}

    async with db.transaction() as session:
        assert await job_repo.delete_job(session, user_id=ann, job_id=job_id) is not None
    async with db.session() as session:
        assert await compare_repo.grid_winners(session, job_id=job_id) == {}
        assert await compare_repo.leaderboard(session, user_id=ann) == []


def test_scopes_and_who_takes_part() -> None:
    assert compare_repo.scope_of(None, None) == "job"
    assert compare_repo.scope_of(2, None) == "row:2"
    assert compare_repo.scope_of(None, 3) == "column:3"
    assert compare_repo.scope_of(2, 3) == "cell:3:2"
    cell = {"cell": {"column": 3, "row": 2}}
    assert compare_repo.in_scope("row:2", cell) and compare_repo.in_scope("column:3", cell)
    assert compare_repo.in_scope("cell:3:2", cell) and compare_repo.in_scope("job", {})
    assert not compare_repo.in_scope("row:12", cell)
    assert not compare_repo.in_scope("cell:2:3", cell)
    assert not compare_repo.in_scope("row:2", {})
