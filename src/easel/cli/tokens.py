"""`easel token create|list|revoke`: API tokens, straight in the data dir's database (for
the operator; a signed-in person manages their own at /api/v1/tokens or /settings)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from easel.cli.common import DataDir, console, err, in_database, load_settings

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

token_app = typer.Typer(no_args_is_help=True, help="API tokens.")


@token_app.command("create")
def token_create(
    user: Annotated[str, typer.Option("--user", help="User name; created if new.")] = "admin",
    label: Annotated[str, typer.Option(help="A note to recognise the token by.")] = "",
    admin: Annotated[bool, typer.Option(help="Make the user an admin.")] = False,
    data_dir: DataDir = None,
) -> None:
    """Create an API token and print it (it is shown only once). The studio's first user
    is its admin; --admin makes another one."""
    from easel.db.repos import users as user_repo

    async def create(session: AsyncSession) -> str:
        issued = await user_repo.create_token(session, user_name=user, label=label)
        if admin:
            issued.user.is_admin = True
        return issued.token

    token = in_database(load_settings(data_dir), create)
    err.print(f"Token for user [bold]{user}[/bold] (shown once):")
    print(token)


@token_app.command("list")
def token_list(
    user: Annotated[str | None, typer.Option("--user", help="Only this user's.")] = None,
    data_dir: DataDir = None,
) -> None:
    """List API tokens (their ids and first characters, never the tokens)."""
    from easel.db.repos import users as user_repo

    if TYPE_CHECKING:
        from easel.db.tables import ApiToken

    async def listed(session: AsyncSession) -> list[tuple[ApiToken, str]]:
        owner = await user_repo.user_named(session, name=user) if user is not None else None
        if user is not None and owner is None:
            return []
        found = await user_repo.list_tokens(session, user_id=owner.id if owner else None)
        return list(found)

    table = Table("id", "user", "label", "starts with", "created", "last sign-in")
    for token, owner in in_database(load_settings(data_dir), listed):
        table.add_row(
            token.id,
            escape(owner),
            escape(token.name),
            f"{token.prefix}…",
            f"{token.created_at:%Y-%m-%d %H:%M}",
            f"{token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else "never",
        )
    console.print(table)


@token_app.command("revoke")
def token_revoke(
    token_id: Annotated[str, typer.Argument(help="The token's id, from `easel token list`.")],
    data_dir: DataDir = None,
) -> None:
    """Revoke a token: it stops working at once, with every browser session it opened."""
    from easel.db.repos import users as user_repo

    async def revoke(session: AsyncSession) -> bool:
        return await user_repo.delete_token(session, token_id=token_id, user_id=None)

    if not in_database(load_settings(data_dir), revoke):
        err.print(f"[red]Error:[/red] no token {escape(token_id)}; see `easel token list`.")
        raise typer.Exit(1)
    console.print(f"Revoked token {escape(token_id)}.")
