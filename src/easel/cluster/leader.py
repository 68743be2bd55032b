"""Which process runs the cluster's periodic passes (reconciling, collecting images).

One interface, chosen in `easel.services.cluster_parts`:

* alone (SQLite, one process): `SoleProcess`, always the leader;
* with Redis: `easel.cluster.redis_leader.RedisLeadership`, a key with a time to live;
* PostgreSQL without Redis: `easel.cluster.postgres_leader.PostgresLeadership`, a
  session-level advisory lock on a connection of its own.

Two leaders for a moment would only duplicate work the database makes harmless, never
corrupt it.
"""

from __future__ import annotations

import abc
import logging

log = logging.getLogger(__name__)


class Leadership(abc.ABC):
    _leading = False

    @abc.abstractmethod
    async def held(self) -> bool:
        """Whether this process leads now (taking or extending the leadership)."""

    async def aclose(self) -> None:  # noqa: B027
        """Give the leadership up."""

    def _now_leading(self, leading: bool) -> bool:
        """Record (and log a change of) whether this process leads; returns it."""
        if leading != self._leading:
            log.info("%s the cluster's periodic passes", "leading" if leading else "not leading")
            self._leading = leading
        return leading


class SoleProcess(Leadership):
    async def held(self) -> bool:
        return True
