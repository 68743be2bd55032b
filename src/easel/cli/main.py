"""`easel`: serve the studio, generate from the terminal, manage tokens and the database."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from easel.config import Settings

app = typer.Typer(no_args_is_help=True, help="Easel: a self-hosted image generation studio.")
token_app = typer.Typer(no_args_is_help=True, help="API tokens.")
db_app = typer.Typer(no_args_is_help=True, help="The database.")
app.add_typer(token_app, name="token")
app.add_typer(db_app, name="db")

console = Console()
err = Console(stderr=True)

DataDir = Annotated[
    Path | None, typer.Option("--data-dir", help="Where Easel keeps its data (EASEL_DATA_DIR).")
]


def load_settings(data_dir: Path | None = None) -> Settings:
    return Settings(data_dir=data_dir) if data_dir else Settings()


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
    data_dir: DataDir = None,
) -> None:
    """Run the studio: HTTP API, dashboard and in-process workers."""
    import uvicorn

    from easel.api.app import create_app

    settings = load_settings(data_dir)
    uvicorn.run(
        create_app(settings),
        host=host or settings.host,
        port=port if port is not None else settings.port,
        log_level="info",
    )


@db_app.command("upgrade")
def db_upgrade(data_dir: DataDir = None) -> None:
    """Apply the database migrations."""
    from easel.db.migrate import upgrade

    settings = load_settings(data_dir)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    upgrade(settings.resolved_database_url)
    console.print("[green]Database is up to date.[/green]")


@token_app.command("create")
def token_create(
    user: Annotated[str, typer.Option("--user", help="User name; created if new.")] = "admin",
    label: Annotated[str, typer.Option(help="A note to recognise the token by.")] = "",
    data_dir: DataDir = None,
) -> None:
    """Create an API token and print it (it is shown only once)."""
    from easel.db.engine import Database
    from easel.db.migrate import upgrade
    from easel.db.repos import users as user_repo

    settings = load_settings(data_dir)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    upgrade(settings.resolved_database_url)

    async def create() -> str:
        db = Database(settings.resolved_database_url)
        try:
            async with db.transaction() as session:
                issued = await user_repo.create_token(session, user_name=user, label=label)
            return issued.token
        finally:
            await db.dispose()

    token = asyncio.run(create())
    err.print(f"Token for user [bold]{user}[/bold] (shown once):")
    print(token)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
