"""Assist: images described and prompts suggested by assistant models, streamed as SSE.

``POST /assist/describe`` and ``POST /assist/prompt`` answer ``text/event-stream`` frames
(``delta``, ``suggestion``, then ``done`` or ``error``; see `easel.assist.frames`), or with
``Accept: application/json`` the ``done`` frame once, complete (a failure is then a
problem+json answer). Everything a caller can get wrong is refused before the stream
starts. The history of finished runs is at ``GET /assist``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response
from sse_starlette import EventSourceResponse, ServerSentEvent

from easel.api.deps import CurrentUser, ServicesDep
from easel.api.error_docs import problem_answers
from easel.api.problems import PROBLEM
from easel.api.routes.events import SSE_HEADERS
from easel.api.schemas_assist import (
    AssistModelOut,
    AssistPage,
    AssistRunOut,
    AssistStats,
    assist_stats,
)
from easel.assist.frames import ErrorFrame, to_sse
from easel.assist.service import AssistRun
from easel.assist.specs import DescribeSpec, SuggestSpec
from easel.db.repos import assist as assist_repo
from easel.errors import NotFound
from easel.services import Services

router = APIRouter(tags=["assist"])

_FRAMES = (
    "Server-sent events: `delta` {run_id, text} as the model writes; for prompts "
    "`suggestion` {run_id, index, prompt, negative_prompt, models} as each completes; then "
    "`done` (the whole text, what was read out of it, usage, cost) or `error` (a problem "
    "object with run_id). With `Accept: application/json`: the `done` frame, once."
)
_EVENT = {
    "type": "object",
    "description": "One server-sent event; `data` is the frame as JSON.",
    "required": ["event", "data"],
    "properties": {
        "event": {"type": "string", "enum": ["delta", "suggestion", "done", "error", "ping"]},
        "data": {"type": "string", "contentMediaType": "application/json"},
    },
}
_ANSWERS: dict[int | str, Any] = {
    200: {
        "description": _FRAMES,
        "content": {
            "text/event-stream": {"schema": _EVENT},
            "application/json": {"schema": {"$ref": "#/components/schemas/DoneFrame"}},
        },
    },
    **problem_answers(502, 504),
}


def _wants_json(request: Request) -> bool:
    accept = request.headers.get("accept", "").lower()
    return "application/json" in accept and "text/event-stream" not in accept


async def _sse(run: AssistRun) -> AsyncIterator[ServerSentEvent]:
    async for frame in run.frames():
        yield to_sse(frame)


async def _answer(request: Request, run: AssistRun, services: Services) -> Response:
    headers = {"Location": run.url}
    if _wants_json(request):
        final = await run.result()
        status = final.status if isinstance(final, ErrorFrame) else 200
        media = PROBLEM if isinstance(final, ErrorFrame) else "application/json"
        return JSONResponse(final.model_dump(mode="json"), status, headers, media_type=media)
    return EventSourceResponse(
        _sse(run), ping=services.settings.sse_ping_seconds, headers={**SSE_HEADERS, **headers}
    )


@router.post("/assist/describe", response_class=Response, responses=_ANSWERS)
async def describe(
    spec: DescribeSpec, request: Request, user: CurrentUser, services: ServicesDep
) -> Response:
    """Analyse images you own (subject, composition, style, palette, lighting) and end with
    a prompt that would reproduce them, streamed as the model writes."""
    run = await services.assist.describe(user_id=user.id, spec=spec)
    return await _answer(request, run, services)


@router.post("/assist/prompt", response_class=Response, responses=_ANSWERS)
async def suggest(
    spec: SuggestSpec, request: Request, user: CurrentUser, services: ServicesDep
) -> Response:
    """Improve an idea into `count` prompts tailored to the chosen image models (lettering
    for models that render text, vector style for vector models, negative prompts where a
    model takes one), streamed as the model writes."""
    run = await services.assist.suggest(user_id=user.id, spec=spec)
    return await _answer(request, run, services)


@router.get("/assist/models", response_model=list[AssistModelOut])
async def assist_models(
    user: CurrentUser, services: ServicesDep, include_retired: bool = False
) -> list[AssistModelOut]:
    """The assistant models: availability (and why not), today's price per million tokens
    with its source, and lifecycle."""
    catalog = services.assist.catalog
    today = catalog.today()
    return [
        AssistModelOut.build(entry, today)
        for entry in catalog.entries(include_retired=include_retired)
    ]


@router.get("/assist", response_model=AssistPage)
async def history(
    user: CurrentUser,
    services: ServicesDep,
    q: Annotated[
        str | None, Query(max_length=200, description="Text in the question, idea or answer.")
    ] = None,
    kind: Annotated[str | None, Query(pattern="^(describe|prompt)$")] = None,
    before: Annotated[str | None, Query(max_length=32, description="Cursor.")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> AssistPage:
    """Your assist runs, newest first."""
    async with services.db.session() as session:
        rows = await assist_repo.list_runs(
            session, user_id=user.id, text=q, kind=kind, before_id=before, limit=limit
        )
    items = [AssistRunOut.build(row) for row in rows]
    return AssistPage(items=items, next_cursor=items[-1].id if len(items) == limit else None)


@router.get("/assist/{run_id}", response_model=AssistRunOut)
async def get_run(run_id: str, user: CurrentUser, services: ServicesDep) -> AssistRunOut:
    async with services.db.session() as session:
        row = await assist_repo.get_run(session, user_id=user.id, run_id=run_id)
    if row is None:
        raise NotFound(f"No assist run {run_id}.", hint="List yours with GET /api/v1/assist.")
    return AssistRunOut.build(row)


@router.get("/stats/assist", response_model=list[AssistStats], tags=["models"])
async def stats(user: CurrentUser, services: ServicesDep) -> list[AssistStats]:
    """Per assistant model: runs, outcomes, tokens, time to first text and total cost."""
    async with services.db.session() as session:
        rows = await assist_repo.runs_for_stats(session, user_id=user.id)
    return assist_stats(rows)
