"""The Redis Streams queue on a real Redis: ids pushed twice are worked once, what is
lost is found without re-pushing what is held, acknowledged entries are trimmed, and
provider slots hold across processes."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import pytest

from easel.cluster.limits import ClusterGate, SlotLeases
from easel.cluster.redis import Keys, connect
from easel.engine.queue import Ticket
from easel.engine.redis_queue import RedisQueue
from support.cluster import redis_prefix


@pytest.fixture
async def redis_target() -> AsyncIterator[tuple[str, Keys]]:
    async with redis_prefix() as (url, prefix):
        yield url, Keys(prefix)


def _queue(url: str, keys: Keys) -> RedisQueue:
    return RedisQueue(url, connect(url), keys, idle_seconds=600)


@contextlib.asynccontextmanager
async def _consuming(queue: RedisQueue, seen: list[str]) -> AsyncIterator[asyncio.Event]:
    gate = asyncio.Event()

    async def handle(variant_id: str) -> None:
        seen.append(variant_id)
        await gate.wait()

    task = asyncio.create_task(queue.consume(handle))
    try:
        yield gate
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def _until(check: object, timeout: float = 10) -> None:
    async with asyncio.timeout(timeout):
        while not await check():  # type: ignore[operator]
            await asyncio.sleep(0.02)


async def test_an_id_pushed_while_held_is_delivered_once(redis_target: tuple[str, Keys]) -> None:
    url, keys = redis_target
    api, worker = _queue(url, keys), _queue(url, keys)
    seen: list[str] = []
    try:
        async with _consuming(worker, seen) as release:
            await api.push([Ticket("a", "u1"), Ticket("b", "u2"), Ticket("a", "u1")])
            await api.push([Ticket("b", "u2")])

            async def both() -> bool:
                return sorted(seen) == ["a", "b"]

            await _until(both)
            held = [Ticket("a", "u1"), Ticket("b", "u2"), Ticket("c", "u1")]
            assert await api.lost(held) == [Ticket("c", "u1")]  # a and b are held
            release.set()

            async def acknowledged() -> bool:
                return not await api.redis.hlen(keys.holders)

            await _until(acknowledged)
            await api.tidy()
            assert await api.redis.xlen(keys.stream) == 0
        assert sorted(seen) == ["a", "b"]
    finally:
        await api.aclose()
        await worker.aclose()


async def test_what_a_dead_worker_took_is_lost_and_pushed_again(
    redis_target: tuple[str, Keys],
) -> None:
    url, keys = redis_target
    api = _queue(url, keys)
    try:
        tickets = [Ticket(v, "u1") for v in ("waiting", "x", "y", "never")]
        await api.push(tickets[:1])
        await api.redis.hset(keys.holders, mapping={"x": "gone-worker", "y": "live-worker"})
        await api.redis.set(keys.consumer_alive("live-worker"), "1", ex=60)
        # Never pushed, or taken by a worker whose heartbeat stopped: lost. Waiting in
        # the stream, or taken by a live worker: held.
        lost = await api.lost(tickets)
        assert sorted(t.variant_id for t in lost) == ["never", "x"]
        await api.push(lost)
        assert await api.redis.xlen(keys.stream) == 3
        assert await api.lost(tickets) == []
    finally:
        await api.aclose()


async def test_a_provider_limit_holds_across_processes(redis_target: tuple[str, Keys]) -> None:
    url, keys = redis_target
    one = SlotLeases(connect(url), keys, lease_seconds=5)
    two = SlotLeases(connect(url), keys, lease_seconds=5)
    try:
        gates = [ClusterGate("bfl", 2, one), ClusterGate("bfl", 2, two)]
        first = await gates[0].acquire("u1")
        second = await gates[1].acquire("u2")
        third = asyncio.create_task(gates[1].acquire("u1"))
        await asyncio.sleep(0.5)
        assert not third.done()  # each process has room; the cluster has none
        first.release()
        async with asyncio.timeout(5):
            slot = await third
        slot.release()
        second.release()
        await gates[0].cool_down(0.5)
        assert await two.cooling_seconds("bfl") > 0  # a 429 seen by one cools them all
    finally:
        await one.aclose()
        await two.aclose()
