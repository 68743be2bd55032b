"""Request latency is labelled by route template, never by raw path."""

from __future__ import annotations

import httpx
from fastapi import APIRouter, FastAPI
from prometheus_client import REGISTRY

from easel.ops.http_metrics import UNMATCHED, HttpMetricsMiddleware


def count(method: str, route: str, status: str) -> float:
    labels = {"method": method, "route": route, "status": status}
    return REGISTRY.get_sample_value("easel_http_request_duration_seconds_count", labels) or 0.0


async def test_requests_are_counted_by_template_and_status() -> None:
    inner = APIRouter(prefix="/things")

    @inner.get("/{thing_id}")
    async def thing(thing_id: str) -> dict[str, str]:
        return {"id": thing_id}

    # Included through two prefixed routers, as Easel's API routes are.
    outer = APIRouter(prefix="/api/v9")
    outer.include_router(inner)
    app = FastAPI()
    app.add_middleware(HttpMetricsMiddleware)
    app.include_router(outer)

    template = "/api/v9/things/{thing_id}"
    before = (count("GET", template, "200"), count("GET", UNMATCHED, "404"))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://easel.test") as client:
        for thing_id in ("a", "b", "c"):
            assert (await client.get(f"/api/v9/things/{thing_id}")).status_code == 200
        assert (await client.get("/nowhere/42")).status_code == 404
    assert count("GET", template, "200") - before[0] == 3
    assert count("GET", UNMATCHED, "404") - before[1] == 1
    assert count("GET", "/api/v9/things/a", "200") == 0
