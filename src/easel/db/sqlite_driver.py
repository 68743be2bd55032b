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

Transactions hop less too. ``BEGIN`` is not a hop of its own: the engine marks it
pending (`mark_begin`) and it runs on the thread just before the transaction's first
statement, so a transaction that runs none costs nothing. Ending a transaction that
never began, or was ended already (the pool's reset after a commit), is skipped.

A connection made with ``checkpoint_due`` (the write engine's one connection) runs its
write transactions on the event loop's thread once they hold SQLite's write lock:
``BEGIN IMMEDIATE`` is tried at once without waiting, and only when another process
holds the lock does it go to the thread to wait there (``busy_timeout``). With the lock
held, a statement never waits for another connection, and the variant path's
statements are small, so running them where they are issued costs a few microseconds
where a hop costs a hundred. ``COMMIT`` runs there too: in WAL mode with
``synchronous=NORMAL`` it appends to the log without an fsync. The one step that does
write and fsync the database file, the checkpoint, SQLite would run inside whichever
commit crossed its threshold, and its caller would wait for it. This connection turns
that off and, every `CHECKPOINT_EVERY` commits, calls ``checkpoint_due``, which has the
checkpoint run on this same connection once the transaction has handed it back
(`easel.db.engine`): the caller that committed does not wait, a write that arrives
meanwhile waits for the connection as for any other write, and the log stays as short
as SQLite's own default of about 1,000 pages would keep it. Not on another connection
in the background: a checkpoint racing a busy writer never finds the log fully copied
when the next write begins, so the log is never started over and grows without bound.
"""

from __future__ import annotations

import collections
import sqlite3
from collections.abc import Callable, Sequence
from typing import Any, cast

import aiosqlite
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
)
from sqlalchemy.util import EMPTY_DICT, await_

_Outcome = tuple[Any, int, int | None, list[Any] | None]
"""description, rowcount, lastrowid, rows (None when the statement returns none)."""


BUSY_TIMEOUT_MS = 60_000
"""How long a connection waits for another process's write lock (SQLite's busy_timeout)."""
CHECKPOINT_EVERY = 100
"""Commits between checkpoints of a connection that writes inline."""


def _execute(raw: sqlite3.Connection, statement: str) -> None:
    """Run a statement to its end; a PRAGMA's open cursor would block the commit."""
    raw.execute(statement).close()


def _run(
    raw: sqlite3.Connection,
    operation: str,
    parameters: Any,
    many: bool,
    begin: str | None = None,
) -> _Outcome:
    if begin is not None:
        _execute(raw, begin)
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
        adapted = cast(_Connection, self._adapt_connection)
        connection = cast(aiosqlite.Connection, self._connection)
        raw = connection._conn
        async with adapted._execute_mutex:
            begin = adapted.take_begin()
            if adapted.inline_writes and begin is not None and _began_at_once(raw, begin):
                begin = None
            outcome: _Outcome
            if adapted.inline_writes and begin is None and raw.in_transaction:
                outcome = _run(raw, operation, parameters, many)
            else:
                outcome = await connection._execute(  # type: ignore[no-untyped-call]
                    _run, raw, operation, parameters, many, begin
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


def _began_at_once(raw: sqlite3.Connection, begin: str) -> bool:
    """Run ``begin`` here if SQLite grants its lock without waiting; False when another
    connection holds it (the caller then waits on the connection's thread)."""
    _execute(raw, "PRAGMA busy_timeout=0")
    try:
        _execute(raw, begin)
    except sqlite3.OperationalError as error:
        if error.sqlite_errorcode & 0xFF != sqlite3.SQLITE_BUSY:  # any SQLITE_BUSY_*
            raise
        return False
    finally:
        _execute(raw, f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    return True


CheckpointDue = Callable[[], None]
"""Called by an inline writer every `CHECKPOINT_EVERY` commits; it must not wait."""


class _Connection(AsyncAdapt_aiosqlite_connection):
    __slots__ = ("_begin", "_checkpoint_due", "_commits")
    _cursor_cls = OneHopCursor

    def __init__(
        self, dbapi: Any, connection: Any, *, checkpoint_due: CheckpointDue | None
    ) -> None:
        super().__init__(dbapi, connection)
        self._begin: str | None = None
        self._commits = 0
        self._checkpoint_due = checkpoint_due
        if self.inline_writes:
            self._on_thread("PRAGMA wal_autocheckpoint=0")

    @property
    def inline_writes(self) -> bool:
        """Write transactions run on the event loop: the writer, whose checkpoints are
        someone else's to run."""
        return self._checkpoint_due is not None

    def _on_thread(self, statement: str) -> None:
        connection = cast(aiosqlite.Connection, self._connection)
        try:
            await_(connection._execute(_execute, connection._conn, statement))  # type: ignore[no-untyped-call]
        except Exception as error:
            self._handle_exception(error)

    def mark_begin(self, statement: str) -> None:
        """Begin with ``statement`` right before the next statement runs."""
        self._begin = statement

    def take_begin(self) -> str | None:
        begin, self._begin = self._begin, None
        return begin

    def _raw(self) -> sqlite3.Connection | None:
        """The sqlite3 connection, None once closed."""
        return cast(aiosqlite.Connection, self._connection)._connection

    def commit(self) -> None:
        raw = self._raw()
        if self.take_begin() is not None or raw is None or not raw.in_transaction:
            return
        if self._checkpoint_due is None:
            super().commit()
            return
        try:
            raw.commit()
        except sqlite3.Error as error:
            self._handle_exception(error)
        self._commits += 1
        if self._commits >= CHECKPOINT_EVERY:
            self._commits = 0
            self._checkpoint_due()

    def checkpoint(self) -> None:
        """Checkpoint the log on this connection's thread, outside any transaction."""
        self._on_thread("PRAGMA wal_checkpoint(PASSIVE)")

    def rollback(self) -> None:
        # Ending a transaction in write-ahead-log mode does no I/O: no hop needed.
        raw = self._raw()
        if self.take_begin() is None and raw is not None and raw.in_transaction:
            try:
                raw.rollback()
            except sqlite3.Error as error:
                self._handle_exception(error)


class OneHopDBAPI(AsyncAdapt_aiosqlite_dbapi):
    """Pass as ``module=`` to `create_async_engine` with a ``sqlite+aiosqlite`` URL."""

    def __init__(self, *, checkpoint_due: CheckpointDue | None = None) -> None:
        """With ``checkpoint_due``, connections run their write transactions inline and
        leave checkpoints to it (see the module)."""
        super().__init__(aiosqlite, sqlite3)
        self.checkpoint_due = checkpoint_due

    def connect(self, *args: Any, **kwargs: Any) -> AsyncAdapt_aiosqlite_connection:
        adapted = super().connect(*args, **kwargs)
        return _Connection(self, adapted._connection, checkpoint_due=self.checkpoint_due)


def checkpoint(dbapi_connection: Any) -> None:
    """Checkpoint the log on a connection of this module's, outside any transaction."""
    if not isinstance(dbapi_connection, _Connection):
        raise TypeError("not a connection of easel.db.sqlite_driver")
    dbapi_connection.checkpoint()


def mark_begin(dbapi_connection: Any, statement: str) -> bool:
    """Defer ``statement`` (BEGIN…) to the connection's next statement; False when the
    connection is not one of this module's (the caller runs it itself)."""
    if isinstance(dbapi_connection, _Connection):
        dbapi_connection.mark_begin(statement)
        return True
    return False
