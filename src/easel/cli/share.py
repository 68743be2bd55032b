"""`easel share JOB|IMAGE`: a link that shows a job's page, or an image, without a token."""

from __future__ import annotations

import re
from typing import Any

from easel.cli.backends import Backend

SHA256 = re.compile(r"[0-9a-f]{64}")


def share_body(target: str, expires: int | None) -> dict[str, Any]:
    """An image's sha256 shares the image; anything else is taken as a job id."""
    kind = "image" if SHA256.fullmatch(target.lower()) else "job"
    body: dict[str, Any] = {"target": {"kind": kind, "id": target.lower()}}
    if expires is not None:
        body["expires_in"] = expires
    return body


async def make_link(backend: Backend, target: str, expires: int | None) -> dict[str, Any]:
    return await backend.share(share_body(target, expires))
