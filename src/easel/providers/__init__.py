"""The provider registry.

Built-in providers are listed by import path, so a provider whose module fails to import
(a missing optional SDK, say) is reported as unavailable instead of breaking the others.
Third-party packages add providers through the ``easel.providers`` entry point group.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from importlib.metadata import entry_points
from typing import Protocol

from easel.config import Settings
from easel.errors import ModelRetired, NotFound
from easel.providers.base import Lifecycle, ModelInfo, ModelStatus, Provider

log = logging.getLogger(__name__)

# One line per provider: "module:Class".
BUILTIN: tuple[str, ...] = (
    "easel.providers.offline:OfflineProvider",
    "easel.providers.replicate:ReplicateProvider",
    "easel.providers.bfl:BFLProvider",
    "easel.providers.fal:FalProvider",
    "easel.providers.mcp:MCPProvider",
    "easel.providers.openai:OpenAIProvider",
    "easel.providers.gemini:GeminiProvider",
    "easel.providers.recraft:RecraftProvider",
    "easel.providers.ideogram:IdeogramProvider",
    "easel.providers.stability:StabilityProvider",
    "easel.providers.byteplus:BytePlusProvider",
)


@dataclass(frozen=True)
class BrokenProvider:
    """A provider that could not be loaded, kept so the catalog can say why."""

    path: str
    reason: str


@dataclass(frozen=True)
class CatalogEntry:
    model: ModelInfo
    provider: Provider
    unavailable_reason: str | None
    status: ModelStatus = "active"
    """The model's lifecycle status on the day the entry was read."""

    @property
    def available(self) -> bool:
        return self.unavailable_reason is None

    @property
    def offered(self) -> bool:
        """Listed and accepted in new jobs: everything but a shut-down model."""
        return self.status != "shutdown"


class KnownModel(Protocol):
    """What lifecycle messages need of a catalog entry (image or assistant model)."""

    @property
    def id(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def lifecycle(self) -> Lifecycle: ...


def shutdown_text(model: KnownModel, vendor: str) -> str:
    """That the vendor shut a model down, and when."""
    day = model.lifecycle.shutdown_date
    return f"{vendor} shut {model.name} ({model.id}) down{f' on {day}' if day else ''}."


def retirement_text(model: KnownModel, vendor: str) -> str:
    """Why a shut-down model cannot run, naming its replacement."""
    replacement = model.lifecycle.replacement
    use = f" Use {replacement} instead." if replacement else ""
    return shutdown_text(model, vendor) + use


def _load_class(path: str) -> type[Provider]:
    module_name, _, class_name = path.partition(":")
    cls = getattr(importlib.import_module(module_name), class_name)
    if not (isinstance(cls, type) and issubclass(cls, Provider)):
        raise TypeError(f"{path} is not a Provider subclass")
    return cls


def provider_paths() -> list[str]:
    plugins = [f"{ep.module}:{ep.attr}" for ep in entry_points(group="easel.providers")]
    return list(BUILTIN) + [p for p in plugins if p not in BUILTIN]


class Catalog:
    """Every model Easel knows, with its provider, whether it can run now, and where it
    stands with its vendor. Shut-down models stay known (their history keeps a name) but
    are never offered; a deprecated model turns shut down on its date by itself."""

    def __init__(
        self,
        providers: list[Provider],
        broken: list[BrokenProvider],
        *,
        today: Callable[[], date] = date.today,
    ) -> None:
        self.providers = {p.id: p for p in providers}
        self.broken = broken
        self.today = today
        self._models: dict[str, tuple[ModelInfo, Provider, str | None]] = {}
        for provider in providers:
            reason = provider.unavailable_reason()
            for model in provider.models():
                self._models[model.id] = (model, provider, reason)
        self._check_replacements()

    def _check_replacements(self) -> None:
        for model, _, _ in self._models.values():
            replacement = model.lifecycle.replacement
            if replacement and replacement not in self._models:
                log.warning("%s names an unknown replacement %s", model.id, replacement)

    def _entry(self, model: ModelInfo, provider: Provider, reason: str | None) -> CatalogEntry:
        status = model.lifecycle.status_on(self.today())
        if status == "shutdown":
            reason = retirement_text(model, provider.display_name)
        return CatalogEntry(model, provider, reason, status)

    @classmethod
    def load(cls, settings: Settings, paths: list[str] | None = None) -> Catalog:
        providers: list[Provider] = []
        broken: list[BrokenProvider] = []
        for path in paths if paths is not None else provider_paths():
            try:
                provider_cls = _load_class(path)
            except Exception as exc:  # an import failure must not take other providers down
                log.warning("provider %s could not be loaded: %s", path, exc)
                broken.append(BrokenProvider(path, f"{type(exc).__name__}: {exc}"))
                continue
            if not settings.provider(provider_cls.id).enabled:
                continue
            providers.append(provider_cls(settings.provider(provider_cls.id), settings.environ))
        fixed = settings.today
        return cls(providers, broken, today=(lambda: fixed) if fixed else date.today)

    def entries(self, *, include_retired: bool = False) -> list[CatalogEntry]:
        """The models on offer today, in catalog order; with ``include_retired`` also
        those shut down."""
        entries = [self._entry(*known) for known in self._models.values()]
        return entries if include_retired else [e for e in entries if e.offered]

    def get(self, model_id: str) -> CatalogEntry:
        """Any model Easel knows, shut down or not (for history and running work)."""
        try:
            return self._entry(*self._models[model_id])
        except KeyError:
            raise NotFound(
                f"Unknown model {model_id!r}.",
                hint="List the models with GET /api/v1/models or `easel models`.",
                field="models",
                allowed=[e.model.id for e in self.entries()],
            ) from None

    def require(self, model_id: str) -> CatalogEntry:
        """A model a new job, preset or default may use: known and still served."""
        entry = self.get(model_id)
        if not entry.offered:
            raise ModelRetired(
                shutdown_text(entry.model, entry.provider.display_name),
                model=model_id,
                replacement=entry.model.lifecycle.replacement,
            )
        return entry

    def by_provider(self) -> Mapping[str, Provider]:
        return self.providers

    async def aclose(self) -> None:
        for provider in self.providers.values():
            await provider.aclose()
