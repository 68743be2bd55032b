"""What one ``POST /v1/images/generations`` costs the database, counted statement by
statement, so the count cannot silently grow back.

The app runs in this process on a real SQLite file with its embedded worker, the request
goes through the ASGI stack, and a SQLAlchemy listener on both engines records every
statement and every transaction begun until the answer arrives.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import event

from easel.api.app import create_app
from easel.config import Settings
from easel.db.migrate import upgrade
from easel.db.repos import users as user_repo
from easel.providers.offline import MODEL_ID
from easel.services import Services, build_services
from support.sqlite_hops import Hop, names, record_hops

WRITE_TRANSACTIONS = 4
"""The job with its variant and events; claim-and-start; the image's pin; the final
transition with the image's reference, the events and the webhook outbox."""
READ_TRANSACTIONS = 2
"""The token's user; the job's event log, read once when the call starts to follow it."""
STATEMENTS = 22
"""SQL statements, not counting the transactions' own BEGIN."""
THREAD_HOPS = 2
"""Calls onto SQLite's connection threads: the two reads (`easel.db.sqlite_driver` runs
write transactions on the event loop)."""


@dataclass
class Ledger:
    statements: list[str] = field(default_factory=list)
    transactions: list[str] = field(default_factory=list)
    """"write" or "read", by the engine that began it."""
    hops: list[Hop] = field(default_factory=list)
    """Each function sent to a SQLite connection's thread."""

    def clear(self) -> None:
        self.statements.clear()
        self.transactions.clear()
        self.hops.clear()


def _listen(services: Services, ledger: Ledger) -> None:
    db = services.db
    for engine, kind in ((db.write_engine, "write"), (db.read_engine, "read")):

        def begun(_conn: Any, kind: str = kind) -> None:
            ledger.transactions.append(kind)

        def executed(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
            if not statement.startswith("BEGIN"):  # SQLite's own, sent at "begin"
                ledger.statements.append(statement.split("\n", 1)[0])

        event.listen(engine.sync_engine, "begin", begun)
        event.listen(engine.sync_engine, "before_cursor_execute", executed)


@pytest.fixture
async def gateway(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[tuple[httpx.AsyncClient, Ledger]]:
    settings = Settings(
        data_dir=tmp_path / "data",
        environ={"HOME": str(tmp_path)},
        # No periodic pass (reconciling, collecting, renewing leases) lands in the count.
        reconcile_interval_seconds=3600,
        collect_interval_seconds=3600,
        lease_seconds=3600,
    )
    settings.data_dir.mkdir(parents=True)
    await asyncio.to_thread(upgrade, settings.resolved_database_url)
    services = build_services(settings)
    services.webhooks.poll_seconds = 3600  # no delivery pass lands inside the count
    ledger = Ledger()
    _listen(services, ledger)
    record_hops(monkeypatch, ledger.hops)
    async with services.db.transaction() as session:
        issued = await user_repo.create_token(session, user_name="alice")
    app = create_app(settings, migrate=False)
    app.state.services = services
    try:
        await services.start_workers()
        transport = httpx.ASGITransport(app=app)
        headers = {"Authorization": f"Bearer {issued.token}"}
        async with httpx.AsyncClient(
            transport=transport, base_url="http://easel.test", headers=headers, timeout=60
        ) as client:
            yield client, ledger
    finally:
        await services.aclose()


async def test_one_v1_generation_stays_within_its_statement_budget(
    gateway: tuple[httpx.AsyncClient, Ledger],
) -> None:
    client, ledger = gateway
    body = {"model": MODEL_ID, "prompt": "a red boat", "size": "256x256"}
    for prompt in ("warm-up", "counted"):  # the first call fills caches (catalog, users)
        ledger.clear()
        answer = await client.post("/v1/images/generations", json={**body, "prompt": prompt})
        assert answer.status_code == 200, answer.text
    item = answer.json()["data"][0]
    assert item["b64_json"] and item["url"].startswith("http://easel.test/api/v1/images/")
    counted = "\n".join(ledger.statements)
    assert ledger.transactions.count("write") == WRITE_TRANSACTIONS, counted
    assert ledger.transactions.count("read") == READ_TRANSACTIONS, counted
    assert len(ledger.statements) == STATEMENTS, counted
    assert len(ledger.hops) == THREAD_HOPS, names(ledger.hops)
    # The image is stored with its thumbnail and the job is in the history.
    image = await client.get(item["url"])
    assert image.status_code == 200 and image.content[:8] == b"\x89PNG\r\n\x1a\n"
    thumbnail = await client.get(item["url"] + "/thumbnail")
    assert thumbnail.status_code == 200 and thumbnail.content[8:12] == b"WEBP"
    jobs = (await client.get("/api/v1/jobs")).json()
    assert jobs["items"][0]["status"] == "succeeded"
