"""Which process runs the cluster's periodic passes (reconciling, collecting images).

Alone (no Redis), the process is the leader. With Redis, leadership is a key holding the
leader's token with a time to live: the leader extends it at each pass, another process
takes it once it lapses (the leader died or lost Redis). Two leaders for a moment would
only duplicate work the database makes harmless, never corrupt it.
"""

from __future__ import annotations

import abc
import logging

from redis.asyncio import Redis
from redis.exceptions import RedisError

from easel.engine.owners import new_worker_id

log = logging.getLogger(__name__)

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


class Leadership(abc.ABC):
    @abc.abstractmethod
    async def held(self) -> bool:
        """Whether this process leads now (taking or extending the leadership)."""

    async def aclose(self) -> None:  # noqa: B027
        """Give the leadership up."""


class SoleProcess(Leadership):
    async def held(self) -> bool:
        return True


class RedisLeadership(Leadership):
    def __init__(self, redis: Redis, key: str, *, ttl_seconds: float) -> None:
        self.redis = redis
        self.key = key
        self.token = new_worker_id()
        self.ttl_ms = int(ttl_seconds * 1000)
        self._hold = redis.register_script(_HOLD)
        self._leading = False

    async def held(self) -> bool:
        try:
            leading = bool(await self._hold(keys=[self.key], args=[self.token, self.ttl_ms]))
        except (RedisError, OSError):
            leading = False
        if leading != self._leading:
            log.info("%s the cluster's periodic passes", "leading" if leading else "not leading")
            self._leading = leading
        return leading

    async def aclose(self) -> None:
        if self._leading:
            try:
                if await self.redis.get(self.key) == self.token.encode():
                    await self.redis.delete(self.key)
            except (RedisError, OSError):
                pass
        await self.redis.aclose()
