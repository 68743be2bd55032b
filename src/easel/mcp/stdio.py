"""``easel mcp``: the MCP server over stdio for a local MCP host (Claude Desktop, Cursor…).

It runs an embedded studio on the data dir (the same database and images as ``easel
serve``, with its own workers), as the user of ``EASEL_TOKEN``. Embedded rather than a
proxy to a server: one process for the host to start, no server to keep running, and
the same tool code as over HTTP. Hosts that speak streamable HTTP can use a running
server's ``/mcp`` instead. Stdout is the protocol channel, so logs go to stderr.
"""

from __future__ import annotations

import asyncio
import logging
import sys

from easel.config import Settings
from easel.db.migrate import upgrade
from easel.db.repos import users as user_repo
from easel.mcp.server import build_server
from easel.services import running_services


class StdioSetupError(Exception):
    """The server cannot start; the message says what to fix."""


async def serve_stdio(settings: Settings, token: str | None) -> None:
    logging.basicConfig(stream=sys.stderr, level=logging.WARNING)
    if not token:
        raise StdioSetupError(
            "Set EASEL_TOKEN (or --token) to an API token; create one with `easel token create`."
        )
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    await asyncio.to_thread(upgrade, settings.resolved_database_url)
    async with running_services(settings) as services:
        async with services.db.session() as session:
            user = await user_repo.user_for_token(session, token=token)
        if user is None:
            raise StdioSetupError(f"The token is not valid for the data dir {settings.data_dir}.")
        server = build_server(lambda: services, default_user=user.id)
        await server.run_stdio_async()
