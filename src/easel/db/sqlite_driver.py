"""aiosqlite, one thread hop per statement.

aiosqlite runs each call on its connection's own thread, and SQLAlchemy's adapter makes
four such calls per statement (open a cursor, execute, fetch the rows, close the cursor).
Every hop wakes the other thread and hands the GIL back and forth, which on a busy
process costs more CPU than SQLite's own work. This cursor does the four in one function
on that thread and keeps what SQLAlchemy asks afterwards (description, rowcount,
lastrowid, the rows) in memory: the same statements, the same connection and thread,
the same transaction boundaries, a quarter of the hops.

It leans on two internals, pinned in constraints.txt and covered by every database
test: aiosqlite's ``Connection._execute`` (queue a function on the connection's thread)
and ``_conn`` (the sqlite3 connection), and the layout of SQLAlchemy's adapted cursor.
Server-side cursors are left as SQLAlchemy makes them.
"""

from __future__ import annotations

import collections
import sqlite3
from collections.abc import Sequence
from typing import Any, cast

import aiosqlite
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
)
from sqlalchemy.util import EMPTY_DICT

_Outcome = tuple[Any, int, int | None, list[Any] | None]
"""description, rowcount, lastrowid, rows (None when the statement returns none)."""


def _run(raw: sqlite3.Connection, operation: str, parameters: Any, many: bool) -> _Outcome:
    cursor = raw.cursor()
    try:
        if many:
            cursor.executemany(operation, parameters)
        else:
            cursor.execute(operation, () if parameters is None else parameters)
        rows = cursor.fetchall() if cursor.description else None
        return cursor.description, cursor.rowcount, cursor.lastrowid, rows
    finally:
        cursor.close()


class OneHopCursor(AsyncAdapt_aiosqlite_cursor):
    __slots__ = ("_description", "_lastrowid", "_rowcount")

    def __init__(self, adapt_connection: Any) -> None:  # no cursor made up front
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        self._cursor = None  # type: ignore[assignment]
        self._soft_closed_memoized = EMPTY_DICT
        self._rows = collections.deque()
        self._description: Any = None
        self._rowcount = -1
        self._lastrowid: int | None = None

    @property
    def description(self) -> Any:
        return self._description

    @property
    def rowcount(self) -> int:
        return self._rowcount

    @property
    def lastrowid(self) -> Any:
        return self._lastrowid

    @property
    def arraysize(self) -> int:
        return 1

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        return None

    async def _hop(self, operation: str, parameters: Any, many: bool) -> None:
        connection = cast(aiosqlite.Connection, self._connection)
        async with self._adapt_connection._execute_mutex:
            outcome: _Outcome = await connection._execute(  # type: ignore[no-untyped-call]
                _run, connection._conn, operation, parameters, many
            )
        self._description, self._rowcount, self._lastrowid, rows = outcome
        self._rows = collections.deque(rows or ())

    async def _execute_async(self, operation: Any, parameters: Any) -> None:
        await self._hop(operation, parameters, False)

    async def _executemany_async(self, operation: Any, seq_of_parameters: Sequence[Any]) -> None:
        await self._hop(operation, seq_of_parameters, True)

    async def _async_soft_close(self) -> None:
        return None  # the sqlite3 cursor is closed already; the rows stay readable

    def close(self) -> None:
        self._rows.clear()


class _Connection(AsyncAdapt_aiosqlite_connection):
    __slots__ = ()
    _cursor_cls = OneHopCursor


class OneHopDBAPI(AsyncAdapt_aiosqlite_dbapi):
    """Pass as ``module=`` to `create_async_engine` with a ``sqlite+aiosqlite`` URL."""

    def __init__(self) -> None:
        super().__init__(aiosqlite, sqlite3)

    def connect(self, *args: Any, **kwargs: Any) -> AsyncAdapt_aiosqlite_connection:
        connection = super().connect(*args, **kwargs)
        connection.__class__ = _Connection  # same slots: only the cursor class differs
        return connection
