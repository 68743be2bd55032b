"""The in-process event bus: durable and live events, the kept live state, watchers."""

from __future__ import annotations

import asyncio

import pytest
from prometheus_client import REGISTRY

from easel.db.ids import utcnow
from easel.events.bus import InProcessEventBus, SubscriberOverflow
from easel.events.types import (
    Event,
    LiveEvent,
    LivePayload,
    VariantPreview,
    VariantProgress,
)


def _live(payload: LivePayload, variant: str = "v1", job: str = "j1") -> LiveEvent:
    return LiveEvent.of(user_id="u", job_id=job, variant_id=variant, payload=payload)


def _durable(seq: int, kind: str, variant: str | None = "v1", job: str = "j1") -> Event:
    return Event(
        seq=seq,
        user_id="u",
        job_id=job,
        variant_id=variant,
        type=kind,
        data={},
        created_at=utcnow(),
    )


async def test_the_newest_progress_and_preview_of_a_running_variant_are_kept() -> None:
    bus = InProcessEventBus()
    await bus.publish_live(_live(VariantProgress(progress=0.1)))
    await bus.publish_live(_live(VariantPreview(progress=0.2, preview="data:image/webp;base64,")))
    await bus.publish_live(_live(VariantProgress(progress=0.3)))
    await bus.publish_live(_live(VariantProgress(progress=0.5), variant="v2", job="j2"))

    kept = await bus.live_snapshot("u", "j1")
    assert [(e.type, e.data["progress"]) for e in kept] == [
        ("variant.preview", 0.2),
        ("variant.progress", 0.3),
    ]
    assert len(await bus.live_snapshot("u")) == 3  # the account: every job
    assert await bus.live_snapshot("someone-else") == []

    # The variant's next state change drops what belonged to the attempt.
    await bus.publish([_durable(7, "variant.succeeded")])
    assert await bus.live_snapshot("u", "j1") == []
    assert len(await bus.live_snapshot("u", "j2")) == 1
    await bus.publish([_durable(8, "job.deleted", variant=None, job="j2")])
    assert await bus.live_snapshot("u") == []


async def test_kept_live_state_expires_when_its_variant_is_never_heard_of_again() -> None:
    bus = InProcessEventBus(live_ttl=0.05)
    await bus.publish_live(_live(VariantProgress(progress=0.4)))
    assert len(await bus.live_snapshot("u", "j1")) == 1
    await asyncio.sleep(0.1)
    assert await bus.live_snapshot("u", "j1") == []
    # The next live event sweeps the stale entries away.
    await bus.publish_live(_live(VariantProgress(progress=0.1), variant="v9", job="j9"))
    assert [e.variant_id for e in await bus.live_snapshot("u")] == ["v9"]


async def test_subscribers_get_their_job_and_live_frames_only_when_they_ask() -> None:
    bus = InProcessEventBus()
    async with (
        bus.subscribe("u", job_id="j1") as job_watcher,
        bus.subscribe("u") as account,
        bus.subscribe("u", job_id="j1", live=False) as waiter,
    ):
        await bus.publish_live(_live(VariantProgress(progress=0.5)))
        await bus.publish_live(_live(VariantProgress(progress=0.5), job="j2"))
        await bus.publish([_durable(3, "variant.succeeded")])
        assert (await job_watcher.get()).type == "variant.progress"
        assert (await job_watcher.get()).type == "variant.succeeded"
        assert [(await account.get()).job_id for _ in range(3)] == ["j1", "j2", "j1"]
        assert (await waiter.get()).type == "variant.succeeded"  # no live frames
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(waiter.get(), 0.05)


async def test_watchers_are_live_subscribers_of_the_job_or_the_account() -> None:
    bus = InProcessEventBus()
    assert not await bus.watched("u", "j1")
    async with bus.subscribe("u", job_id="j1", live=False):
        assert not await bus.watched("u", "j1")  # waits for the end, sees no previews
    async with bus.subscribe("u", job_id="j2"):
        assert not await bus.watched("u", "j1")
        assert await bus.watched("u", "j2")
    async with bus.subscribe("u"):
        assert await bus.watched("u", "j1")
        assert not await bus.watched("someone-else", "j1")
    assert not await bus.watched("u", "j2")
    assert bus.subscriber_count() == 0


def _metric(name: str, reason: str) -> float:
    return REGISTRY.get_sample_value(name, {"reason": reason}) or 0.0


async def test_a_subscriber_that_falls_behind_is_told_to_replay() -> None:
    bus = InProcessEventBus(max_backlog=2)
    resets = _metric("easel_event_subscriber_resets_total", "overflow")
    dropped = _metric("easel_live_frames_dropped_total", "overflow")
    async with bus.subscribe("u") as subscription:
        for step in range(4):
            await bus.publish_live(_live(VariantProgress(progress=step / 10)))
        with pytest.raises(SubscriberOverflow):
            await subscription.get()
    # /metrics shows it: one subscriber reset, the two frames it could not take.
    assert _metric("easel_event_subscriber_resets_total", "overflow") == resets + 1
    assert _metric("easel_live_frames_dropped_total", "overflow") == dropped + 2
