"""The paths Easel serves things at, built in one place."""

from __future__ import annotations

API = "/api/v1"


def image_path(sha256: str) -> str:
    return f"{API}/images/{sha256}"


def thumbnail_path(sha256: str) -> str:
    return f"{API}/images/{sha256}/thumbnail"


def job_path(job_id: str) -> str:
    return f"{API}/jobs/{job_id}"


def job_events_path(job_id: str) -> str:
    return f"{API}/jobs/{job_id}/events"
