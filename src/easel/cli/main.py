"""`easel`: serve the studio, generate from the terminal, manage tokens and the database."""

from __future__ import annotations

import asyncio
import copy
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape

from easel.cli.common import DataDir, console, err, in_database, load_settings
from easel.cli.tokens import token_app
from easel.config import Settings

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from easel.cli.backends import Backend

app = typer.Typer(no_args_is_help=True, help="Easel: a self-hosted image generation studio.")
db_app = typer.Typer(no_args_is_help=True, help="The database.")
app.add_typer(db_app, name="db")
app.add_typer(token_app, name="token")


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

    settings = load_settings(data_dir)
    token = _first_run_token(settings)
    if token:
        err.print(
            "[bold]First start:[/bold] created user [bold]admin[/bold]. Sign in or call the "
            f"API with this token (shown once):\n\n    {token}\n"
        )
    uvicorn.run(
        create_app(settings),
        host=host or settings.host,
        port=port if port is not None else settings.port,
        log_level="info",
        log_config=_log_config(),
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
    from easel.db.repos import users as user_repo

    async def create(session: AsyncSession) -> str | None:
        if await user_repo.any_user(session):
            return None
        return (await user_repo.create_token(session, user_name="admin")).token

    return in_database(settings, create)


@db_app.command("upgrade")
def db_upgrade(data_dir: DataDir = None) -> None:
    """Apply the database migrations."""
    from easel.db.migrate import upgrade

    settings = load_settings(data_dir)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    upgrade(settings.resolved_database_url)
    console.print("[green]Database is up to date.[/green]")


Server = Annotated[
    str | None,
    typer.Option("--server", envvar="EASEL_SERVER", help="A running Easel server's URL."),
]
Token = Annotated[
    str | None, typer.Option("--token", envvar="EASEL_TOKEN", help="API token for --server.")
]
User = Annotated[str, typer.Option("--user", help="Whose history embedded runs go to.")]


def _backend(
    server: str | None, token: str | None, data_dir: Path | None, user: str
) -> AbstractAsyncContextManager[Backend]:
    from easel.cli import backends

    if server:
        return backends.remote(server, token)
    return backends.embedded(load_settings(data_dir), user)


def _run(coro: Any) -> Any:
    from easel.cli.backends import BackendError

    try:
        return asyncio.run(coro)
    except BackendError as exc:
        err.print(f"[red]Error:[/red] {escape(str(exc))}")
        raise typer.Exit(1) from None


@app.command()
def generate(
    prompt: Annotated[str, typer.Argument(help="What to draw.")],
    model: Annotated[
        list[str] | None,
        typer.Option("--model", "-m", help="Model id; repeat for several. Default: yours."),
    ] = None,
    n: Annotated[int, typer.Option("-n", help="Variants per model.")] = 1,
    size: Annotated[str | None, typer.Option(help="WIDTHxHEIGHT, e.g. 1024x768.")] = None,
    aspect: Annotated[str | None, typer.Option(help="Aspect ratio, e.g. 16:9.")] = None,
    seed: Annotated[int | None, typer.Option(help="Seed for reproducible results.")] = None,
    negative: Annotated[str | None, typer.Option(help="What to keep out of the image.")] = None,
    style: Annotated[str | None, typer.Option(help="A style the model offers.")] = None,
    out: Annotated[Path, typer.Option("--out", help="Folder to save images in.")] = Path("."),
    server: Server = None,
    token: Token = None,
    data_dir: DataDir = None,
    user: User = "admin",
) -> None:
    """Generate images with a live progress bar per variant."""
    from easel.cli.generate import run_generation

    spec: dict[str, Any] = {"prompt": prompt, "models": model or [], "n": n}
    for key, value in (
        ("size", size),
        ("aspect_ratio", aspect),
        ("seed", seed),
        ("negative_prompt", negative),
        ("style", style),
    ):
        if value is not None:
            spec[key] = value

    async def go() -> tuple[dict[str, Any], list[Path]]:
        async with _backend(server, token, data_dir, user) as backend:
            return await run_generation(backend, spec, out, console)

    job, saved = _run(go())
    for path in saved:
        console.print(f"saved [bold]{path}[/bold]")
    failed = [v for v in job["variants"] if v["status"] != "succeeded"]
    console.print(f"job {job['id']}: {job['status']}, cost ${job['cost_usd']}")
    if failed:
        for variant in failed:
            message = (variant.get("error") or {}).get("message", variant["status"])
            label = f"{variant['model']} #{variant['position'] + 1}:"
            err.print(f"[red]{escape(label)}[/red] {escape(message)}")
        raise typer.Exit(1)


models_app = typer.Typer(
    invoke_without_command=True, help="The model catalog, and checking it against vendors."
)
app.add_typer(models_app, name="models")


@models_app.callback()
def models(
    ctx: typer.Context,
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
        async with _backend(server, token, data_dir, user) as backend:
            return await backend.models()

    print_models(_run(go()), console)


@models_app.command("check")
def models_check(
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    server: Server = None,
    token: Token = None,
    data_dir: DataDir = None,
    user: User = "admin",
) -> None:
    """Ask each configured vendor what it serves now: models it no longer serves, models
    about to shut down, and image models Easel lacks. Exits 2 when a vendor drifted."""
    import json

    from easel.cli.models import drifted, print_check

    async def go() -> dict[str, Any]:
        async with _backend(server, token, data_dir, user) as backend:
            return await backend.check_models()

    report = _run(go())
    if as_json:
        print(json.dumps(report, indent=1))
    else:
        print_check(report, console)
    if drifted(report):
        raise typer.Exit(2)


@app.command()
def jobs(
    limit: Annotated[int, typer.Option(help="How many recent jobs.")] = 20,
    server: Server = None,
    token: Token = None,
    data_dir: DataDir = None,
    user: User = "admin",
) -> None:
    """Recent history, newest first."""
    from rich.table import Table

    async def go() -> list[dict[str, Any]]:
        async with _backend(server, token, data_dir, user) as backend:
            return await backend.jobs(limit)

    table = Table("job", "created", "status", "models", "images", "cost", "prompt")
    for job in _run(go()):
        done = sum(1 for v in job["variants"] if v["status"] == "succeeded")
        table.add_row(
            job["id"],
            job["created_at"][:19].replace("T", " "),
            job["status"],
            ", ".join(sorted({v["model"] for v in job["variants"]})),
            f"{done}/{len(job['variants'])}",
            f"${job['cost_usd']}",
            job["prompt"][:60],
        )
    console.print(table)


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
        async with _backend(*backend_args) as backend:
            if refs:
                body["images"] = [await backend.own_image(ref) for ref in refs]
            return await print_stream(backend.assist(kind, body), err)

    if not _run(go()):
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
