"""Variant and job states, and which moves between them are allowed.

    queued ──► running ──► succeeded
      │  ▲        │ │
      │  └────────┘ └────► failed ──► (retry) queued
      └──────────────────► canceled ─► (retry) queued

A running variant goes back to queued when its worker's lease lapses (a crash) or a
retryable failure is retried. `easel.engine.transitions` is the only code that moves them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal, get_args

VariantStatus = Literal["queued", "running", "succeeded", "failed", "canceled"]
JobStatus = Literal["queued", "running", "succeeded", "partial", "failed", "canceled"]

VARIANT_STATUSES: tuple[VariantStatus, ...] = get_args(VariantStatus)
JOB_STATUSES: tuple[JobStatus, ...] = get_args(JobStatus)
TERMINAL: frozenset[str] = frozenset({"succeeded", "failed", "canceled"})

ALLOWED: dict[str, frozenset[str]] = {
    "queued": frozenset({"running", "canceled", "failed"}),
    "running": frozenset({"succeeded", "failed", "canceled", "queued"}),
    "failed": frozenset({"queued"}),
    "canceled": frozenset({"queued"}),
    "succeeded": frozenset(),
}


def can_move(current: str, target: str) -> bool:
    return target in ALLOWED.get(current, frozenset())


def job_status(variant_statuses: Iterable[str]) -> JobStatus:
    """A job's status follows from its variants'."""
    statuses = list(variant_statuses)
    if not statuses:
        return "canceled"
    if all(s == "queued" for s in statuses):
        return "queued"
    if any(s not in TERMINAL for s in statuses):
        return "running"
    if all(s == "succeeded" for s in statuses):
        return "succeeded"
    if "succeeded" in statuses:
        return "partial"
    if all(s == "canceled" for s in statuses):
        return "canceled"
    return "failed"
