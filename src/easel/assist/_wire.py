"""Streaming HTTP shared by the hosted assistant adapters: opening a streamed POST with
its failures mapped once, reading its server-sent events, and parsing them strictly.

Leaving the `open_stream` block (the text is complete, the caller went away, or the idle
timeout fired) closes the response before its end, which closes the connection: the
vendor sees the request cancelled and stops generating.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any, TypeVar

import httpx
from httpx_sse import EventSource, ServerSentEvent
from pydantic import BaseModel, ValidationError

from easel.errors import InvalidOutput, ProviderUnavailable
from easel.providers._http import Classifier, map_error, transport_errors

M = TypeVar("M", bound=BaseModel)


@asynccontextmanager
async def open_stream(
    http: httpx.AsyncClient,
    url: str,
    *,
    provider: str,
    headers: Mapping[str, str],
    body: Mapping[str, Any],
    timeout: float,
    classify: Classifier | None = None,
) -> AsyncIterator[httpx.Response]:
    """POST ``body`` and hold the streamed answer open; an error status is raised as the
    `ProviderError` it means (with the vendor's ``retry-after``)."""
    request_timeout = httpx.Timeout(timeout, connect=min(timeout, 10.0))
    with transport_errors(provider):
        async with http.stream(
            "POST", url, headers=dict(headers), json=dict(body), timeout=request_timeout
        ) as response:
            if response.status_code >= 400:
                await response.aread()
                raise map_error(response, provider, classify)
            yield response


async def sse_events(response: httpx.Response, provider: str) -> AsyncIterator[ServerSentEvent]:
    """The response's server-sent events; a connection lost mid-answer is said plainly."""
    try:
        async for sse in EventSource(response).aiter_sse():
            yield sse
    except httpx.TransportError as exc:
        raise ProviderUnavailable(
            f"{provider} closed the connection mid-answer ({type(exc).__name__}).",
            hint="Try again.",
        ) from exc


def parse(model: type[M], data: str, provider: str) -> M:
    """One event's JSON read as ``model``, or an InvalidOutput naming the first misfit."""
    try:
        return model.model_validate_json(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "event"
        raise InvalidOutput(
            f"{provider} streamed an event in an unexpected shape ({where}: {first['msg']})."
        ) from exc
