"""The MCP server as streamable HTTP at ``/mcp`` inside the FastAPI app.

Requests carry the same bearer tokens as the REST API. The SDK's auth middleware checks
them through `EaselTokenVerifier`, answers 401 without a valid one, and binds each MCP
session to the token's user, so a session id cannot be reused by another user.

The SDK's session manager must run while the app serves: `MCPEndpoint.running()` is
entered inside the FastAPI lifespan (a mounted app's own lifespan would never run).
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager

from mcp.server.auth.provider import AccessToken
from mcp.server.transport_security import TransportSecuritySettings
from starlette.routing import Route

from easel.db.repos import users as user_repo
from easel.mcp.server import ServicesGetter, build_server

MCP_PATH = "/mcp"


class EaselTokenVerifier:
    """Easel API tokens as MCP bearer tokens; the user id becomes the subject."""

    def __init__(self, services: ServicesGetter) -> None:
        self.services = services

    async def verify_token(self, token: str) -> AccessToken | None:
        async with self.services().db.session() as session:
            user = await user_repo.user_for_token(session, token=token)
        if user is None:
            return None
        return AccessToken(token=token, client_id=user.id, subject=user.id, scopes=[])


class MCPEndpoint:
    def __init__(self, services: ServicesGetter, *, public_url: str = "") -> None:
        self.server = build_server(
            services,
            token_verifier=EaselTokenVerifier(services),
            issuer_url=public_url or "http://127.0.0.1",
        )
        # DNS-rebinding protection checks Host/Origin so a web page cannot reach a local
        # server; every request here needs a bearer token a page does not have, and the
        # server may sit behind any host name, so the check is off.
        self.app = self.server.streamable_http_app(
            streamable_http_path=MCP_PATH,
            transport_security=TransportSecuritySettings(enable_dns_rebinding_protection=False),
        )

    def route(self) -> Route:
        return Route(MCP_PATH, endpoint=self.app)

    def running(self) -> AbstractAsyncContextManager[None]:
        return self.server.session_manager.run()
