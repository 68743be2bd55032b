"""Work is shared fairly across users: one user's flood waits its turns, both in the queue
for a worker slot and at a provider's concurrency gate."""

from __future__ import annotations

import asyncio

from easel.engine.fairness import FairSlots, RoundRobin
from easel.engine.queue import InProcessQueue, Ticket


def test_round_robin_serves_one_item_per_user_in_turn() -> None:
    lines: RoundRobin[str] = RoundRobin()
    for item in ("a1", "a2", "a3"):
        lines.add("alice", item)
    lines.add("bob", "b1")
    assert lines.take() == "a1"
    lines.add("carol", "c1")  # a newcomer goes before those already served
    taken = [lines.take() for _ in range(5)]
    assert taken == ["b1", "c1", "a2", "a3", None]


async def test_the_queue_gives_a_second_user_the_next_free_slot_while_the_first_has_1000() -> None:
    queue = InProcessQueue(max_in_flight=2)
    started: list[str] = []
    finish = {f"a{i}": asyncio.Event() for i in range(1000)} | {"b0": asyncio.Event()}
    changed = asyncio.Event()

    async def handler(variant_id: str) -> None:
        started.append(variant_id)
        changed.set()
        await finish[variant_id].wait()

    async def until_started(count: int) -> None:
        while len(started) < count:
            changed.clear()
            await changed.wait()

    await queue.push(Ticket(f"a{i}", "alice") for i in range(1000))
    consuming = asyncio.create_task(queue.consume(handler))
    try:
        await asyncio.wait_for(until_started(2), 5)
        await queue.push([Ticket("b0", "bob")])
        finish["a0"].set()  # one slot frees
        await asyncio.wait_for(until_started(3), 5)
        assert started == ["a0", "a1", "b0"]
        finish["a1"].set()
        await asyncio.wait_for(until_started(4), 5)
        assert started[3] == "a2"
    finally:
        consuming.cancel()
        await asyncio.gather(consuming, return_exceptions=True)


async def test_the_queue_does_not_queue_a_variant_twice() -> None:
    queue = InProcessQueue(max_in_flight=4)
    seen: list[str] = []
    done = asyncio.Event()

    async def handler(variant_id: str) -> None:
        seen.append(variant_id)
        if len(seen) == 2:
            done.set()

    await queue.push([Ticket("v1", "alice"), Ticket("v1", "alice"), Ticket("v2", "bob")])
    await queue.push([Ticket("v1", "alice")])
    consuming = asyncio.create_task(queue.consume(handler))
    try:
        await asyncio.wait_for(done.wait(), 5)
        await asyncio.sleep(0.05)  # a duplicate, if queued, would run now
        assert sorted(seen) == ["v1", "v2"]
    finally:
        consuming.cancel()
        await asyncio.gather(consuming, return_exceptions=True)


async def test_a_provider_gate_hands_its_freed_slot_to_the_next_user_in_turn() -> None:
    slots = FairSlots(1)
    await slots.acquire("alice")
    order: list[str] = []

    async def wait_turn(user: str, name: str) -> None:
        await slots.acquire(user)
        order.append(name)

    waiting = [asyncio.create_task(wait_turn("alice", f"a{i}")) for i in range(50)]
    waiting.append(asyncio.create_task(wait_turn("bob", "b0")))
    await asyncio.sleep(0)  # every waiter is in line
    for _ in range(3):
        slots.release()
        await asyncio.sleep(0)
    assert order == ["a0", "b0", "a1"]
    for task in waiting:
        task.cancel()
    await asyncio.gather(*waiting, return_exceptions=True)


async def test_a_waiter_that_gives_up_does_not_lose_the_slot() -> None:
    slots = FairSlots(1)
    await slots.acquire("alice")
    quitter = asyncio.create_task(slots.acquire("bob"))
    stayer = asyncio.create_task(slots.acquire("carol"))
    await asyncio.sleep(0)
    quitter.cancel()
    await asyncio.gather(quitter, return_exceptions=True)
    slots.release()
    await asyncio.wait_for(stayer, 1)
    slots.release()
    await asyncio.wait_for(slots.acquire("dave"), 1)  # the slot came back, not leaked


async def test_a_slot_granted_to_a_cancelled_waiter_passes_on() -> None:
    slots = FairSlots(1)
    await slots.acquire("alice")
    late = asyncio.create_task(slots.acquire("bob"))
    next_in_line = asyncio.create_task(slots.acquire("carol"))
    await asyncio.sleep(0)
    slots.release()  # bob is granted the slot ...
    late.cancel()  # ... but gives up before he runs
    await asyncio.gather(late, return_exceptions=True)
    await asyncio.wait_for(next_in_line, 1)
