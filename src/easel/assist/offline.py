"""Easel Assistant (offline): describes images from their pixels and expands ideas with
the offline painter's vocabulary. It needs no key and costs nothing; it does not
recognise objects, and says so in what it writes.

It streams its text a word at a time through the same frames as the hosted models.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Mapping

from pydantic import ValidationError

from easel.assist.base import (
    TextContext,
    TextDelta,
    TextDone,
    TextEvent,
    TextModelInfo,
    TextProvider,
    TextRequest,
    TextUsage,
)
from easel.assist.offline_words import describe_text, suggest_text
from easel.assist.pixels import read_pixels
from easel.assist.prompts import Targets
from easel.config import ProviderSettings
from easel.providers.offline import OfflineOptions

ASSISTANT = TextModelInfo(
    id="offline/assistant",
    name="Easel Assistant (offline)",
    provider="offline",
    kind="offline",
    description="Works without keys or network: describes colour, light, layout and texture "
    "measured from the pixels (it does not recognise objects), and expands ideas with the "
    "offline painter's moods, palettes and composition terms. Free.",
    max_images=8,
    facts="Easel's own code: easel.assist.pixels and easel.assist.offline_words.",
)
_WORDS = re.compile(r"\S+\s*|\s+")


class OfflineAssistant(TextProvider):
    id = "offline"
    display_name = "Easel (offline)"

    def __init__(self, settings: ProviderSettings, environ: Mapping[str, str]) -> None:
        super().__init__(settings, environ)
        try:
            self.word_seconds = OfflineOptions.model_validate(settings.options).word_seconds
        except ValidationError:  # the offline painter reports the bad setting
            self.word_seconds = 0.0

    def models(self) -> list[TextModelInfo]:
        return [ASSISTANT]

    async def _write(self, request: TextRequest) -> str:
        details = request.details
        if request.task == "describe":
            facts = [await asyncio.to_thread(read_pixels, image.data) for image in request.images]
            return describe_text(facts, str(details.get("question") or ""))
        targets = details.get("targets")
        return suggest_text(
            str(details.get("idea") or request.prompt),
            int(details.get("count") or 3),
            str(details.get("style") or ""),
            targets if isinstance(targets, Targets) else Targets(),
        )

    async def stream(self, request: TextRequest, ctx: TextContext) -> AsyncIterator[TextEvent]:
        text = await self._write(request)
        words = _WORDS.findall(text)
        for word in words:
            yield TextDelta(word)
            # Let each word go out before the next is handed over.
            await asyncio.sleep(self.word_seconds)
        yield TextDone(TextUsage(0, 0, {"words": len(words)}), "end")
