"""The pieces of an assist run that need no server: reading structure out of streamed text,
pricing tokens, tailoring to image models, measuring pixels, and the stream policy."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from datetime import date
from decimal import Decimal

import pytest
from PIL import Image

from easel.assist.base import (
    TextContext,
    TextDelta,
    TextDone,
    TextEvent,
    TextModelInfo,
    TextPricing,
    TextProvider,
    TextRate,
    TextRequest,
    TextUsage,
)
from easel.assist.catalog import AssistCatalog
from easel.assist.parse import SuggestionReader, reproducing_prompt
from easel.assist.pixels import read_pixels
from easel.assist.pricing import text_cost
from easel.assist.prompts import targets_from
from easel.assist.runner import StreamPolicy, run_stream
from easel.config import ProviderSettings, Settings
from easel.errors import ProviderUnavailable, RateLimited
from easel.providers import Catalog
from easel.providers.base import Capabilities, ModelInfo, Provider


def test_the_reproducing_prompt_is_read_loosely() -> None:
    text = 'Subject: a cat.\nStyle: ink.\n**Prompt:** "a black cat in ink,\nloose brushwork"'
    assert reproducing_prompt(text) == "a black cat in ink, loose brushwork"
    assert reproducing_prompt("Prompt: first\nmore\nPROMPT: the last one") == "the last one"
    assert reproducing_prompt("no label here") is None


def test_suggestions_complete_when_the_next_one_starts() -> None:
    reader = SuggestionReader()
    text = (
        "Here you go:\n1. a red kite\nNegative prompt: blur\n**2.** a blue kite over\nthe sea\n3) x"
    )
    seen: list[list[int]] = []
    for char in text:
        seen.append([s.index for s in reader.feed(char)])
    done = reader.finish()
    assert [s.prompt for s in reader.found] == ["a red kite", "a blue kite over the sea", "x"]
    assert reader.found[0].negative_prompt == "blur" and reader.found[1].negative_prompt is None
    first = next(i for i, indexes in enumerate(seen) if indexes)
    # The first completes with the line that starts the second, long before the end.
    assert text[: first + 1].endswith("**2.** a blue kite over\n")
    assert [s.index for s in done] == [1, 2]  # the last line had no newline yet


def test_token_prices_follow_dates_and_long_prompts() -> None:
    pricing = TextPricing(
        rates=(
            TextRate(
                input_per_million=Decimal("0.10"),
                output_per_million=Decimal("0.50"),
                long_prompt_tokens=100_000,
                long_input_per_million=Decimal("0.50"),
                long_output_per_million=Decimal("2.50"),
            ),
            TextRate(
                input_per_million=Decimal(1),
                output_per_million=Decimal(2),
                effective_from=date(2027, 1, 1),
            ),
        )
    )
    short, long = TextUsage(1000, 500), TextUsage(200_000, 1000)
    assert text_cost(pricing, short, date(2026, 12, 1)) == Decimal("0.000350")
    assert text_cost(pricing, long, date(2026, 12, 1)) == Decimal("0.102500")
    assert text_cost(pricing, short, date(2027, 1, 1)) == Decimal("0.002000")
    assert text_cost(TextPricing(), short, date(2027, 1, 1)) == 0


class _Vectors(Provider):
    id = "vectors"
    display_name = "Vectors"

    def models(self) -> list[ModelInfo]:
        svg = ("image/png", "image/svg+xml")
        return [
            ModelInfo(
                id="vectors/v1",
                name="Vector One",
                provider="vectors",
                capabilities=Capabilities(output_types=svg, max_prompt_length=300),
            ),
            ModelInfo(
                id="vectors/letters",
                name="Letters",
                provider="vectors",
                capabilities=Capabilities(text_rendering=True, negative_prompt=True),
            ),
        ]

    async def start(self, request, ctx):  # type: ignore[no-untyped-def]
        raise NotImplementedError


def test_targets_are_read_from_the_image_catalog() -> None:
    catalog = Catalog([_Vectors(ProviderSettings(), {})], [])
    targets = targets_from(catalog, ["vectors/v1", "vectors/letters"])
    assert targets.vector == ("Vector One",) and targets.text_rendering == ("Letters",)
    assert targets.negative_prompt == ("Letters",) and targets.max_prompt_length == 300
    notes = " ".join(targets.notes())
    assert "Vector One make vector graphics" in notes and "Letters render legible" in notes
    with pytest.raises(Exception, match="Unknown model"):
        targets_from(catalog, ["vectors/none"])


def _picture(size: tuple[int, int], left: str, right: str) -> bytes:
    image = Image.new("RGB", size, left)
    image.paste(Image.new("RGB", (size[0] // 2, size[1]), right), (size[0] // 2, 0))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def test_pixels_name_colours_shape_and_balance() -> None:
    facts = read_pixels(_picture((1600, 900), "#d7262b", "#2a5bd7"))
    assert {s.name for s in facts.swatches} == {"red", "blue"}
    assert all(abs(s.share - 0.5) < 0.02 for s in facts.swatches)
    assert facts.ratio_name == "16:9" and facts.orientation == "landscape"
    assert abs(facts.focus_x - 0.5) < 0.05  # the only edge is the middle
    assert facts.warmth == pytest.approx(0.0, abs=0.05)
    tall = read_pixels(_picture((300, 600), "#111214", "#111214"))
    assert tall.ratio_name == "1:2" and tall.brightness < 0.1 and tall.texture == 0


class _Flaky(TextProvider):
    """Refuses ``refusals`` times (as given), then streams two words."""

    id = "flaky"
    display_name = "Flaky"

    def __init__(self, refusals: list[Exception], after_text: bool = False) -> None:
        super().__init__(ProviderSettings(), {})
        self.refusals = refusals
        self.after_text = after_text
        self.calls = 0

    def models(self) -> list[TextModelInfo]:
        return []

    async def stream(self, request: TextRequest, ctx: TextContext) -> AsyncIterator[TextEvent]:
        self.calls += 1
        if self.after_text:
            yield TextDelta("one ")
        if self.refusals:
            raise self.refusals.pop(0)
        yield TextDelta("two")
        yield TextDone(TextUsage(1, 2))


async def _run(provider: TextProvider, policy: StreamPolicy) -> list[TextEvent]:
    model = TextModelInfo(id="flaky/x", name="x", provider="flaky")
    request = TextRequest(model=model, task="prompt", system="", prompt="")
    return [e async for e in run_stream(provider, request, TextContext(http=None), policy)]  # type: ignore[arg-type]


async def test_refusals_before_text_are_retried_within_the_budget() -> None:
    policy = StreamPolicy(retry_budget=1.0, max_attempts=3, backoff=0.01)
    flaky = _Flaky([RateLimited("busy", retry_after=0.05), ProviderUnavailable("over")])
    events = await _run(flaky, policy)
    assert flaky.calls == 3 and isinstance(events[-1], TextDone)
    with pytest.raises(RateLimited) as too_long:
        await _run(_Flaky([RateLimited("busy", retry_after=5)]), policy)
    assert "5 s" in str(too_long.value.hint)
    after_text = _Flaky([RateLimited("busy", retry_after=0.01)], after_text=True)
    with pytest.raises(RateLimited):
        await _run(after_text, policy)
    assert after_text.calls == 1  # never again once text went out


def test_hosted_assistants_name_the_key_to_set() -> None:
    catalog = AssistCatalog.load(Settings(environ={"HOME": "/"}))
    entries = {e.model.id: e for e in catalog.entries()}
    assert entries["offline/assistant"].available
    reason = entries["anthropic/claude-sonnet-5-5"].unavailable_reason or ""
    assert "ANTHROPIC_API_KEY" in reason
    assert "GEMINI_API_KEY" in (entries["google/gemini-3.8-flash"].unavailable_reason or "")
    keyed = AssistCatalog.load(Settings(environ={"OPENAI_API_KEY": "sk-test"}))
    assert keyed.require("openai/gpt-6-luna").available
