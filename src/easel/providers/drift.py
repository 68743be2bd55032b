"""Noticing when vendors move on: the catalog beside what each vendor serves today.

For every provider that can list its models (`Provider.served_models`) the check finds

* ``not_served``: models Easel offers that the vendor no longer lists (retired early, or
  renamed), which will fail when run;
* ``shutting_down``: models with a shutdown date still ahead, from the vendor's list or
  the catalog; ``news`` marks a date the catalog does not carry yet;
* ``missing``: image models the vendor lists that the catalog does not know at all (a
  dated snapshot counts only when its model is not listed).

A provider without a key, or without a way to list its models, is reported as not
checked, with the reason.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime

import httpx
from pydantic import BaseModel

from easel.errors import ProviderError
from easel.providers import Catalog, CatalogEntry
from easel.providers.base import Provider, ServedModel


class Shutdown(BaseModel):
    model: str
    """The Easel id, or the vendor's id for a model Easel lacks."""
    shutdown_date: date
    news: bool
    """The vendor announced a date the catalog does not carry."""


class ProviderDrift(BaseModel):
    provider: str
    name: str
    checked: bool
    note: str = ""
    """Why the provider was not checked, when it was not."""
    not_served: list[str] = []
    shutting_down: list[Shutdown] = []
    missing: list[str] = []

    @property
    def drifted(self) -> bool:
        news = any(s.news for s in self.shutting_down)
        return bool(self.not_served or self.missing or news)


class DriftReport(BaseModel):
    checked_at: datetime
    today: date
    providers: list[ProviderDrift]

    def notes(self) -> dict[str, list[str]]:
        """Per Easel model id, what the check found about it, in words."""
        found: dict[str, list[str]] = {}
        for drift in self.providers:
            for model in drift.not_served:
                found.setdefault(model, []).append(f"{drift.name} no longer lists this model.")
            for shutdown in drift.shutting_down:
                if shutdown.news:
                    found.setdefault(shutdown.model, []).append(
                        f"{drift.name} announces a shutdown on {shutdown.shutdown_date}."
                    )
        return found


def _remote(entry: CatalogEntry) -> str:
    return entry.model.remote_name or entry.model.id.partition("/")[2]


def compare(
    entries: list[CatalogEntry], served: list[ServedModel], today: date
) -> tuple[list[str], list[Shutdown], list[str]]:
    """(not served, shutting down, missing) for one provider's catalog entries."""
    by_remote = {s.remote_name: s for s in served}
    known = {_remote(e) for e in entries}
    not_served: list[str] = []
    shutting_down: list[Shutdown] = []
    for entry in entries:
        if not entry.offered:
            continue
        listed = by_remote.get(_remote(entry))
        if listed is None:
            not_served.append(entry.model.id)
        vendor_date = listed.shutdown_date if listed else None
        ours = entry.model.lifecycle.shutdown_date if entry.status == "deprecated" else None
        when = vendor_date or ours
        if when is not None and when >= today:
            news = vendor_date is not None and vendor_date != ours
            shutting_down.append(Shutdown(model=entry.model.id, shutdown_date=when, news=news))
    # A dated snapshot is reported through its model: known, or listed as missing itself.
    covered = known | set(by_remote)
    missing = [
        s.remote_name
        for s in served
        if s.image and s.remote_name not in known and s.snapshot_of not in covered
    ]
    return sorted(not_served), sorted(shutting_down, key=lambda s: s.model), sorted(missing)


async def check_provider(
    provider: Provider, entries: list[CatalogEntry], http: httpx.AsyncClient, today: date
) -> ProviderDrift:
    base = {"provider": provider.id, "name": provider.display_name}
    reason = provider.unavailable_reason()
    if reason:
        return ProviderDrift(**base, checked=False, note=f"Not checked: {reason}")
    try:
        served = await provider.served_models(http)
    except ProviderError as exc:
        return ProviderDrift(**base, checked=False, note=f"The check failed: {exc}")
    if served is None:
        return ProviderDrift(**base, checked=False, note="It has no way to list its models.")
    not_served, shutting_down, missing = compare(entries, served, today)
    return ProviderDrift(
        **base,
        checked=True,
        not_served=not_served,
        shutting_down=shutting_down,
        missing=missing,
    )


async def check_drift(catalog: Catalog, http: httpx.AsyncClient) -> DriftReport:
    """Ask every enabled provider what it serves, all at once."""
    today = catalog.today()
    entries = catalog.entries(include_retired=True)
    checks = [
        check_provider(provider, [e for e in entries if e.provider is provider], http, today)
        for provider in catalog.providers.values()
    ]
    providers = await asyncio.gather(*checks)
    return DriftReport(checked_at=datetime.now(UTC), today=today, providers=list(providers))
