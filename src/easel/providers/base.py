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

A provider may also answer ``served_models(http)``: what the vendor serves right now,
so `easel models check` can notice models the vendor retired or added (see
`easel.providers.drift`). Where a model stands with its vendor is data on the model:
``ModelInfo.lifecycle``.
"""

from __future__ import annotations

import abc
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar, Literal, get_args

import httpx
from pydantic import BaseModel, ConfigDict, Field

from easel.config import ProviderSettings

if TYPE_CHECKING:  # numpy and Pillow load only where an operation runs
    from easel.imaging.outpaint import Extension

Operation = Literal[
    "generate",
    "edit",
    "inpaint",
    "outpaint",
    "upscale",
    "variations",
    "remove_background",
    "style_transfer",
]
"""What a job does: make an image from text, or work on the caller's image."""
OPERATIONS: tuple[Operation, ...] = get_args(Operation)


class ExtraOption(BaseModel):
    """One model-specific option a job may set in ``extra``; the API refuses any other."""

    model_config = ConfigDict(frozen=True)

    type: Literal["string", "integer", "number", "boolean"]
    description: str = ""
    choices: tuple[str | int, ...] = ()
    """The only values accepted, when set."""
    minimum: float | None = None
    maximum: float | None = None
    max_length: int = Field(default=200, ge=1, le=1000)
    """For strings."""


class Capabilities(BaseModel):
    """What a model accepts. The API validates every request against this."""

    # forbid: a misspelt capability must fail at import, not be ignored.
    model_config = ConfigDict(frozen=True, extra="forbid")

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
    min_pixels: int = 0
    """Free sizes must have at least this many pixels (0: no lower bound)."""
    max_pixels: int = 0
    """Free sizes may have at most this many pixels (0: no upper bound)."""
    max_aspect: float = 0
    """Free sizes' long side may be at most this many times the short one (0: any)."""
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
    output_types: tuple[str, ...] = ("image/png", "image/jpeg", "image/webp")
    """The result types the engine accepts from this model. A vector model adds
    ``image/svg+xml`` and returns ``ImageBytes(svg, "image/svg+xml")``; the engine
    sanitises and stores it (`easel.storage.svg`)."""
    max_prompt_length: int = 4000
    text_rendering: bool = False
    """Renders legible words written in the prompt (lettering, posters, logos)."""
    extra_options: dict[str, ExtraOption] = Field(default_factory=dict)
    """The ``extra`` keys the model's provider reads, by name; empty: no extras."""
    operations: tuple[Operation, ...] = ("generate",)
    """What the model can do; a job's ``operation`` must be one of them."""
    keeps_source_size: bool = False
    """Operations on an image give a result of the image's own size (twice or four times
    it for ``upscale``, larger by the extension for ``outpaint``), whatever the sizes
    above allow; otherwise the model is asked for the allowed size nearest the image's."""
    upscale_factors: tuple[int, ...] = (2, 4)
    """``upscale``: the factors the model offers; the first is used when a job names none."""
    mask_is_hint: bool = False
    """The model may change pixels outside an inpainting mask (it reads the mask as a
    hint), so Easel puts the original back outside it unless the job says otherwise."""


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


ModelStatus = Literal["active", "deprecated", "shutdown"]
"""``active``: served, no end announced. ``deprecated``: still served, with a shutdown
announced. ``shutdown``: the vendor no longer serves it; Easel never offers it."""


class Lifecycle(BaseModel):
    """Where a model stands with its vendor, and where that fact was read."""

    model_config = ConfigDict(frozen=True)

    status: ModelStatus = "active"
    shutdown_date: date | None = None
    """The day the vendor stops (or stopped) serving the model, where announced."""
    replacement: str | None = None
    """The Easel model id the vendor recommends instead."""
    source: str = ""
    """A vendor documentation URL, or an SDK file with its version."""

    def status_on(self, today: date) -> ModelStatus:
        """The status on a given day: a deprecated model is shut down from its date on."""
        if self.status == "deprecated" and self.shutdown_date and today >= self.shutdown_date:
            return "shutdown"
        return self.status


def deprecated(shutdown: date | None, replacement: str, source: str) -> Lifecycle:
    """A model the vendor still serves until ``shutdown``; ``None`` when the vendor
    deprecated it without announcing a date yet (it stays offered until it does)."""
    return Lifecycle(
        status="deprecated", shutdown_date=shutdown, replacement=replacement, source=source
    )


def retired(shutdown: date | None, replacement: str | None, source: str) -> Lifecycle:
    """A model the vendor no longer serves; kept so its history keeps a name."""
    return Lifecycle(
        status="shutdown", shutdown_date=shutdown, replacement=replacement, source=source
    )


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
    lifecycle: Lifecycle = Lifecycle()


@dataclass(frozen=True)
class ServedModel:
    """One model a vendor says it serves now (its list-models endpoint)."""

    remote_name: str
    image: bool
    """Whether it makes images: models Easel lacks are only reported when they do."""
    shutdown_date: date | None = None
    snapshot_of: str | None = None
    """The model this is a dated snapshot of (``gpt-image-2-2026-04-21``), if any."""


@dataclass(frozen=True)
class ReferenceImage:
    data: bytes
    mime_type: str


@dataclass(frozen=True)
class OperationInputs:
    """The typed inputs of an operation on images, read from the caller's own images and
    checked against the operation before the provider sees them."""

    image: ReferenceImage | None = None
    """The picture the operation works on (every operation but ``generate``)."""
    mask: ReferenceImage | None = None
    """``inpaint``: a PNG of the canonical mask ("L", the image's size, 255 = change);
    adapters convert it to their vendor's convention with `easel.imaging.vendor_masks`."""
    style_image: ReferenceImage | None = None
    """``style_transfer``: the picture whose style is brought onto ``image``."""
    extension: Extension | None = None
    """``outpaint``: pixels to add on each side."""
    factor: int | None = None
    """``upscale``: 2 or 4."""
    composite: bool = False
    """``inpaint``: the engine puts the original back outside the mask afterwards."""


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
    operation: Operation = "generate"
    inputs: OperationInputs = field(default_factory=OperationInputs)
    """``width`` and ``height`` are the expected result's size (the source's for most
    operations, larger for ``upscale`` and ``outpaint``); a provider may return another
    size, or a picture with transparency, and the stored image says what it is."""

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
    """Token usage in OpenAI's ``usage`` shape (``input_tokens``, ``output_tokens`` and
    their ``*_tokens_details``), which `easel.engine.pricing.token_cost` reads; adapters of
    other vendors translate their own counts into it."""
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


def api_key_from(
    settings: ProviderSettings, environ: Mapping[str, str], names: tuple[str, ...]
) -> str | None:
    """The key from the provider's settings, else the first of ``names`` that is set."""
    return settings.api_key or next((environ[name] for name in names if environ.get(name)), None)


def missing_key_reason(names: tuple[str, ...], api_key: str | None) -> str | None:
    """Why a model needing one of ``names`` cannot run without a key, or None."""
    if names and not api_key:
        return f"No API key: set {' or '.join(names)} in the environment or the .env file."
    return None


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
        self.api_key = api_key_from(settings, environ, self.key_env_vars)
        self.base_url = (settings.base_url or self.default_base_url).rstrip("/")

    @abc.abstractmethod
    def models(self) -> list[ModelInfo]:
        """The catalog entries this provider serves."""

    def unavailable_reason(self) -> str | None:
        """Why this provider's models cannot run now, or None when they can."""
        return missing_key_reason(self.key_env_vars, self.api_key)

    @abc.abstractmethod
    async def start(self, request: GenerationRequest, ctx: RunContext) -> Outcome:
        """Send the generation; return its result or the remote task to poll."""

    async def poll(self, task: RemoteTask, ctx: RunContext) -> Outcome:
        """Ask about a pending remote task. Only create-then-poll providers override this."""
        raise NotImplementedError(f"{self.id} does not poll")

    async def served_models(self, http: httpx.AsyncClient) -> list[ServedModel] | None:
        """What the vendor serves now, with shutdown dates where it says them; None when
        this provider has no way to ask. Called by `easel models check`, never per job."""
        return None

    async def cancel(self, task: RemoteTask, ctx: RunContext) -> None:  # noqa: B027
        """Cancel a remote task; the default does nothing (the API cannot cancel)."""

    async def aclose(self) -> None:  # noqa: B027
        """Release anything the provider holds."""
