"""What the text-model emulators share: a canned answer streamed a word at a time at a set
pace, and the bookkeeping tests read back (the requests received, when the first and
last words went out, and whether the client closed the stream before its end).

A request with images is answered with a description ending in a ``Prompt:`` line; one
without, with numbered prompt suggestions. ``reply`` overrides both.
"""

from __future__ import annotations

import asyncio
import re
import threading
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

from fastapi.responses import StreamingResponse

DESCRIBE_REPLY = (
    "Subject: a white lighthouse on a dark cliff above the sea.\n"
    "Composition: the tower stands on the right third, the horizon low.\n"
    "Style: a soft painterly photograph.\n"
    "Palette: deep navy, slate grey and a warm amber lamp.\n"
    "Lighting: dusk, with the last light behind the tower.\n"
    "Prompt: a white lighthouse on a dark cliff at dusk, amber lamp glowing, navy sea, "
    "painterly photograph, low horizon\n"
)
SUGGEST_REPLY = (
    "1. a fox curled asleep in fresh snow under pale blue dawn light, close-up, soft focus\n"
    "Negative prompt: blurry, watermark\n"
    "2. a red fox leaping through a snowy birch forest, low sun, crisp shadows, wide shot\n"
    "Negative prompt: extra limbs\n"
    "3. a fox silhouette on a snowy ridge at night under an aurora, minimalist poster\n"
    "Negative prompt: text\n"
)
_WORD = re.compile(r"\S+\s*")


def deltas(text: str) -> list[str]:
    return _WORD.findall(text)


@dataclass
class TextTraffic:
    """What the emulator saw and sent, for tests to read (from any thread)."""

    bodies: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    first_sent: list[float] = field(default_factory=list)
    """time.monotonic() when each stream's first text went out."""
    finished: list[float] = field(default_factory=list)
    """time.monotonic() when each stream sent its last event."""
    closed_early: int = 0
    closed: threading.Event = field(default_factory=threading.Event)
    """Set when a client closes a stream before its end."""


class TextStreaming:
    """Mixed into an `Emulator`: the pace, the reply and the traffic record."""

    delta_interval: float = 0.02
    reply: str | None = None
    stall_after: int = 3
    """Words sent before a ``stall`` or ``mid_stream_error`` fault strikes."""

    def setup_text(self) -> None:
        self.traffic = TextTraffic()

    def answer_for(self, has_images: bool) -> str:
        if self.reply is not None:
            return self.reply
        return DESCRIBE_REPLY if has_images else SUGGEST_REPLY

    def record(self, body: dict[str, Any], headers: dict[str, str]) -> None:
        self.traffic.bodies.append(body)
        self.traffic.headers.append(headers)

    def stream(self, frames: AsyncIterator[bytes]) -> StreamingResponse:
        """Send ``frames`` as an SSE answer, noting when the client went away early."""
        traffic = self.traffic

        async def watched() -> AsyncIterator[bytes]:
            complete = False
            try:
                async for frame in frames:
                    yield frame
                complete = True
                traffic.finished.append(time.monotonic())
            finally:
                if not complete:
                    traffic.closed_early += 1
                    traffic.closed.set()

        return StreamingResponse(
            watched(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"}
        )

    async def paced(
        self,
        words: list[str],
        frame: Callable[[int, str], bytes],
        *,
        fault: str | None = None,
        fault_frame: bytes = b"",
        hang_seconds: float = 30.0,
    ) -> AsyncIterator[bytes]:
        """One frame per word, ``delta_interval`` apart; a fault strikes after
        ``stall_after`` words (``stall`` goes quiet, ``mid_stream_error`` sends
        ``fault_frame`` and ends)."""
        for index, word in enumerate(words):
            if fault is not None and index == self.stall_after:
                if fault == "stall":
                    await asyncio.sleep(hang_seconds)
                else:
                    yield fault_frame
                    return
            if index == 0:
                self.traffic.first_sent.append(time.monotonic())
            yield frame(index, word)
            await asyncio.sleep(self.delta_interval)


def sse(event: str | None, data: str) -> bytes:
    head = f"event: {event}\n" if event else ""
    return f"{head}data: {data}\n\n".encode()
