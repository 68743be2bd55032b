"""Jobs on the caller's own images through the public API: upload a picture, run an
operation on it, read the stored result."""

from __future__ import annotations

import io
from typing import Any

import httpx
from PIL import Image

from support.client import wait_for_job


def png(image: Image.Image) -> bytes:
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    return buf.getvalue()


def upload(client: httpx.Client, image: Image.Image) -> str:
    """Upload ``image`` as PNG; its sha256."""
    answer = client.post("/api/v1/uploads", files={"file": ("in.png", png(image), "image/png")})
    assert answer.status_code == 201, answer.text
    return str(answer.json()["sha256"])


def run_job(client: httpx.Client, model: str, body: dict[str, Any]) -> dict[str, Any]:
    """Create a one-model job and wait for it to end."""
    answer = client.post("/api/v1/jobs", json={"models": [model], **body})
    assert answer.status_code == 202, answer.text
    return wait_for_job(client, answer.json()["id"], timeout=30)


def stored(client: httpx.Client, sha: str) -> bytes:
    """An image's bytes as Easel stores them (what a provider is sent)."""
    return client.get(f"/api/v1/images/{sha}").raise_for_status().content


def result(client: httpx.Client, job: dict[str, Any]) -> Image.Image:
    """The first variant's stored image, decoded."""
    data = client.get(job["variants"][0]["image"]["url"]).raise_for_status().content
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        return image.copy()


def succeeded(job: dict[str, Any]) -> dict[str, Any]:
    """The one variant of a job that must have succeeded."""
    (variant,) = job["variants"]
    assert job["status"] == "succeeded", variant["error"]
    return dict(variant)


def refused(client: httpx.Client, model: str, body: dict[str, Any]) -> list[str]:
    """A job the API must refuse at once (422); what the problem says is allowed."""
    answer = client.post("/api/v1/jobs", json={"models": [model], **body})
    assert answer.status_code == 422, answer.text
    return list(answer.json()["allowed"])
