"""The Redis event bus between two processes (two bus instances on one real Redis, as an
API server and a worker would be): delivery, the live snapshot, who watches, cancels,
and what a subscriber is told when the connection drops."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from prometheus_client import REGISTRY

from easel.cluster.redis import Keys, connect
from easel.db.ids import utcnow
from easel.events.bus import SubscriberOverflow
from easel.events.redis_bus import RedisEventBus
from easel.events.types import Event, LiveEvent, VariantCanceled, VariantProgress
from support.cluster import RedisServer, redis_buses


@pytest.fixture
async def buses() -> AsyncIterator[tuple[RedisEventBus, RedisEventBus]]:
    async with redis_buses() as pair:
        yield pair


def _durable(seq: int, kind: str, variant: str | None = "v1", job: str = "j1") -> Event:
    return Event(
        user_id="u1",
        job_id=job,
        variant_id=variant,
        type=kind,
        data={},
        created_at=utcnow(),
        seq=seq,
    )


def _progress(fraction: float, variant: str = "v1") -> LiveEvent:
    return LiveEvent.of(
        user_id="u1", job_id="j1", variant_id=variant, payload=VariantProgress(progress=fraction)
    )


async def _next(subscription: object) -> object:
    async with asyncio.timeout(5):
        return await subscription.get()  # type: ignore[attr-defined]


async def test_events_published_in_one_process_reach_subscribers_of_another(
    buses: tuple[RedisEventBus, RedisEventBus],
) -> None:
    api, worker = buses
    async with api.subscribe("u1", job_id="j1") as subscription:
        await worker.publish_live(_progress(0.25))
        await worker.publish([_durable(7, "variant.succeeded")])
        live = await _next(subscription)
        durable = await _next(subscription)
    assert isinstance(live, LiveEvent) and live.data["progress"] == 0.25
    assert isinstance(durable, Event) and durable.seq == 7


async def test_a_late_subscriber_anywhere_gets_the_latest_progress_until_the_variant_ends(
    buses: tuple[RedisEventBus, RedisEventBus],
) -> None:
    api, worker = buses
    for fraction in (0.1, 0.4, 0.7):
        await worker.publish_live(_progress(fraction))
    await worker.publish_live(_progress(0.2, variant="v2"))
    kept = await api.live_snapshot("u1", "j1")
    assert [(e.variant_id, e.data["progress"]) for e in kept] == [("v1", 0.7), ("v2", 0.2)]
    assert [e.variant_id for e in await api.live_snapshot("u1")] == ["v1", "v2"]
    await worker.publish([_durable(3, "variant.succeeded")])
    assert [e.variant_id for e in await api.live_snapshot("u1", "j1")] == ["v2"]
    await worker.publish([_durable(4, "job.deleted", variant=None)])
    assert await api.live_snapshot("u1") == []


async def test_a_worker_sees_who_watches_a_job_on_any_api_server(
    buses: tuple[RedisEventBus, RedisEventBus],
) -> None:
    api, worker = buses
    assert not await worker.watched("u1", "j1")
    async with api.subscribe("u1", job_id="j1", live=False):
        assert not await worker.watched("u1", "j1")  # waiting for the end is not watching
    async with api.subscribe("u1", job_id="j1"):
        assert await worker.watched("u1", "j1")
        assert not await worker.watched("u1", "j2")
    assert not await worker.watched("u1", "j1")
    async with api.subscribe("u1"):  # the account stream watches every job
        assert await worker.watched("u1", "j2")


async def test_a_cancel_made_on_an_api_server_reaches_the_worker(
    buses: tuple[RedisEventBus, RedisEventBus],
) -> None:
    api, worker = buses
    heard: asyncio.Queue[str] = asyncio.Queue()
    worker.on_cancel(heard.put_nowait)
    await worker.open()
    await api.publish([_durable(9, VariantCanceled.name, variant="v5")])
    async with asyncio.timeout(5):
        assert await heard.get() == "v5"


async def test_a_redis_restart_sends_subscribers_back_to_the_log(tmp_path: Path) -> None:
    server = RedisServer(tmp_path / "redis")
    server.start()
    api = RedisEventBus(connect(server.url), Keys("easel"))
    worker = RedisEventBus(connect(server.url), Keys("easel"))
    try:
        interrupted = REGISTRY.get_sample_value(
            "easel_event_subscriber_resets_total", {"reason": "interrupted"}
        )
        async with api.subscribe("u1", job_id="j1") as subscription:
            await asyncio.to_thread(server.stop)
            with pytest.raises(SubscriberOverflow):
                await _next(subscription)
            await asyncio.to_thread(server.start)
        after = REGISTRY.get_sample_value(
            "easel_event_subscriber_resets_total", {"reason": "interrupted"}
        )
        assert (after or 0.0) == (interrupted or 0.0) + 1  # /metrics shows it
        # Subscribed again once Redis is back: events flow as before.
        async with api.subscribe("u1", job_id="j1") as subscription:
            await worker.publish([_durable(11, "variant.started")])
            event = await _next(subscription)
        assert isinstance(event, Event) and event.seq == 11
    finally:
        await api.aclose()
        await worker.aclose()
        server.stop()
