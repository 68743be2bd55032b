"""The event bus on Redis, for API servers and workers in separate processes.

* Events go out on one pub/sub channel per user; each process that serves subscribers
  listens to all of them (one pattern subscription) and hands them to its own
  subscribers (`LocalSubscribers`), exactly as the in-process bus does.
* Kept live state (the newest progress and preview of each running variant) is a hash
  per job, each entry stamped with when it was kept, the hash expiring ``live_ttl`` after
  its last update; a late subscriber on any process reads it as the snapshot.
* Who watches a job is a sorted set per job (and per account stream) of the processes
  with a live subscriber, scored by when that claim lapses; each process renews its
  claims, so a process that dies stops counting within ``WATCH_SECONDS``.
* Canceled variants also go out on a cancel channel that every worker listens to.

Pub/sub is at most once: when the connection drops, every local subscriber is told to
resume from the event log (the durable events are there), then reads the snapshot.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any, TypeVar

from redis.asyncio import Redis
from redis.asyncio.client import PubSub
from redis.exceptions import RedisError

from easel.cluster.redis import Keys, text
from easel.engine.owners import new_worker_id
from easel.events.bus import LIVE_STATE_TTL, EventBus, LocalSubscribers, Subscription
from easel.events.types import Event, JobDeleted, LiveEvent, VariantCanceled

log = logging.getLogger(__name__)
T = TypeVar("T")

WATCH_SECONDS = 15.0
"""How long a process's claim to watch a job lasts unless renewed (every third of it)."""
RECONNECT_SECONDS = 1.0

_FORGET_VARIANT = """
local n = 0
for _, field in ipairs(redis.call('HKEYS', KEYS[1])) do
  if string.sub(field, 1, #ARGV[1]) == ARGV[1] then
    redis.call('HDEL', KEYS[1], field)
    n = n + 1
  end
end
return n
"""


class RedisEventBus(EventBus):
    def __init__(
        self,
        redis: Redis,
        keys: Keys,
        *,
        max_backlog: int = 10_000,
        live_ttl: float = LIVE_STATE_TTL,
    ) -> None:
        super().__init__()
        self.redis = redis
        self.keys = keys
        self.process = new_worker_id()
        self._local = LocalSubscribers(max_backlog)
        self._live_ttl = live_ttl
        self._forget_variant = redis.register_script(_FORGET_VARIANT)
        self._wants_events = False
        self._wants_cancels = False
        self._reader: asyncio.Task[None] | None = None
        self._reading: tuple[bool, bool] = (False, False)
        self._ready = asyncio.Event()
        self._start_lock = asyncio.Lock()
        self._watch_task: asyncio.Task[None] | None = None

    # -- publishing ------------------------------------------------------------------
    async def publish(self, events: Sequence[Event]) -> None:
        if not events:
            return
        pipe = self.redis.pipeline(transaction=False)
        for event in events:
            live = self.keys.live(event.user_id, event.job_id)
            if event.variant_id is not None:
                await self._forget_variant(keys=[live], args=[f"{event.variant_id}|"], client=pipe)
            elif event.type == JobDeleted.name:
                pipe.delete(live)
                pipe.srem(self.keys.live_jobs(event.user_id), event.job_id)
            pipe.publish(self.keys.events(event.user_id), "e" + event.model_dump_json())
            if event.type == VariantCanceled.name and event.variant_id is not None:
                pipe.publish(self.keys.cancels, event.variant_id)
        # The events are committed: subscribers find them in the log when they resume,
        # and a worker holding a canceled variant notices at its next lease renewal.
        await _quietly(pipe.execute(), "publishing events")

    async def publish_live(self, event: LiveEvent) -> None:
        pipe = self.redis.pipeline(transaction=False)
        if event.retain is not None:
            live = self.keys.live(event.user_id, event.job_id)
            jobs = self.keys.live_jobs(event.user_id)
            kept = json.dumps({"at": time.time(), "event": event.model_dump(mode="json")})
            pipe.hset(live, f"{event.variant_id}|{event.retain}", kept)
            pipe.expire(live, int(self._live_ttl) + 1)
            pipe.sadd(jobs, event.job_id)
            pipe.expire(jobs, int(self._live_ttl) + 1)
        pipe.publish(self.keys.events(event.user_id), "l" + event.model_dump_json())
        await _quietly(pipe.execute(), "publishing a live event")

    # -- live state --------------------------------------------------------------------
    async def live_snapshot(self, user_id: str, job_id: str | None = None) -> list[LiveEvent]:
        if job_id is not None:
            jobs = [job_id]
        else:
            members = await _quietly(self.redis.smembers(self.keys.live_jobs(user_id)), "")
            jobs = sorted(text(m) for m in members or ())
        pipe = self.redis.pipeline(transaction=False)
        for job in jobs:
            pipe.hvals(self.keys.live(user_id, job))
        oldest = time.time() - self._live_ttl
        kept: list[tuple[float, LiveEvent]] = []
        for values in await _quietly(pipe.execute(), "reading live state") or ():
            for raw in values:
                entry = json.loads(raw)
                if entry["at"] >= oldest:
                    kept.append((entry["at"], LiveEvent.model_validate(entry["event"])))
        return [event for _, event in sorted(kept, key=lambda pair: pair[0])]

    async def watched(self, user_id: str, job_id: str) -> bool:
        if self._local.watched(user_id, job_id):
            return True
        now = time.time()
        pipe = self.redis.pipeline(transaction=False)
        pipe.zcount(self.keys.watchers(user_id, job_id), now, "+inf")
        pipe.zcount(self.keys.watchers(user_id, None), now, "+inf")
        return any(await _quietly(pipe.execute(), "") or ())

    # -- subscribing ---------------------------------------------------------------------
    def subscribe(
        self, user_id: str, *, job_id: str | None = None, live: bool = True
    ) -> AbstractAsyncContextManager[Subscription]:
        return self._subscription(user_id, job_id, live)

    @asynccontextmanager
    async def _subscription(
        self, user_id: str, job_id: str | None, live: bool
    ) -> AsyncIterator[Subscription]:
        self._wants_events = True
        await self._read()
        try:
            async with self._local.subscription(user_id, job_id, live) as subscription:
                if live:
                    await self._claim_watch(user_id, job_id)
                yield subscription
        finally:
            if live and (user_id, job_id) not in self._local.watching():
                with contextlib.suppress(RedisError, OSError):
                    await self.redis.zrem(self.keys.watchers(user_id, job_id), self.process)

    async def _claim_watch(self, user_id: str, job_id: str | None) -> None:
        with contextlib.suppress(RedisError, OSError):
            await self.redis.zadd(
                self.keys.watchers(user_id, job_id), {self.process: time.time() + WATCH_SECONDS}
            )
        if self._watch_task is None or self._watch_task.done():
            self._watch_task = asyncio.create_task(self._renew_watches())

    async def _renew_watches(self) -> None:
        while watching := self._local.watching():
            await asyncio.sleep(WATCH_SECONDS / 3)
            until = time.time() + WATCH_SECONDS
            pipe = self.redis.pipeline(transaction=False)
            for user_id, job_id in watching:
                key = self.keys.watchers(user_id, job_id)
                pipe.zadd(key, {self.process: until})
                pipe.zremrangebyscore(key, "-inf", time.time())
                pipe.expire(key, int(WATCH_SECONDS) + 1)
            with contextlib.suppress(RedisError, OSError):
                await pipe.execute()

    async def open(self) -> None:
        self._wants_cancels = True
        await self._read()

    # -- reading from Redis ------------------------------------------------------------
    async def _read(self) -> None:
        """Make sure the reader listens to what this process needs, and is listening."""
        async with self._start_lock:
            wanted = (self._wants_events, self._wants_cancels)
            if self._reader is None or self._reading != wanted:
                if self._reader is not None:
                    self._reader.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await self._reader
                self._ready.clear()
                self._reading = wanted
                self._reader = asyncio.create_task(self._run_reader(*wanted))
        await self._ready.wait()

    async def _run_reader(self, events: bool, cancels: bool) -> None:
        while True:
            pubsub = self.redis.pubsub()
            try:
                if events:
                    await pubsub.psubscribe(self.keys.events_pattern)
                if cancels:
                    await pubsub.subscribe(self.keys.cancels)
                await _confirmed(pubsub, events + cancels)
                self._ready.set()
                while True:
                    message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=1.0)
                    if message is not None:
                        self._dispatch(message)
            except (RedisError, OSError) as exc:
                log.warning("event bus: %s; reconnecting", type(exc).__name__)
                # Whatever is published until we are subscribed again is lost to us:
                # subscribers go back to the log (durable events) and the snapshot (live
                # state), once new subscriptions can be made again.
                self._ready.clear()
                self._local.interrupt_all()
                await asyncio.sleep(RECONNECT_SECONDS)
            finally:
                with contextlib.suppress(RedisError, OSError):
                    await pubsub.aclose()  # type: ignore[no-untyped-call]

    def _dispatch(self, message: dict[str, Any]) -> None:
        data: bytes = message["data"]
        if message["channel"] == self.keys.cancels.encode():
            self._canceled(data.decode())
            return
        kind, body = data[:1], data[1:]
        if kind == b"e":
            self._local.deliver(Event.model_validate_json(body))
        elif kind == b"l":
            self._local.deliver(LiveEvent.model_validate_json(body))

    def subscriber_count(self) -> int:
        return self._local.count()

    async def aclose(self) -> None:
        for task in (self._reader, self._watch_task):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        await self.redis.aclose()


async def _quietly(call: Awaitable[T], what: str) -> T | None:
    """Run a Redis call whose failure must not fail the caller (``what`` is logged)."""
    try:
        return await call
    except (RedisError, OSError) as exc:
        if what:
            log.warning("event bus: %s failed: %s", what, type(exc).__name__)
        return None


async def _confirmed(pubsub: PubSub, count: int) -> None:
    """Wait for the server to confirm ``count`` subscriptions: from then on nothing
    published is missed."""
    confirmed = 0
    while confirmed < count:
        message = await pubsub.get_message(timeout=5.0)
        if message is None:
            raise TimeoutError("Redis did not confirm the subscription")
        if message["type"] in ("subscribe", "psubscribe"):
            confirmed += 1
