"""Counting the calls a test's SQLite connections send to their threads (thread hops),
at aiosqlite's one entry point to a connection's thread."""

from __future__ import annotations

from typing import Any

import aiosqlite
import pytest

Hop = tuple[aiosqlite.Connection, str]
"""The connection, and the name of the function sent to its thread."""


def record_hops(monkeypatch: pytest.MonkeyPatch, into: list[Hop]) -> None:
    """Append every hop to ``into`` for the rest of the test."""
    original = aiosqlite.Connection._execute

    async def counted(self: aiosqlite.Connection, fn: Any, *args: Any, **kwargs: Any) -> Any:
        into.append((self, getattr(fn, "__name__", repr(fn))))
        return await original(self, fn, *args, **kwargs)  # type: ignore[no-untyped-call]

    monkeypatch.setattr(aiosqlite.Connection, "_execute", counted)


def names(hops: list[Hop]) -> list[str]:
    return [name for _, name in hops]
