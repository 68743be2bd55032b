"""The event feed behind SSE streams and followers, on a real database: the log's
replay, then the live state the bus keeps, then what is published, in that order."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, AsyncIterator
from functools import partial
from typing import cast

import pytest
from sqlalchemy import event as sa_event

from easel.db.engine import Database
from easel.db.repos import events as event_log
from easel.engine import transitions
from easel.engine.commit import commit
from easel.events.bus import EventBus, InProcessEventBus
from easel.events.feed import EventFeed
from easel.events.follow import follow_job
from easel.events.log_reads import LogReads
from easel.events.types import (
    AnyEvent,
    Event,
    LiveEvent,
    LivePayload,
    VariantPreview,
    VariantProgress,
)
from support.cluster import redis_buses
from support.jobs import queued_job


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    yield database
    await database.dispose()


async def _claim(db: Database, bus: EventBus, variant_id: str) -> None:
    async def change(session: object) -> list[Event]:
        _, events = await transitions.claim(
            session,  # type: ignore[arg-type]
            variant_id=variant_id,
            owner="w1",
            lease_seconds=30,
            max_attempts=3,
        )
        return events

    await commit(db, bus, change)


async def _fail(db: Database, bus: EventBus, variant_id: str) -> None:
    fail = partial(
        transitions.fail, variant_id=variant_id, owner="w1", code="x", message="x", retryable=False
    )
    await commit(db, bus, fail)


def _frame(event: AnyEvent) -> tuple[str, str | None, float | None]:
    return event.type, event.variant_id, event.data.get("progress")


async def test_replay_then_live_state_then_published_events(db: Database) -> None:
    bus = InProcessEventBus()
    user_id, job_id, (first, second) = await queued_job(db)

    async def live(variant_id: str, payload: LivePayload) -> None:
        event = LiveEvent.of(user_id=user_id, job_id=job_id, variant_id=variant_id, payload=payload)
        await bus.publish_live(event)

    await _claim(db, bus, first)
    await _claim(db, bus, second)
    await live(first, VariantProgress(progress=0.2))
    await live(first, VariantPreview(progress=0.4, preview="data:image/webp;base64,AA=="))
    await live(second, VariantProgress(progress=0.3))
    await _fail(db, bus, second)  # its live state goes with it

    feed = EventFeed(log=LogReads(db), bus=bus, user_id=user_id, job_id=job_id, after_seq=0)
    frames = cast(AsyncGenerator[AnyEvent, None], aiter(feed))
    seen = [_frame(await anext(frames)) for _ in range(5)]
    assert seen == [
        ("variant.started", first, None),
        ("variant.started", second, None),
        ("variant.failed", second, None),
        ("variant.progress", first, 0.2),
        ("variant.preview", first, 0.4),
    ]
    await live(first, VariantProgress(progress=0.6))
    assert _frame(await anext(frames)) == ("variant.progress", first, 0.6)
    await _fail(db, bus, first)
    assert _frame(await anext(frames)) == ("variant.failed", first, None)
    finished = await anext(frames)
    assert finished.type == "job.finished"
    with pytest.raises(StopAsyncIteration):  # the job's stream ends with the job
        await anext(frames)
    assert isinstance(finished, Event) and feed.cursor == finished.seq


async def test_resuming_after_a_position_skips_what_was_seen(db: Database) -> None:
    bus = InProcessEventBus()
    user_id, job_id, (first, second) = await queued_job(db)
    await _claim(db, bus, first)
    await _claim(db, bus, second)
    feed = EventFeed(log=LogReads(db), bus=bus, user_id=user_id, job_id=job_id, after_seq=0)
    replayed = [e async for e in _take(feed, 2)]
    assert [e.variant_id for e in replayed] == [first, second]
    position = feed.cursor
    await _fail(db, bus, first)
    resumed = EventFeed(
        log=LogReads(db), bus=bus, user_id=user_id, job_id=job_id, after_seq=position
    )
    assert [_frame(e) async for e in _take(resumed, 1)] == [("variant.failed", first, None)]


async def _take(feed: EventFeed, count: int) -> AsyncIterator[AnyEvent]:
    frames = cast(AsyncGenerator[AnyEvent, None], aiter(feed))
    try:
        for _ in range(count):
            yield await anext(frames)
    finally:
        await frames.aclose()


async def test_a_follower_that_only_waits_sees_state_changes_and_is_no_watcher(
    db: Database,
) -> None:
    bus = InProcessEventBus()
    user_id, job_id, (first, second) = await queued_job(db)
    follower = follow_job(LogReads(db), bus, user_id=user_id, job_id=job_id, live=False)
    collected: list[AnyEvent] = []

    async def collect() -> None:
        async for event in follower:
            collected.append(event)

    task = asyncio.create_task(collect())
    await _claim(db, bus, first)
    while not collected:
        await asyncio.sleep(0.01)
    assert not await bus.watched(user_id, job_id)
    progress = VariantProgress(progress=0.5)
    await bus.publish_live(
        LiveEvent.of(user_id=user_id, job_id=job_id, variant_id=first, payload=progress)
    )
    await _fail(db, bus, first)
    await _claim(db, bus, second)
    await _fail(db, bus, second)
    await asyncio.wait_for(task, 10)
    assert all(isinstance(e, Event) for e in collected)
    assert [e.type for e in collected][-1] == "job.finished"


async def _first(feed: EventFeed) -> AnyEvent:
    (event,) = [e async for e in _take(feed, 1)]
    return event


class LogQueries:
    """Counts the statements that read the event log, on both of the database's engines."""

    def __init__(self, db: Database) -> None:
        self.count = 0
        for engine in {db.read_engine, db.write_engine}:
            sa_event.listen(engine.sync_engine, "before_cursor_execute", self._seen)

    def _seen(self, _conn: object, _cursor: object, statement: str, *_: object) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "FROM job_events" in statement:
            self.count += 1


async def test_followers_of_one_job_share_one_read_of_the_log_after_a_gap(db: Database) -> None:
    bus = InProcessEventBus()
    log = LogReads(db)
    user_id, job_id, (first, _) = await queued_job(db)
    _, _, (elsewhere, _) = await queued_job(db)  # the same user's other job
    async with db.session() as session:
        position = await event_log.last_seq(session, user_id=user_id)
    queries = LogQueries(db)
    feeds = [
        EventFeed(log=log, bus=bus, user_id=user_id, job_id=job_id, after_seq=position)
        for _ in range(50)
    ]
    firsts = [asyncio.create_task(_first(feed)) for feed in feeds]
    while bus.subscriber_count() < len(feeds) or queries.count < len(feeds):
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.2)  # every feed has its (empty) replay back and waits on the bus
    queries.count = 0
    await _claim(db, bus, elsewhere)  # takes a number: the job's next event follows a gap
    await _claim(db, bus, first)
    received = await asyncio.wait_for(asyncio.gather(*firsts), 10)
    assert {(e.type, e.variant_id) for e in received} == {("variant.started", first)}
    assert queries.count == 1


async def test_a_read_is_shared_only_by_feeds_it_is_sure_to_cover(db: Database) -> None:
    log = LogReads(db)
    user_id, job_id, _ = await queued_job(db)
    queries = LogQueries(db)

    def read(covering: int | None) -> asyncio.Task[object]:
        return asyncio.create_task(
            log.after(user_id=user_id, job_id=job_id, after_seq=0, limit=10, covering=covering)
        )

    # Started for event 5: a feed waiting for event 4 joins it; one waiting for event 6,
    # which may have committed after that read began, and one with no event, read again.
    await asyncio.gather(read(5), read(4), read(6), read(None))
    assert queries.count == 3


@pytest.fixture(params=["in-process", "redis"])
async def buses(request: pytest.FixtureRequest) -> AsyncIterator[tuple[EventBus, EventBus]]:
    """(the worker's bus, the API server's bus): one in-process bus, or two Redis buses
    on a real Redis as two processes would have."""
    if request.param == "in-process":
        bus = InProcessEventBus()
        yield bus, bus
        return
    async with redis_buses() as pair:
        yield pair


async def test_a_gap_filled_from_the_log_does_not_overtake_the_previews_queued_behind_it(
    db: Database, buses: tuple[EventBus, EventBus]
) -> None:
    """A feed a few events behind (its replay of a gap slow, as when a thousand feeds read
    the log at once) still gets every preview, in order: the gap is filled up to the event
    that revealed it, and the variant's end comes after its previews."""
    worker, api = buses
    user_id, job_id, (first, second) = await queued_job(db)
    _, _, (elsewhere, _) = await queued_job(db)  # the same user's other job
    async with db.session() as session:
        position = await event_log.last_seq(session, user_id=user_id)
    await _claim(db, worker, first)
    feed = EventFeed(log=LogReads(db), bus=api, user_id=user_id, job_id=job_id, after_seq=position)
    frames = cast(AsyncGenerator[AnyEvent, None], aiter(feed))
    async with api.subscribe(user_id, job_id=job_id) as observer:
        # The feed is subscribed and in the middle of its replay; it reads nothing more
        # until asked, while the same user's events go on.
        assert _frame(await anext(frames)) == ("variant.started", first, None)
        await _claim(db, worker, elsewhere)  # a gap for this job
        await _claim(db, worker, second)
        preview = VariantPreview(progress=0.5, preview="data:image/webp;base64,AA==")
        await worker.publish_live(
            LiveEvent.of(user_id=user_id, job_id=job_id, variant_id=second, payload=preview)
        )
        await _fail(db, worker, second)
        async with asyncio.timeout(5):  # all of it has reached this process's subscribers
            while (await observer.get()).type != "variant.failed":
                pass
        seen: list[tuple[str, str | None, float | None]] = []
        async with asyncio.timeout(5):
            while not seen or seen[-1][0] != "variant.failed":
                seen.append(_frame(await anext(frames)))
    await frames.aclose()
    assert seen == [
        ("variant.started", second, None),
        ("variant.preview", second, 0.5),
        ("variant.failed", second, None),
    ]
