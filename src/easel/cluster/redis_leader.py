"""Leadership in Redis: a key holding the leader's token with a time to live. The leader
extends it at each pass; another process takes it once it lapses (the leader died or lost
Redis)."""

from __future__ import annotations

from redis.asyncio import Redis
from redis.exceptions import RedisError

from easel.cluster.leader import Leadership
from easel.engine.owners import new_worker_id

_HOLD = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return 1
end
return 0
"""


class RedisLeadership(Leadership):
    def __init__(self, redis: Redis, key: str, *, ttl_seconds: float) -> None:
        self.redis = redis
        self.key = key
        self.token = new_worker_id()
        self.ttl_ms = int(ttl_seconds * 1000)
        self._hold = redis.register_script(_HOLD)

    async def held(self) -> bool:
        try:
            leading = bool(await self._hold(keys=[self.key], args=[self.token, self.ttl_ms]))
        except (RedisError, OSError):
            leading = False
        return self._now_leading(leading)

    async def aclose(self) -> None:
        if self._leading:
            try:
                if await self.redis.get(self.key) == self.token.encode():
                    await self.redis.delete(self.key)
            except (RedisError, OSError):
                pass
        await self.redis.aclose()
