"""The variant queue on Redis Streams, through taskiq-redis's stream broker.

The broker gives acknowledged delivery in a consumer group: a worker reads an id
(``XREADGROUP``), works on it and acknowledges it (``XACK``); an id read and never
acknowledged is handed to another worker after ``queue_idle_seconds`` (``XAUTOCLAIM``).
Around it Easel keeps a hash of the ids it holds (waiting, or taken by which worker) and
a heartbeat key per worker, so the reconciler can tell, cheaply, what is lost: an id
nobody holds, or one taken by a worker whose heartbeat stopped. After a Redis restart
the hash is empty and every queued variant is pushed again from the database.

The stream is first come, first served across users; turns across users are taken at
each provider's gate (`FairSlots`), where a worker's variants wait for a slot: each
worker takes up to ``max_in_flight`` ids, far more than the providers' limits.

Acknowledged entries are trimmed by the leader (``tidy``) rather than with ``maxlen``,
which would also cut entries nobody has read yet.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncGenerator, Iterable

from redis.asyncio import Redis
from redis.exceptions import RedisError
from taskiq import AckableMessage
from taskiq.message import BrokerMessage
from taskiq_redis import RedisStreamBroker

from easel.cluster.redis import Keys, text
from easel.engine.owners import new_worker_id
from easel.engine.queue import Handler, Ticket, VariantQueue

log = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 2.0
ALIVE_SECONDS = 3 * HEARTBEAT_SECONDS
"""A consumer whose heartbeat is older than this is gone; what it took is lost."""
RECONNECT_SECONDS = 1.0


class RedisQueue(VariantQueue):
    shared = True

    def __init__(
        self,
        url: str,
        redis: Redis,
        keys: Keys,
        *,
        idle_seconds: float,
        max_in_flight: int = 256,
    ) -> None:
        self.redis = redis
        self.keys = keys
        self.consumer = new_worker_id()
        self._max_in_flight = max_in_flight
        self._broker = RedisStreamBroker(
            url,
            queue_name=keys.stream,
            consumer_group_name=keys.group,
            consumer_name=self.consumer,
            # A group made anew (after a Redis restart) reads the whole stream, not only
            # what comes after it.
            consumer_id="0",
            # One id at a time: a worker takes work only when it has room for it, so ids
            # spread over the workers instead of piling up in the first one.
            xread_count=1,
            xread_block=1000,
            idle_timeout=int(idle_seconds * 1000),
            # A worker killed while it held the reclaim lock must not block reclaiming.
            unacknowledged_lock_timeout=5.0,
            socket_connect_timeout=5,
        )
        self._started = False

    async def _start(self) -> None:
        if not self._started:
            await self._broker.startup()
            self._started = True

    async def push(self, tickets: Iterable[Ticket]) -> None:
        fresh = list({t.variant_id: t for t in tickets}.values())
        try:
            await self._push(fresh)
        except (RedisError, OSError) as exc:
            # The variants are queued in the database: the reconciler pushes what no
            # one holds once Redis is back.
            log.warning("queue: pushing %d variants failed: %s", len(fresh), type(exc).__name__)

    async def _push(self, tickets: list[Ticket]) -> None:
        if not tickets:
            return
        await self._start()
        pipe = self.redis.pipeline(transaction=False)
        for ticket in tickets:
            pipe.hsetnx(self.keys.holders, ticket.variant_id, "")
        added = await pipe.execute()
        for ticket in (t for t, new in zip(tickets, added, strict=True) if new):
            await self._broker.kick(
                BrokerMessage(
                    task_id=ticket.variant_id,
                    task_name="easel.variant",
                    message=ticket.variant_id.encode(),
                    labels={"user_id": ticket.user_id},
                )
            )

    async def lost(self, tickets: Iterable[Ticket]) -> list[Ticket]:
        asked = list(tickets)
        if not asked:
            return []
        ids = [t.variant_id for t in asked]
        # '' while waiting in the stream, the consumer's name once taken, None: not held.
        holders = [
            None if h is None else text(h) for h in await self.redis.hmget(self.keys.holders, ids)
        ]
        consumers = {h for h in holders if h}
        alive = {c for c in consumers if await self.redis.exists(self.keys.consumer_alive(c))}
        gone = [t for t, h in zip(asked, holders, strict=True) if h and h not in alive]
        if gone:
            await self.redis.hdel(self.keys.holders, *(t.variant_id for t in gone))
        return [t for t, h in zip(asked, holders, strict=True) if h is None] + gone

    async def tidy(self) -> None:
        """Trim the stream below the oldest entry still unread or unacknowledged."""
        try:
            groups = await self.redis.xinfo_groups(self.keys.stream)
        except RedisError:
            return  # no stream yet
        floor: str | None = None
        for group in groups:
            if text(group["name"]) != self.keys.group:
                continue
            pending = await self.redis.xpending(self.keys.stream, self.keys.group)
            oldest = pending["min"]
            floor = text(oldest) if oldest else _next_id(text(group["last-delivered-id"]))
        if floor is not None:
            await self.redis.xtrim(self.keys.stream, minid=floor, approximate=False)

    async def consume(self, handler: Handler) -> None:
        slots = asyncio.Semaphore(self._max_in_flight)
        tasks: set[asyncio.Task[None]] = set()
        heartbeat = asyncio.create_task(self._heartbeat())
        try:
            while True:
                try:
                    await self._start()
                    await self._read(handler, slots, tasks)
                except (RedisError, OSError) as exc:
                    log.warning("queue: %s; reconnecting", type(exc).__name__)
                    self._started = False
                    await asyncio.sleep(RECONNECT_SECONDS)
        finally:
            heartbeat.cancel()
            for task in list(tasks):
                task.cancel()
            await asyncio.gather(heartbeat, *tasks, return_exceptions=True)

    async def _read(
        self, handler: Handler, slots: asyncio.Semaphore, tasks: set[asyncio.Task[None]]
    ) -> None:
        messages: AsyncGenerator[AckableMessage, None] = self._broker.listen()
        try:
            while True:
                await slots.acquire()
                try:
                    message = await anext(messages)
                    variant_id = bytes(message.data).decode()
                    await self.redis.hset(self.keys.holders, variant_id, self.consumer)
                except BaseException:
                    slots.release()
                    raise
                task = asyncio.create_task(self._run(handler, variant_id, message, slots))
                tasks.add(task)
                task.add_done_callback(tasks.discard)
        finally:
            await messages.aclose()

    async def _run(
        self,
        handler: Handler,
        variant_id: str,
        message: AckableMessage,
        slots: asyncio.Semaphore,
    ) -> None:
        try:
            await handler(variant_id)
        finally:
            slots.release()
            # Unacknowledged, the id comes back later (autoclaim or the reconciler):
            # harmless, since the database claim decides who works on a variant.
            with contextlib.suppress(RedisError, OSError):
                await self.redis.hdel(self.keys.holders, variant_id)
                acked = message.ack()
                if acked is not None:
                    await acked

    async def _heartbeat(self) -> None:
        key = self.keys.consumer_alive(self.consumer)
        while True:
            with contextlib.suppress(RedisError, OSError):
                await self.redis.set(key, "1", px=int(ALIVE_SECONDS * 1000))
            await asyncio.sleep(HEARTBEAT_SECONDS)

    async def aclose(self) -> None:
        with contextlib.suppress(RedisError, OSError):
            await self.redis.delete(self.keys.consumer_alive(self.consumer))
        await self._broker.shutdown()
        await self.redis.aclose()


def _next_id(entry_id: str) -> str:
    """The stream id right after ``entry_id`` (``ms-seq``)."""
    ms, _, seq = entry_id.partition("-")
    return f"{ms}-{int(seq or 0) + 1}"
