"""Progress and previews of a running variant, as live events on the bus.

Nothing here touches the database: a progress step is one in-memory publish. Steps are
thinned (at most one every ``PROGRESS_MIN_INTERVAL`` unless a preview arrives), and
previews are only encoded when someone can see them: a subscriber follows the job or
the user's account stream, or the job asked for previews when it was submitted.
"""

from __future__ import annotations

import asyncio
import io
import time
from collections.abc import Awaitable, Callable

from PIL import Image

from easel import payloads
from easel.events.bus import EventBus
from easel.events.types import LiveEvent, LivePayload, VariantPreview, VariantProgress
from easel.providers.base import ProgressCallback
from easel.storage.images import sniff_mime

PROGRESS_MIN_INTERVAL = 0.25
"""Seconds between progress events of one variant, unless a preview arrives."""

PREVIEW_MAX_BYTES = 64 * 1024
"""Larger previews are shrunk before they go into events: some APIs (gpt-image-1) stream
partial images at full size, megabytes each."""


def data_url(data: bytes) -> str:
    mime = sniff_mime(data) or "image/jpeg"
    return f"data:{mime};base64,{payloads.b64encode(data)}"


def small_preview(data: bytes, side: int = 384) -> bytes | None:
    """A WebP of at most ``side`` px, or None when the bytes are not an image."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.thumbnail((side, side))
            out = io.BytesIO()
            image.convert("RGB").save(out, "WEBP", quality=75)
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        return None  # a broken preview must not fail the generation
    return out.getvalue()


async def preview_url(preview: bytes) -> str | None:
    if len(preview) > PREVIEW_MAX_BYTES:
        small = await asyncio.to_thread(small_preview, preview)
        if small is None:
            return None
        preview = small
    return data_url(preview)


def live_reporter(
    bus: EventBus,
    *,
    user_id: str,
    job_id: str,
    variant_id: str,
    previews_wanted: Callable[[], Awaitable[bool]],
) -> ProgressCallback:
    """The ``report`` callback a provider calls while it works on one variant."""
    last_at, last_step = 0.0, (-1.0, "")

    async def report(fraction: float, message: str, preview: bytes | None) -> None:
        nonlocal last_at, last_step
        now = time.monotonic()
        if preview is not None and not await previews_wanted():
            preview = None
        if preview is None and (
            (fraction, message) == last_step or now - last_at < PROGRESS_MIN_INTERVAL
        ):
            return
        last_at, last_step = now, (fraction, message)
        fraction = round(min(max(fraction, 0.0), 0.99), 4)
        url = await preview_url(preview) if preview is not None else None
        payload: LivePayload
        if url is not None:
            payload = VariantPreview(progress=fraction, message=message, preview=url)
        else:
            payload = VariantProgress(progress=fraction, message=message)
        event = LiveEvent.of(user_id=user_id, job_id=job_id, variant_id=variant_id, payload=payload)
        await bus.publish_live(event)

    return report
