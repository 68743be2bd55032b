"""What every `easel` command shares: the consoles, the options that pick where work runs
(--server, --token, --data-dir, --user), the settings, running a command's coroutine
with errors as one-line messages, and one transaction on the data dir's own database.

Imports stay light here (typer, rich, settings): `easel --help` loads only this.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Awaitable, Callable, Coroutine
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from easel.cli.backends import Backend
    from easel.config import Settings

T = TypeVar("T")

console = Console()
err = Console(stderr=True, highlight=False)  # messages read as written, no colour guessing

DataDir = Annotated[
    Path | None, typer.Option("--data-dir", help="Where Easel keeps its data (EASEL_DATA_DIR).")
]
Server = Annotated[
    str | None,
    typer.Option("--server", envvar="EASEL_SERVER", help="A running Easel server's URL."),
]
Token = Annotated[
    str | None, typer.Option("--token", envvar="EASEL_TOKEN", help="API token for --server.")
]
User = Annotated[
    str,
    typer.Option(
        "--user",
        envvar="EASEL_USER",
        help="Whose history runs without --server go to (with --server: the token's user).",
    ),
]
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON (the API's shapes).")]


class BackendError(Exception):
    """A failure the CLI shows as a message, not a traceback."""


def load_settings(data_dir: Path | None = None) -> Settings:
    from easel.config import Settings

    return Settings(data_dir=data_dir) if data_dir else Settings()


def fail(message: str, code: int = 1) -> NoReturn:
    """End the command with a one-line error on stderr."""
    err.print(f"[red]Error:[/red] {escape(message)}", soft_wrap=True)
    raise typer.Exit(code)


def print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, indent=2) + "\n")


def open_backend(
    server: str | None, token: str | None, data_dir: Path | None, user: str
) -> AbstractAsyncContextManager[Backend]:
    """A running server's API with --server, else the studio embedded on the data dir."""
    from easel.cli import backends

    if server:
        return backends.remote(server, token)
    return backends.embedded(load_settings(data_dir), user)


def run(coro: Coroutine[Any, Any, T]) -> T:
    """Run a command's coroutine; a refused request ends it with the reason, Ctrl-C
    outside `easel generate`'s own handling with exit status 130."""
    try:
        return asyncio.run(coro)
    except BackendError as exc:
        fail(str(exc))
    except KeyboardInterrupt:
        err.print("Interrupted.")
        raise typer.Exit(130) from None


def in_database(settings: Settings, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run ``work`` in one transaction on the database, migrated first."""
    from easel.db.engine import Database
    from easel.db.migrate import ensure_current

    settings.data_dir.mkdir(parents=True, exist_ok=True)

    async def work_on_database() -> T:
        await ensure_current(settings.resolved_database_url)
        db = Database(settings.resolved_database_url)
        try:
            async with db.transaction() as session:
                return await work(session)
        finally:
            await db.dispose()

    return asyncio.run(work_on_database())
