"""Easel's Prometheus metrics, in the process's default registry.

Counters and histograms count what this process did (its HTTP requests, the variants its
workers ran); Prometheus adds them up across processes. What is shared by the cluster (the
queue, the webhook backlog) is read from the database at scrape time instead, so every
process reports the same, right number.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Sequence
from decimal import Decimal
from types import TracebackType

from prometheus_client import Counter, Gauge, Histogram
from sqlalchemy import func, select

from easel.db.engine import Database
from easel.db.tables import Variant, WebhookDelivery
from easel.events.types import Event, VariantFailed, VariantSucceeded

log = logging.getLogger(__name__)

HTTP_LATENCY = Histogram(
    "easel_http_request_duration_seconds",
    "HTTP request latency (whole response, so SSE streams count their full length).",
    ["method", "route", "status"],
)
QUEUE_DEPTH = Gauge(
    "easel_queue_depth", "Variants waiting to be worked on (from the database).", ["provider"]
)
WEBHOOK_BACKLOG = Gauge(
    "easel_webhook_backlog", "Webhook deliveries not yet made (from the database)."
)
VARIANTS_RUNNING = Gauge(
    "easel_variants_running", "Variants this process's workers hold now.", ["provider"]
)
VARIANT_DURATION = Histogram(
    "easel_variant_duration_seconds",
    "From claim to the final state, per model and outcome.",
    ["model", "outcome"],
    buckets=(0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1800),
)
VARIANT_FAILURES = Counter(
    "easel_variant_failures", "Variants that failed, by model and error code.", ["model", "code"]
)
FSYNC_SECONDS = Histogram(
    "easel_storage_fsync_seconds",
    "fsyncs of the folder image store: each stored 'file', and the 'folder' it was renamed "
    "into (and new folders above it).",
    ["target"],
    # fsyncs take from a tenth of a millisecond (a cached, idle disk) to seconds.
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
)
COST = Counter("easel_cost_usd", "Spending reported or billed, in US dollars.", ["model"])
SSE_SUBSCRIBERS = Gauge("easel_sse_subscribers", "Event streams open on this process.")
LIVE_FRAMES_DROPPED = Counter(
    "easel_live_frames_dropped",
    "Live frames (progress, previews) a subscriber of this process did not get: 'overflow' "
    "(it had fallen too far behind), 'stale' (its variant had ended before it was sent).",
    ["reason"],
)
SUBSCRIBER_RESETS = Counter(
    "easel_event_subscriber_resets",
    "Event subscribers of this process sent back to the log and the live snapshot: "
    "'overflow' (fell too far behind), 'interrupted' (the bus lost its broker).",
    ["reason"],
)
for _reason in ("overflow", "stale"):
    LIVE_FRAMES_DROPPED.labels(_reason)  # scraped as 0 until the first one
for _reason in ("overflow", "interrupted"):
    SUBSCRIBER_RESETS.labels(_reason)
for _target in ("file", "folder"):
    FSYNC_SECONDS.labels(_target)

_OUTCOMES = {VariantSucceeded.name: "succeeded", VariantFailed.name: "failed"}


class VariantMetrics:
    """One variant's time on a worker: running while inside ``with``, then its outcome."""

    def __init__(self, variant_id: str, provider_id: str, model_id: str) -> None:
        self.variant_id = variant_id
        self.provider = provider_id
        self.model = model_id
        self._started = time.monotonic()

    def __enter__(self) -> VariantMetrics:
        VARIANTS_RUNNING.labels(self.provider).inc()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        VARIANTS_RUNNING.labels(self.provider).dec()

    def finished(self, events: Sequence[Event], cost_usd: Decimal | None) -> None:
        """Record the final transition's outcome; nothing when it did not happen here
        (the variant was canceled or taken over meanwhile, and no events came)."""
        for event in events:
            outcome = _OUTCOMES.get(event.type)
            if outcome is None or event.variant_id != self.variant_id:
                continue
            elapsed = time.monotonic() - self._started
            # Inside the worker's log context, so the line carries the job and variant.
            log.info("variant %s on %s after %.1f s", outcome, self.model, elapsed)
            VARIANT_DURATION.labels(self.model, outcome).observe(elapsed)
            if outcome == "failed":
                VARIANT_FAILURES.labels(self.model, str(event.data["error_code"])).inc()
            if cost_usd:
                COST.labels(self.model).inc(float(cost_usd))


async def refresh_shared(db: Database, providers: Iterable[str]) -> None:
    """Set the cluster-wide gauges from the database, just before a scrape; every
    provider of ``providers`` gets a depth, 0 when nothing of it waits."""
    async with db.session() as session:
        queued = await session.execute(
            select(Variant.provider_id, func.count())
            .where(Variant.status == "queued")
            .group_by(Variant.provider_id)
        )
        backlog = await session.scalar(
            select(func.count())
            .select_from(WebhookDelivery)
            .where(WebhookDelivery.status == "pending")
        )
    depths = dict.fromkeys(providers, 0) | {str(p): int(n) for p, n in queued.tuples()}
    for provider, depth in depths.items():
        QUEUE_DEPTH.labels(provider).set(depth)
    WEBHOOK_BACKLOG.set(backlog or 0)
