"""The paths Easel serves things at, built in one place."""

from __future__ import annotations

from starlette.requests import Request

API = "/api/v1"


def image_path(sha256: str) -> str:
    return f"{API}/images/{sha256}"


def thumbnail_path(sha256: str) -> str:
    return f"{API}/images/{sha256}/thumbnail"


def job_path(job_id: str) -> str:
    return f"{API}/jobs/{job_id}"


def job_events_path(job_id: str) -> str:
    return f"{API}/jobs/{job_id}/events"


SHARED = "/s"


def share_path(token: str) -> str:
    """A share link: the image itself, or the job's read-only page."""
    return f"{SHARED}/{token}"


def shared_image_path(token: str, sha256: str) -> str:
    """An image of a shared job's page."""
    return f"{SHARED}/{token}/images/{sha256}"


def base_url(request: Request, public_url: str) -> str:
    """Where clients reach this server, for absolute links: the ``public_url`` setting, or
    else the address the request came to."""
    return (public_url or str(request.base_url)).rstrip("/")
