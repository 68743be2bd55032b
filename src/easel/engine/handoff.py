"""Handing a stored image's bytes from the worker to a caller waiting on the job in the
same process (the OpenAI-compatible endpoint answering ``b64_json``), so it answers with
the bytes in hand instead of reading them back from storage (a round trip to S3, or a
file read and a database lookup for its key).

Only jobs someone registered for are kept, and only until that caller is done: nothing
stays in memory for jobs no caller waits on here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from dataclasses import dataclass


@dataclass(frozen=True)
class HandedImage:
    data: bytes
    mime_type: str


class ImageHandoff:
    def __init__(self) -> None:
        self._waiting: dict[str, dict[str, HandedImage]] = {}

    @contextmanager
    def expect(self, job_id: str) -> Iterator[dict[str, HandedImage]]:
        """While the block runs, the job's stored images arrive in the yielded dict, by
        sha256. Register before the job can finish (right after submitting it)."""
        received: dict[str, HandedImage] = {}
        self._waiting[job_id] = received
        try:
            yield received
        finally:
            self._waiting.pop(job_id, None)

    def receiver(self, job_id: str) -> Callable[[str, bytes, str], None] | None:
        """``offer`` bound to the job when a caller waits on it here, else None (so the
        worker does not even read the bytes of an image nobody will take)."""
        return partial(self.offer, job_id) if job_id in self._waiting else None

    def offer(self, job_id: str, sha256: str, data: bytes, mime_type: str) -> None:
        """A variant of the job succeeded with this image (already stored durably)."""
        received = self._waiting.get(job_id)
        if received is not None:
            received[sha256] = HandedImage(data, mime_type)
