"""Provider limits held across every worker process: concurrency slots leased in Redis,
and a 429's cool-down shared by all.

A provider's slots are a sorted set of tokens scored by when each lease lapses; taking
one drops the lapsed first, so a worker that died gives its slots back within
``lease_seconds``. Each process renews the slots it holds every third of that. After a
Redis restart the renewals put the held slots back; until they do, the limit can be
exceeded for at most a third of the lease.

Each gate keeps its local semaphore too: a process never asks Redis for more slots than
the limit, and waits for its own before polling for a shared one.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import secrets

from redis.asyncio import Redis
from redis.exceptions import RedisError

from easel.cluster.redis import Keys
from easel.engine.retry import ProviderGate, Slot

log = logging.getLogger(__name__)

POLL_SECONDS = 0.05
"""First wait between attempts at a full provider's slots; it doubles up to the max."""
POLL_MAX_SECONDS = 0.5

_TAKE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[2]) then
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
  redis.call('PEXPIRE', KEYS[1], 2 * tonumber(ARGV[3]))
  return 1
end
return 0
"""

_RENEW = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
for i = 1, #ARGV - 1 do
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[#ARGV]), ARGV[i])
end
redis.call('PEXPIRE', KEYS[1], 2 * tonumber(ARGV[#ARGV]))
return 1
"""

_COOL = """
local left = redis.call('PTTL', KEYS[1])
if left < tonumber(ARGV[1]) then
  redis.call('SET', KEYS[1], '1', 'PX', ARGV[1])
end
return 1
"""


class SlotLeases:
    """The slots this process holds, renewed together."""

    def __init__(self, redis: Redis, keys: Keys, lease_seconds: float) -> None:
        self.redis = redis
        self.keys = keys
        self.lease_ms = int(lease_seconds * 1000)
        self.held: dict[str, set[str]] = {}
        """provider → tokens"""
        self._take = redis.register_script(_TAKE)
        self._renew = redis.register_script(_RENEW)
        self._cool = redis.register_script(_COOL)
        self._task: asyncio.Task[None] | None = None
        self._releases: set[asyncio.Task[None]] = set()

    async def take(self, provider_id: str, limit: int) -> str:
        """A slot of the provider, waiting (and riding out a Redis outage) until one is
        free."""
        token = secrets.token_hex(8)
        delay = POLL_SECONDS
        while True:
            try:
                taken = await self._take(
                    keys=[self.keys.slots(provider_id)], args=[token, limit, self.lease_ms]
                )
            except (RedisError, OSError) as exc:
                log.warning("provider slots: %s; retrying", type(exc).__name__)
                taken, delay = 0, POLL_MAX_SECONDS
            if taken:
                self.held.setdefault(provider_id, set()).add(token)
                if self._task is None or self._task.done():
                    self._task = asyncio.create_task(self._renew_all())
                return token
            await asyncio.sleep(random.uniform(delay / 2, delay))
            delay = min(delay * 2, POLL_MAX_SECONDS)

    def give_back(self, provider_id: str, token: str) -> None:
        self.held.get(provider_id, set()).discard(token)
        task = asyncio.get_running_loop().create_task(self._remove(provider_id, token))
        self._releases.add(task)
        task.add_done_callback(self._releases.discard)

    async def _remove(self, provider_id: str, token: str) -> None:
        # If this fails the lease lapses on its own.
        with contextlib.suppress(RedisError, OSError):
            await self.redis.zrem(self.keys.slots(provider_id), token)

    async def _renew_all(self) -> None:
        while any(self.held.values()):
            await asyncio.sleep(self.lease_ms / 3000)
            for provider_id, tokens in list(self.held.items()):
                if not tokens:
                    continue
                with contextlib.suppress(RedisError, OSError):
                    await self._renew(
                        keys=[self.keys.slots(provider_id)], args=[*tokens, self.lease_ms]
                    )

    async def cool_down(self, provider_id: str, seconds: float) -> None:
        with contextlib.suppress(RedisError, OSError):
            await self._cool(keys=[self.keys.cool(provider_id)], args=[int(seconds * 1000)])

    async def cooling_seconds(self, provider_id: str) -> float:
        try:
            left = await self.redis.pttl(self.keys.cool(provider_id))
        except (RedisError, OSError):
            return 0.0
        return max(int(left), 0) / 1000

    async def aclose(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await asyncio.gather(*self._releases, return_exceptions=True)
        await self.redis.aclose()


class ClusterGate(ProviderGate):
    """A `ProviderGate` whose limit and cool-down hold across every worker process."""

    def __init__(self, provider_id: str, concurrency: int, leases: SlotLeases) -> None:
        super().__init__(provider_id, concurrency)
        self.concurrency = concurrency
        self.leases = leases

    async def acquire(self, user_id: str) -> Slot:
        # The local slot first: turns across users are kept here, and a process never
        # asks Redis for more slots than the limit.
        await self.slots.acquire(user_id)
        try:
            token = await self.leases.take(self.provider_id, self.concurrency)
        except BaseException:
            self.slots.release()
            raise

        def give_back() -> None:
            self.slots.release()
            self.leases.give_back(self.provider_id, token)

        return Slot(give_back)

    async def cool_down(self, seconds: float) -> None:
        await super().cool_down(seconds)
        await self.leases.cool_down(self.provider_id, seconds)

    async def wait_cool(self) -> None:
        await super().wait_cool()
        while (delay := await self.leases.cooling_seconds(self.provider_id)) > 0:
            await asyncio.sleep(delay)
