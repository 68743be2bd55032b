"""The text-model interface: assistant models that read images and text and stream text.

It stands beside the image `Provider` and shares its settings (keys and base URLs under
``EASEL_PROVIDERS__<ID>__…`` and the vendors' usual key variables) and its lifecycle
facts (`Lifecycle`). An adapter only translates one vendor's streaming wire format:
``stream(request, ctx)`` yields `TextDelta` pieces as they arrive and ends with one
`TextDone` carrying the token usage. Retries before the first text, the idle timeout
between chunks, cancellation, cost and storage live once in `easel.assist.runner` and
`easel.assist.service`.

Failures are raised as the ``ProviderError`` tree from `easel.errors`.
"""

from __future__ import annotations

import abc
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, ClassVar, Literal

import httpx
from pydantic import BaseModel, ConfigDict, Field

from easel.config import ProviderSettings
from easel.providers.base import Lifecycle, ReferenceImage, api_key_from, missing_key_reason

MILLION = Decimal(1_000_000)


class TextRate(BaseModel):
    """Prices per million tokens from a given day on."""

    model_config = ConfigDict(frozen=True)

    input_per_million: Decimal
    output_per_million: Decimal
    effective_from: date | None = None
    """The first day this rate applies (None: always, until a later rate starts)."""
    long_prompt_tokens: int | None = None
    """Prompts with more input tokens than this are billed at the long rates below."""
    long_input_per_million: Decimal | None = None
    long_output_per_million: Decimal | None = None


class TextPricing(BaseModel):
    """What a model's tokens cost, and where the figures were read."""

    model_config = ConfigDict(frozen=True)

    rates: tuple[TextRate, ...] = ()
    """In date order; the last one in effect on a day applies. Empty: free."""
    source: str = ""
    as_of: date | None = None
    note: str = ""
    """What could not be confirmed at the source (marked UNVERIFIED)."""

    def rate_on(self, day: date) -> TextRate | None:
        current = None
        for rate in self.rates:
            if rate.effective_from is None or rate.effective_from <= day:
                current = rate
        return current


class Modality(BaseModel):
    model_config = ConfigDict(frozen=True)

    inputs: tuple[Literal["text", "image"], ...] = ("text", "image")
    outputs: tuple[Literal["text"], ...] = ("text",)


class TextModelInfo(BaseModel):
    """One entry of the assistant catalog."""

    model_config = ConfigDict(frozen=True)

    id: str
    """Easel's id, ``<provider>/<model>``; unique across the assistant catalog."""
    name: str
    provider: str
    description: str = ""
    remote_name: str = ""
    """The vendor's own model name."""
    kind: Literal["offline", "hosted"] = "hosted"
    modality: Modality = Modality()
    max_images: int = Field(default=8, ge=0)
    """How many images one request may carry."""
    pricing: TextPricing = TextPricing()
    lifecycle: Lifecycle = Lifecycle()
    facts: str = ""
    """Where the model id, wire format and limits were read."""


def hosted_model(
    provider: str,
    remote: str,
    name: str,
    description: str,
    *,
    rate: TextRate,
    source: str,
    as_of: date,
    facts: str,
    max_images: int,
) -> TextModelInfo:
    """A vendor's model at one rate, named ``<provider>/<remote>``."""
    return TextModelInfo(
        id=f"{provider}/{remote}",
        name=name,
        provider=provider,
        remote_name=remote,
        description=description,
        max_images=max_images,
        pricing=TextPricing(rates=(rate,), source=source, as_of=as_of),
        facts=facts,
    )


@dataclass(frozen=True)
class TextUsage:
    """Tokens billed for one answer; ``raw`` is the vendor's own usage block."""

    input_tokens: int
    output_tokens: int
    raw: Mapping[str, Any] = field(default_factory=dict)


Task = Literal["describe", "prompt"]


@dataclass(frozen=True)
class TextRequest:
    """One answer to stream. Hosted models read ``system``, ``prompt`` and ``images``;
    the offline assistant works from ``task`` and ``details`` (the structured request)."""

    model: TextModelInfo
    task: Task
    system: str
    prompt: str
    images: tuple[ReferenceImage, ...] = ()
    max_output_tokens: int = 8192
    details: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class TextDelta:
    text: str


@dataclass(frozen=True)
class TextDone:
    usage: TextUsage | None
    stop_reason: str | None = None


TextEvent = TextDelta | TextDone


@dataclass
class TextContext:
    """What the service lends an adapter for one call."""

    http: httpx.AsyncClient
    timeout: float = 120.0
    """Connect and first-byte bound; the gap between chunks is watched by the runner."""


class TextProvider(abc.ABC):
    """A source of assistant models. Subclasses live one per file under ``easel.assist``."""

    id: ClassVar[str]
    """The provider id whose settings it shares with the image provider of that vendor."""
    display_name: ClassVar[str]
    key_env_vars: ClassVar[tuple[str, ...]] = ()
    default_base_url: ClassVar[str] = ""

    def __init__(self, settings: ProviderSettings, environ: Mapping[str, str]) -> None:
        self.settings = settings
        self.api_key = api_key_from(settings, environ, self.key_env_vars)
        self.base_url = (settings.base_url or self.default_base_url).rstrip("/")

    @abc.abstractmethod
    def models(self) -> list[TextModelInfo]:
        """The catalog entries this provider serves."""

    def unavailable_reason(self) -> str | None:
        return missing_key_reason(self.key_env_vars, self.api_key)

    @abc.abstractmethod
    def stream(self, request: TextRequest, ctx: TextContext) -> AsyncIterator[TextEvent]:
        """Text deltas in order, then one `TextDone`. Closing the iterator early must
        close the upstream request (the vendor stops generating and billing)."""
