"""One Redis client per process, and the names of every key and channel Easel uses.

Every name starts with the ``redis_prefix`` setting, so several studios (or test runs)
can share one Redis.
"""

from __future__ import annotations

from dataclasses import dataclass

from redis.asyncio import Redis


def connect(url: str) -> Redis:
    """A client whose commands give up after a few seconds rather than hang the caller
    while Redis restarts; callers retry or fall back on the database."""
    return Redis.from_url(
        url,
        socket_connect_timeout=5,
        socket_timeout=10,
        health_check_interval=15,
    )


def text(value: bytes | str) -> str:
    """A Redis reply as text (replies are bytes: the clients do not decode)."""
    return value.decode() if isinstance(value, bytes) else value


@dataclass(frozen=True)
class Keys:
    prefix: str

    @property
    def stream(self) -> str:
        """The queue's stream of variant ids."""
        return f"{self.prefix}:queue"

    @property
    def group(self) -> str:
        return f"{self.prefix}:workers"

    @property
    def holders(self) -> str:
        """Hash: variant id → '' while waiting in the stream, else the consumer that
        took it."""
        return f"{self.prefix}:queue:holders"

    def consumer_alive(self, consumer: str) -> str:
        return f"{self.prefix}:consumer:{consumer}"

    def events(self, user_id: str) -> str:
        return f"{self.prefix}:events:{user_id}"

    @property
    def events_pattern(self) -> str:
        return f"{self.prefix}:events:*"

    @property
    def cancels(self) -> str:
        return f"{self.prefix}:cancels"

    def live(self, user_id: str, job_id: str) -> str:
        """Hash: 'variant|key' → the newest kept live event of that variant and key."""
        return f"{self.prefix}:live:{user_id}:{job_id}"

    def live_jobs(self, user_id: str) -> str:
        """Set: the user's jobs that have kept live events."""
        return f"{self.prefix}:live-jobs:{user_id}"

    def watchers(self, user_id: str, job_id: str | None) -> str:
        """Sorted set: processes with a live subscriber of the job (or of the user's
        whole stream, ``*``), scored by when that claim expires."""
        return f"{self.prefix}:watch:{user_id}:{job_id or '*'}"

    def slots(self, provider_id: str) -> str:
        """Sorted set: leased concurrency slots of a provider, scored by expiry."""
        return f"{self.prefix}:slots:{provider_id}"

    def cool(self, provider_id: str) -> str:
        return f"{self.prefix}:cool:{provider_id}"

    @property
    def leader(self) -> str:
        return f"{self.prefix}:leader"
