"""The provider registry.

Built-in providers are listed by import path, so a provider whose module fails to import
(a missing optional SDK, say) is reported as unavailable instead of breaking the others.
Third-party packages add providers through the ``easel.providers`` entry point group.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from importlib.metadata import entry_points

from easel.config import Settings
from easel.errors import NotFound
from easel.providers.base import ModelInfo, Provider

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

    @property
    def available(self) -> bool:
        return self.unavailable_reason is None


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
    """Every model Easel can offer, with its provider and whether it can run now."""

    def __init__(self, providers: list[Provider], broken: list[BrokenProvider]) -> None:
        self.providers = {p.id: p for p in providers}
        self.broken = broken
        self._entries: dict[str, CatalogEntry] = {}
        for provider in providers:
            reason = provider.unavailable_reason()
            for model in provider.models():
                self._entries[model.id] = CatalogEntry(model, provider, reason)

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
        return cls(providers, broken)

    def entries(self) -> list[CatalogEntry]:
        return list(self._entries.values())

    def get(self, model_id: str) -> CatalogEntry:
        try:
            return self._entries[model_id]
        except KeyError:
            raise NotFound(
                f"Unknown model {model_id!r}.",
                hint="List the models with GET /api/v1/models or `easel models`.",
                field="models",
                allowed=sorted(self._entries),
            ) from None

    def by_provider(self) -> Mapping[str, Provider]:
        return self.providers

    async def aclose(self) -> None:
        for provider in self.providers.values():
            await provider.aclose()
