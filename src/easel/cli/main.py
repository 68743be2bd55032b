"""`easel`: serve the studio, generate from the terminal, manage tokens and the database."""

from __future__ import annotations

import asyncio
import copy
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from easel.cli import generate as generate_command
from easel.cli import jobs as job_commands
from easel.cli import operations as operation_commands
from easel.cli.common import (
    AsJson,
    DataDir,
    Server,
    Token,
    User,
    console,
    err,
    in_database,
    load_settings,
    open_backend,
    print_json,
    run,
)
from easel.cli.tokens import token_app

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from easel.config import Settings

app = typer.Typer(no_args_is_help=True, help="Easel: a self-hosted image generation studio.")
db_app = typer.Typer(no_args_is_help=True, help="The database.")
app.add_typer(db_app, name="db")
app.add_typer(token_app, name="token")
app.command("generate")(generate_command.generate)
app.command("jobs")(job_commands.jobs)
app.command("edit")(operation_commands.edit)
app.command("upscale")(operation_commands.upscale)
app.command("remove-bg")(operation_commands.remove_bg)
app.command("show")(job_commands.show)
app.command("cancel")(job_commands.cancel)
app.command("download")(job_commands.download)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
    data_dir: DataDir = None,
) -> None:
    """Run the studio: HTTP API, dashboard and in-process workers (none with
    EASEL_EMBEDDED_WORKERS=false: then `easel worker` processes do the work)."""
    import uvicorn

    from easel.api.app import create_app
    from easel.ops.heap import freeze_startup_heap

    settings = load_settings(data_dir)
    host, port = host or settings.host, port if port is not None else settings.port
    token = _first_run_token(settings)
    if token:
        err.print(first_run_message(token, f"http://{host}:{port}"), soft_wrap=True)
    uvicorn.run(
        # What is alive once the services are up lives as long as the process.
        create_app(settings, on_started=freeze_startup_heap),
        host=host,
        port=port,
        log_level="info",
        log_config=_log_config(),
    )


def first_run_message(token: str, url: str) -> str:
    """What a new studio says once: the admin's token and what to do with it, in lines
    short enough for an 80-column terminal (never re-wrapped mid-sentence)."""
    return (
        "[bold]First start:[/bold] created the user admin, the studio's administrator.\n"
        "Its API token, shown only this once:\n"
        f"\n    {token}\n\n"
        f"Sign in with it at {url}\n"
        "or set it as EASEL_TOKEN for the CLI and the API.\n"
        "`easel token create` makes more tokens.\n"
    )


@app.command()
def worker(data_dir: DataDir = None) -> None:
    """Run variant workers only (no HTTP): scale out beside `easel serve` processes that
    run with EASEL_EMBEDDED_WORKERS=false, sharing EASEL_REDIS_URL and the database."""
    from easel.cli.worker import worker_command

    worker_command(data_dir, _log_config())


def _log_config() -> dict[str, Any]:
    """uvicorn's logging, with Easel's own loggers at INFO on the same handler."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["loggers"]["easel"] = {"handlers": ["default"], "level": "INFO", "propagate": False}
    return config


def _first_run_token(settings: Settings) -> str | None:
    """On a studio with no users yet, create `admin` and return a token for it."""
    from sqlalchemy.exc import IntegrityError

    from easel.db.repos import users as user_repo

    async def create(session: AsyncSession) -> str | None:
        if await user_repo.any_user(session):
            return None
        return (await user_repo.create_token(session, user_name="admin")).token

    try:
        return in_database(settings, create)
    except IntegrityError:
        # Another server started on the same new database at the same moment and made
        # `admin` first; its log has the token.
        return None


@db_app.command("upgrade")
def db_upgrade(data_dir: DataDir = None) -> None:
    """Apply the database migrations."""
    from easel.db.migrate import ensure_current

    settings = load_settings(data_dir)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    before, after = asyncio.run(ensure_current(settings.resolved_database_url))
    if before is None:
        console.print(f"Created the database (schema {after}).")
    elif before == after:
        console.print(f"The database is up to date (schema {after}).")
    else:
        console.print(f"Upgraded the database from schema {before} to {after}.")


@app.command()
def share(
    target: Annotated[str, typer.Argument(help="A job id, or an image's sha256.")],
    expires: Annotated[
        int | None,
        typer.Option("--expires", min=1, help="Seconds until the link stops working."),
    ] = None,
    server: Server = None,
    token: Token = None,
    data_dir: DataDir = None,
    user: User = "admin",
) -> None:
    """Print a link that shows a job's page, or an image, to anyone, without a token.
    List and revoke links on the dashboard's Settings page."""
    from rich.markup import escape

    from easel.cli.share import make_link

    async def go() -> dict[str, Any]:
        async with open_backend(server, token, data_dir, user) as backend:
            return await make_link(backend, target, expires)

    link = run(go())
    until = f"until {link['expires_at']}" if link["expires_at"] else "until revoked"
    console.print(link["url"], soft_wrap=True)
    err.print(f"Shows {link['kind']} {escape(link['target_id'])} to anyone with the link, {until}.")


models_app = typer.Typer(
    invoke_without_command=True, help="The model catalog, and checking it against vendors."
)
app.add_typer(models_app, name="models")


@models_app.callback()
def models(
    ctx: typer.Context,
    as_json: AsJson = False,
    server: Server = None,
    token: Token = None,
    data_dir: DataDir = None,
    user: User = "admin",
) -> None:
    """List the models on offer: price, status (with shutdown dates), availability."""
    if ctx.invoked_subcommand is not None:
        return
    from easel.cli.models import print_models

    async def go() -> list[dict[str, Any]]:
        async with open_backend(server, token, data_dir, user) as backend:
            return await backend.models()

    entries = run(go())
    if as_json:
        print_json(entries)
    else:
        print_models(entries, console)


@models_app.command("check")
def models_check(
    as_json: AsJson = False,
    server: Server = None,
    token: Token = None,
    data_dir: DataDir = None,
    user: User = "admin",
) -> None:
    """Ask each configured vendor what it serves now: models it no longer serves, models
    about to shut down, and image models Easel lacks. Exits 2 when a vendor drifted."""
    from easel.cli.models import drifted, print_check

    async def go() -> dict[str, Any]:
        async with open_backend(server, token, data_dir, user) as backend:
            return await backend.check_models()

    report = run(go())
    if as_json:
        print_json(report)
    else:
        print_check(report, console)
    if drifted(report):
        raise typer.Exit(2)


Assistant = Annotated[
    str | None,
    typer.Option("--model", "-m", help="Assistant model id (easel assist models); default: yours."),
]


def _assist(
    kind: str, body: dict[str, Any], images: list[str], backend_args: tuple[Any, ...]
) -> None:
    from easel.cli.assist import print_stream

    # Local files are read here; sha256s and image URLs go as they are.
    refs: list[str | bytes] = [Path(r).read_bytes() if Path(r).is_file() else r for r in images]

    async def go() -> bool:
        async with open_backend(*backend_args) as backend:
            if refs:
                body["images"] = [await backend.own_image(ref) for ref in refs]
            return await print_stream(backend.assist(kind, body), err)

    if not run(go()):
        raise typer.Exit(1)


@app.command()
def describe(
    images: Annotated[list[str], typer.Argument(help="Image files, sha256s or Easel image URLs.")],
    question: Annotated[str | None, typer.Option(help="Something to ask about them.")] = None,
    model: Assistant = None,
    server: Server = None,
    token: Token = None,
    data_dir: DataDir = None,
    user: User = "admin",
) -> None:
    """Describe images and end with a prompt that reproduces them, printed as it streams.
    Local files are uploaded (with --server) or stored in the data dir first."""
    body: dict[str, Any] = {"question": question, "model": model}
    _assist("describe", body, images, (server, token, data_dir, user))


@app.command()
def suggest(
    idea: Annotated[str, typer.Argument(help="The idea or prompt to improve.")],
    for_model: Annotated[
        list[str] | None, typer.Option("--for", help="An image model the prompts are for.")
    ] = None,
    count: Annotated[int, typer.Option("-n", help="How many prompts.")] = 3,
    style: Annotated[str | None, typer.Option(help="A style to aim for.")] = None,
    model: Assistant = None,
    server: Server = None,
    token: Token = None,
    data_dir: DataDir = None,
    user: User = "admin",
) -> None:
    """Improve an idea into prompts for the chosen image models, printed as it streams."""
    body = {"idea": idea, "models": for_model or [], "count": count, "style": style, "model": model}
    _assist("prompt", body, [], (server, token, data_dir, user))


@app.command()
def mcp(token: Token = None, data_dir: DataDir = None) -> None:
    """Serve Easel's MCP tools over stdio (for Claude Desktop, Cursor…), as the token's user."""
    from easel.mcp.stdio import StdioSetupError, serve_stdio

    try:
        asyncio.run(serve_stdio(load_settings(data_dir), token))
    except StdioSetupError as exc:
        err.print(f"[red]Error:[/red] {exc}")
        raise typer.Exit(1) from None


def main() -> None:
    app()


if __name__ == "__main__":
    main()
