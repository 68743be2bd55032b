"""The catalog check as a service: run on demand or on a schedule, remember the last result.

The last report is kept in ``<data_dir>/model-check.json``, so a restart shows the
previous findings without calling any vendor, and the schedule picks up where it was
(the next check is due one interval after the last, not after the restart).
"""

from __future__ import annotations

import asyncio
import logging
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from pydantic import ValidationError

from easel.providers import Catalog
from easel.providers.drift import DriftReport, check_drift

log = logging.getLogger(__name__)
FILE_NAME = "model-check.json"


class ModelCheck:
    def __init__(
        self, *, catalog: Catalog, http: httpx.AsyncClient, data_dir: Path, interval: float
    ) -> None:
        self.catalog = catalog
        self.http = http
        self.path = data_dir / FILE_NAME
        self.interval = interval
        self.report: DriftReport | None = self._load()
        self._lock = asyncio.Lock()
        self._failed_at: datetime | None = None

    def _load(self) -> DriftReport | None:
        try:
            return DriftReport.model_validate_json(self.path.read_bytes())
        except FileNotFoundError:
            return None
        except (OSError, ValidationError) as exc:
            log.warning("ignoring an unreadable %s: %s", self.path, exc)
            return None

    def _save(self, report: DriftReport) -> None:
        staging = self.path.with_suffix(".tmp")
        staging.write_text(report.model_dump_json(indent=1))
        os.replace(staging, self.path)

    async def run_now(self) -> DriftReport:
        """Ask every vendor now; keep and return the report. One check at a time."""
        async with self._lock:
            report = await check_drift(self.catalog, self.http)
            await asyncio.to_thread(self._save, report)
            self.report = report
            return report

    def notes(self) -> dict[str, list[str]]:
        """What the last check found per model id (empty before the first check)."""
        return self.report.notes() if self.report else {}

    def seconds_until_due(self) -> float:
        """One interval after the last check, or after the last failed attempt."""
        last = self.report.checked_at if self.report else None
        if self._failed_at is not None and (last is None or self._failed_at > last):
            due = self._failed_at + timedelta(seconds=min(self.interval, 3600))
        elif last is not None:
            due = last + timedelta(seconds=self.interval)
        else:
            return 0.0
        return max(0.0, (due - datetime.now(UTC)).total_seconds())

    async def check_when_due(self) -> None:
        """A scheduled pass: check if a check is due, and log what drifted."""
        if self.seconds_until_due() > 0:
            return
        try:
            report = await self.run_now()
        except Exception:
            self._failed_at = datetime.now(UTC)
            raise
        drifted = [p.name for p in report.providers if p.drifted]
        if drifted:
            log.warning("vendors changed their models: %s", ", ".join(drifted))
