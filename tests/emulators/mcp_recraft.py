"""An MCP bridge to Recraft, built with the official ``mcp`` SDK (``MCPServer``).

It exposes ``recraft_generate_image`` over streamable HTTP at ``/mcp`` on loopback, as
the bridge the old studio called. ``mode`` picks how the image comes back: inline image
content (base64), a URL in a text block, an embedded resource, or a resource link. A
Bearer key is required (change ``api_key`` to act out a revoked key). Faults on the
"create" stage: ``moderation`` answers ``isError`` with the refusal text and
``server_error`` makes the tool raise; the base class's other faults do not apply.
"""

from __future__ import annotations

import base64
from collections.abc import Awaitable, Callable
from typing import Literal

from fastapi import Request
from fastapi.responses import JSONResponse, Response
from mcp.server.mcpserver import MCPServer
from mcp.types import (
    CallToolResult,
    EmbeddedResource,
    ImageContent,
    ResourceLink,
    TextContent,
    TextResourceContents,
)

from emulators._base import Emulator, png_bytes

Mode = Literal["image", "text_url", "resource", "link"]
TOOL = "recraft_generate_image"
SIZES = ("1024x1024", "1365x1024", "1024x1365", "1536x1024", "1024x1536")


class RecraftMCP(Emulator):
    name = "mcp-recraft"

    def __init__(self, *, api_key: str = "test-key", mode: Mode = "image") -> None:
        self.mode: Mode = mode
        self.calls: list[dict[str, object]] = []
        super().__init__(api_key=api_key)

    @property
    def mcp_url(self) -> str:
        return f"{self.base_url}/mcp"

    def easel_env(self) -> dict[str, str]:
        """How an Easel server exposes this bridge's tool as the model ``mcp/{TOOL}``."""
        prefix = "EASEL_PROVIDERS__MCP__"
        return {
            f"{prefix}BASE_URL": self.mcp_url,
            f"{prefix}API_KEY": self.api_key,
            f"{prefix}OPTIONS__TOOLS": TOOL,
            f"{prefix}OPTIONS__SIZE_ARG": "size",
            f"{prefix}OPTIONS__SIZES": ",".join(SIZES),
            f"{prefix}OPTIONS__ARGUMENTS": '{"style": "digital_illustration"}',
            f"{prefix}OPTIONS__PRICE_USD": "0.04",
            f"{prefix}OPTIONS__PRICE_SOURCE": "Recraft V3 raster, recraft.ai API pricing [DOC]",
        }

    def routes(self) -> None:
        server = MCPServer("recraft-bridge")
        server.add_tool(self._generate, name=TOOL, description="Generate an image with Recraft.")
        mcp_app = server.streamable_http_app(streamable_http_path="/mcp")
        # The session manager runs inside the MCP app's lifespan; make it this app's.
        self.app.router.lifespan_context = mcp_app.router.lifespan_context
        self.app.middleware("http")(self._require_key)
        self.app.mount("/", mcp_app)

    async def _require_key(
        self, request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        expected = f"Bearer {self.api_key}"
        if request.url.path.startswith("/mcp") and request.headers.get("authorization") != expected:
            return JSONResponse({"error": "invalid_token"}, status_code=401)
        return await call_next(request)

    async def _generate(
        self, prompt: str, size: str = "1024x1024", style: str = "any"
    ) -> CallToolResult:
        self.calls.append({"prompt": prompt, "size": size, "style": style})
        fault = self.take_fault("create")
        if fault is not None and fault.kind == "moderation":
            text = "Recraft refused the prompt: it violates the content policy."
            return CallToolResult(content=[TextContent(text=text)], is_error=True)
        if fault is not None and fault.kind == "server_error":
            raise RuntimeError("Recraft upstream answered 500")
        self.count_creation(TOOL)
        width, height = (int(side) // 16 for side in size.split("x"))
        data = png_bytes(width, height, seed=len(self.calls))
        return CallToolResult(content=self._content(data))

    def _content(
        self, data: bytes
    ) -> list[ImageContent | TextContent | EmbeddedResource | ResourceLink]:
        if self.mode == "image":
            return [ImageContent(data=base64.b64encode(data).decode(), mime_type="image/png")]
        url = self.publish_file(data, "image/png")
        if self.mode == "text_url":
            return [TextContent(text=f"Here is your image: {url}")]
        if self.mode == "resource":
            resource = TextResourceContents(uri=url, text=url, mime_type="text/uri-list")
            return [EmbeddedResource(resource=resource)]
        return [ResourceLink(uri=url, name="image.png", mime_type="image/png")]
