"""The provider interface: what a model source must offer the engine.

A provider only translates between Easel's request and one vendor's wire format.
Retries, polling cadence, timeouts, downloading, storage, cost and progress events
live once in the engine (`easel.engine.runner`).

A run has up to three calls:

* ``start(request, ctx)`` sends the generation. It returns ``Finished`` when the
  result came back at once (synchronous APIs, the offline engine) or ``Pending``
  with a ``RemoteTask`` for create-then-poll APIs. The engine saves the task in
  the database before it polls, so a restarted server resumes the same remote
  prediction instead of paying for a second one.
* ``poll(task, ctx)`` asks about a pending task: ``Pending`` again or ``Finished``.
* ``cancel(task, ctx)`` cancels the remote task where the API allows it.

Failures are raised as the ``ProviderError`` tree from `easel.errors`.
"""

from __future__ import annotations

import abc
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, ClassVar, Literal

import httpx
from pydantic import BaseModel, ConfigDict, Field

from easel.config import ProviderSettings


class Capabilities(BaseModel):
    """What a model accepts. The API validates every request against this."""

    model_config = ConfigDict(frozen=True)

    sizes: tuple[str, ...] = ()
    """Exact ``WxH`` sizes accepted. Empty means any size within the bounds below."""
    aspect_ratios: tuple[str, ...] = ()
    """Aspect ratios (``W:H``) the model accepts."""
    ratio_only: bool = False
    """The API takes an aspect ratio, never pixel sizes (a size is mapped to its ratio)."""
    min_side: int = 64
    max_side: int = 2048
    size_multiple: int = 1
    """Free sizes must be multiples of this."""
    max_n: int = 4
    """How many variants of this model one job may ask for."""
    seed: bool = False
    negative_prompt: bool = False
    reference_images: int = 0
    """How many reference images a request may carry (0: none)."""
    styles: tuple[str, ...] = ()
    qualities: tuple[str, ...] = ()
    previews: bool = False
    """Whether the model reports intermediate preview images."""
    max_prompt_length: int = 4000


class PriceRule(BaseModel):
    """A price that applies when every ``when`` parameter matches the request."""

    model_config = ConfigDict(frozen=True)

    when: dict[str, str] = Field(default_factory=dict)
    usd: Decimal


class TokenPrices(BaseModel):
    """Per-million-token prices, for APIs that report token usage."""

    model_config = ConfigDict(frozen=True)

    text_input_per_million: Decimal = Decimal(0)
    image_input_per_million: Decimal = Decimal(0)
    image_output_per_million: Decimal = Decimal(0)
    text_output_per_million: Decimal = Decimal(0)


class Pricing(BaseModel):
    """How much one image costs, and where that figure comes from."""

    model_config = ConfigDict(frozen=True)

    per_image: Decimal = Decimal(0)
    rules: tuple[PriceRule, ...] = ()
    """Checked in order; the first rule whose ``when`` matches wins over ``per_image``."""
    tokens: TokenPrices | None = None
    """When set and the result carries usage, the cost is computed from tokens."""
    source: str = ""
    as_of: date | None = None


class ModelInfo(BaseModel):
    """One entry of the model catalog."""

    model_config = ConfigDict(frozen=True)

    id: str
    """Easel's id, ``<provider>/<model>``; unique across the catalog."""
    name: str
    provider: str
    description: str = ""
    remote_name: str = ""
    """The vendor's own model name, when it differs from Easel's id."""
    kind: Literal["offline", "hosted"] = "hosted"
    capabilities: Capabilities = Capabilities()
    pricing: Pricing = Pricing()


@dataclass(frozen=True)
class ReferenceImage:
    data: bytes
    mime_type: str


@dataclass(frozen=True)
class GenerationRequest:
    """One image slot to generate, already validated against the model's capabilities."""

    model: ModelInfo
    prompt: str
    width: int
    height: int
    aspect_ratio: str | None = None
    seed: int | None = None
    negative_prompt: str | None = None
    style: str | None = None
    quality: str | None = None
    reference_images: tuple[ReferenceImage, ...] = ()
    extra: Mapping[str, Any] = field(default_factory=dict)
    """Model-specific options passed through as the user gave them."""

    @property
    def size(self) -> str:
        return f"{self.width}x{self.height}"


@dataclass(frozen=True)
class ImageBytes:
    data: bytes
    mime_type: str


@dataclass(frozen=True)
class ImageURL:
    url: str
    """Downloaded by the engine at once: hosted URLs expire."""


Output = ImageBytes | ImageURL


@dataclass(frozen=True)
class Finished:
    outputs: tuple[Output, ...]
    seed: int | None = None
    usage: Mapping[str, Any] | None = None
    """Raw usage as the API returned it (token counts), for token pricing."""
    cost_usd: Decimal | None = None
    """A cost the API itself reported; wins over the price table when set."""
    revised_prompt: str | None = None


@dataclass(frozen=True)
class RemoteTask:
    """A provider-side prediction or task, saved before polling starts."""

    id: str
    poll_url: str | None = None
    state: Mapping[str, Any] = field(default_factory=dict)
    """Anything else the provider needs to resume polling after a restart."""


@dataclass(frozen=True)
class Pending:
    task: RemoteTask
    progress: float | None = None
    """0..1 when the provider reports it."""
    message: str = ""
    retry_after: float | None = None
    """A poll delay the provider asked for."""


Outcome = Finished | Pending

ProgressCallback = Callable[[float, str, bytes | None], Awaitable[None]]


@dataclass
class RunContext:
    """What the engine lends a provider for one call."""

    http: httpx.AsyncClient
    report: ProgressCallback
    """``await report(fraction 0..1, message, preview PNG/WebP bytes or None)``."""
    timeout: float = 120.0
    want_previews: bool = False
    """Whether someone can see previews now. Providers whose previews cost extra (a
    streamed request, partial images billed as output tokens) ask for them only then."""


class Provider(abc.ABC):
    """A source of models. Subclasses live one per file under ``easel.providers``."""

    id: ClassVar[str]
    display_name: ClassVar[str]
    key_env_vars: ClassVar[tuple[str, ...]] = ()
    """Environment variables that may hold the API key, in order of preference."""
    default_base_url: ClassVar[str] = ""
    result_hosts: ClassVar[tuple[str, ...]] = ()
    """Hosts results may be downloaded from (``*.example.com`` for subdomains).
    The configured base URL's host is always allowed."""

    def __init__(self, settings: ProviderSettings, environ: Mapping[str, str]) -> None:
        self.settings = settings
        self.api_key = settings.api_key or next(
            (environ[name] for name in self.key_env_vars if environ.get(name)), None
        )
        self.base_url = (settings.base_url or self.default_base_url).rstrip("/")

    @abc.abstractmethod
    def models(self) -> list[ModelInfo]:
        """The catalog entries this provider serves."""

    def unavailable_reason(self) -> str | None:
        """Why this provider's models cannot run now, or None when they can."""
        if self.key_env_vars and not self.api_key:
            names = " or ".join(self.key_env_vars)
            return f"No API key: set {names} in the environment or the .env file."
        return None

    @abc.abstractmethod
    async def start(self, request: GenerationRequest, ctx: RunContext) -> Outcome:
        """Send the generation; return its result or the remote task to poll."""

    async def poll(self, task: RemoteTask, ctx: RunContext) -> Outcome:
        """Ask about a pending remote task. Only create-then-poll providers override this."""
        raise NotImplementedError(f"{self.id} does not poll")

    async def cancel(self, task: RemoteTask, ctx: RunContext) -> None:  # noqa: B027
        """Cancel a remote task; the default does nothing (the API cannot cancel)."""

    async def aclose(self) -> None:  # noqa: B027
        """Release anything the provider holds."""
