"""The assistant catalog: every text model Easel knows, whether it can run now and why not.

Built-in adapters are listed by import path like the image providers, so one that fails
to import is reported instead of breaking the rest. Each shares the settings of its
vendor's image provider (``EASEL_PROVIDERS__ANTHROPIC__BASE_URL`` …); a provider switched
off there (``ENABLED=false``) offers no assistant either.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from easel.assist.base import TextModelInfo, TextProvider
from easel.config import Settings
from easel.errors import ModelRetired, NotFound, UserInputError
from easel.providers import BrokenProvider, retirement_text, shutdown_text
from easel.providers.base import ModelStatus

log = logging.getLogger(__name__)

BUILTIN: tuple[str, ...] = (
    "easel.assist.offline:OfflineAssistant",
    "easel.assist.anthropic:AnthropicText",
    "easel.assist.openai:OpenAIText",
    "easel.assist.gemini:GeminiText",
)
OFFLINE_MODEL = "offline/assistant"


@dataclass(frozen=True)
class AssistEntry:
    model: TextModelInfo
    provider: TextProvider
    unavailable_reason: str | None
    status: ModelStatus = "active"

    @property
    def available(self) -> bool:
        return self.unavailable_reason is None


def _load(path: str) -> type[TextProvider]:
    module_name, _, class_name = path.partition(":")
    cls = getattr(importlib.import_module(module_name), class_name)
    if not (isinstance(cls, type) and issubclass(cls, TextProvider)):
        raise TypeError(f"{path} is not a TextProvider subclass")
    return cls


class AssistCatalog:
    def __init__(
        self,
        providers: list[TextProvider],
        broken: list[BrokenProvider],
        *,
        today: Callable[[], date] = date.today,
    ) -> None:
        self.broken = broken
        self.today = today
        self._models: dict[str, tuple[TextModelInfo, TextProvider]] = {
            model.id: (model, provider) for provider in providers for model in provider.models()
        }

    @classmethod
    def load(cls, settings: Settings, paths: tuple[str, ...] = BUILTIN) -> AssistCatalog:
        providers: list[TextProvider] = []
        broken: list[BrokenProvider] = []
        for path in paths:
            try:
                provider_cls = _load(path)
            except Exception as exc:  # one broken adapter must not take the others down
                log.warning("assistant %s could not be loaded: %s", path, exc)
                broken.append(BrokenProvider(path, f"{type(exc).__name__}: {exc}"))
                continue
            provider_settings = settings.provider(provider_cls.id)
            if provider_settings.enabled:
                providers.append(provider_cls(provider_settings, settings.environ))
        fixed = settings.today
        return cls(providers, broken, today=(lambda: fixed) if fixed else date.today)

    def _entry(self, model: TextModelInfo, provider: TextProvider) -> AssistEntry:
        status = model.lifecycle.status_on(self.today())
        reason = provider.unavailable_reason()
        if status == "shutdown":
            reason = retirement_text(model, provider.display_name)
        return AssistEntry(model, provider, reason, status)

    def entries(self, *, include_retired: bool = False) -> list[AssistEntry]:
        found = [self._entry(*known) for known in self._models.values()]
        return found if include_retired else [e for e in found if e.status != "shutdown"]

    def get(self, model_id: str) -> AssistEntry:
        try:
            return self._entry(*self._models[model_id])
        except KeyError:
            raise NotFound(
                f"Unknown assistant model {model_id!r}.",
                hint="List them with GET /api/v1/assist/models.",
                field="model",
                allowed=[e.model.id for e in self.entries()],
            ) from None

    def require(self, model_id: str) -> AssistEntry:
        """A model a new run may use: known, still served, and able to run now."""
        entry = self.get(model_id)
        if entry.status == "shutdown":
            raise ModelRetired(
                shutdown_text(entry.model, entry.provider.display_name),
                model=model_id,
                replacement=entry.model.lifecycle.replacement,
            )
        if entry.unavailable_reason is not None:
            raise UserInputError(
                f"Model {model_id} is unavailable: {entry.unavailable_reason}",
                field="model",
                allowed=[e.model.id for e in self.entries() if e.available],
            )
        return entry
