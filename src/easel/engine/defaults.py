"""Which models a job without models runs on: the user's defaults, else the cheapest.

A default the catalog no longer offers (shut down, or its provider lost its key) is
skipped, so a stale setting never blocks a job; with none left the cheapest available
model stands in, preferring one without an announced shutdown.
"""

from __future__ import annotations

from easel.errors import NotFound
from easel.providers import Catalog, CatalogEntry
from easel.providers.base import Operation


def cheapest(catalog: Catalog, operation: Operation = "generate") -> CatalogEntry | None:
    """The available model with the lowest list price that can do ``operation`` (the
    first such in catalog order)."""
    candidates = [
        e for e in catalog.entries() if e.available and operation in e.model.capabilities.operations
    ]
    active = [e for e in candidates if e.status == "active"] or candidates
    return min(active, key=lambda e: e.model.pricing.per_image, default=None)


def _runs_now(catalog: Catalog, model_id: str, operation: Operation) -> bool:
    try:
        entry = catalog.require(model_id)
    except NotFound:
        return False
    return entry.available and operation in entry.model.capabilities.operations


def effective_defaults(
    catalog: Catalog, chosen: list[str] | None, operation: Operation = "generate"
) -> list[str]:
    """The chosen defaults that can run now and do ``operation``, or else the cheapest
    model that can (or nothing)."""
    usable = [m for m in chosen or [] if _runs_now(catalog, m, operation)]
    if usable:
        return usable
    fallback = cheapest(catalog, operation)
    return [fallback.model.id] if fallback else []
