"""MCP tools that work on an image: ``edit_image``, ``upscale_image``,
``remove_background``. Each waits for its job like ``generate_image`` and returns the
result the same way.

An image argument is read as the assistant tools read theirs (`easel.assist.inputs`): an
Easel image's sha256, an Easel image URL (``…/api/v1/images/<sha256>``), or the image
itself in base64 (plain, or a ``data:`` URL), stored as the caller's upload first. Other
URLs are refused: the server does not fetch from addresses a tool call names.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp_types import CallToolResult

from easel.assist.inputs import IMAGE_URL, image_sha
from easel.errors import UserInputError
from easel.services import Services

if TYPE_CHECKING:  # the server module registers these tools: no import cycle at run time
    from easel.mcp.server import EaselTools

IMAGE_HELP = (
    "an Easel image sha256, an Easel image URL (…/api/v1/images/<sha256>), or the image "
    "in base64 (a data: URL or plain base64)"
)


async def _sha(services: Services, user_id: str, value: str, what: str) -> str:
    """The sha256 a job names for ``value`` (stored as the caller's upload when it is the
    image itself); ownership is checked when the job is created, as for every caller."""
    if value.strip().startswith(("http://", "https://")) and not IMAGE_URL.search(value):
        raise ToolError(f"The {what} URL is not an Easel image URL; send {IMAGE_HELP}.")
    try:
        return await image_sha(services, user_id, value)
    except UserInputError as exc:
        raise ToolError(f"The {what} is not usable: {exc.message} Send {IMAGE_HELP}.") from None


class Operate:
    """Runs an operation as a waited-for job through the tools' `generate`."""

    def __init__(self, tools: EaselTools, user_id: Callable[[], str]) -> None:
        self.tools = tools
        self.user_id = user_id

    async def __call__(
        self, ctx: Context, fields: dict[str, Any], **images: str | None
    ) -> CallToolResult:
        services = self.tools.services()
        user_id = self.user_id()
        for name, value in images.items():
            if value is not None:
                fields[name] = await _sha(services, user_id, value, name.replace("_", " "))
        return await self.tools.generate(ctx, {k: v for k, v in fields.items() if v is not None})


def register_image_tools(server: MCPServer, operate: Operate) -> None:
    @server.tool()
    async def edit_image(
        image: str,
        prompt: str,
        ctx: Context,
        mask: str | None = None,
        models: list[str] | None = None,
        n: int = 1,
        seed: int | None = None,
    ) -> CallToolResult:
        """Change an image as the prompt says, and wait for the result.

        image: an Easel image sha256, an Easel image URL, or the image in base64.
        mask: the same kinds; white (or transparent) where the image may change. With a
        mask only that area is repainted (inpainting), the rest is kept.
        models: Easel model ids whose capabilities.operations include edit (or inpaint
        with a mask); left out, your defaults that can, else the cheapest that can.
        """
        fields = {
            "operation": "inpaint" if mask else "edit",
            "prompt": prompt,
            "models": models,
            "n": n,
            "seed": seed,
        }
        return await operate(ctx, fields, image=image, mask=mask)

    @server.tool()
    async def upscale_image(
        image: str,
        ctx: Context,
        factor: int = 2,
        models: list[str] | None = None,
        prompt: str | None = None,
    ) -> CallToolResult:
        """Enlarge an image 2 or 4 times on each side, and wait for the result.

        image: an Easel image sha256, an Easel image URL, or the image in base64.
        prompt: guidance for models that upscale creatively (the offline engine does not
        use it).
        """
        fields = {"operation": "upscale", "factor": factor, "models": models, "prompt": prompt}
        return await operate(ctx, fields, image=image)

    @server.tool()
    async def remove_background(
        image: str, ctx: Context, models: list[str] | None = None
    ) -> CallToolResult:
        """Cut the subject out onto a transparent background (a PNG), and wait for it.

        image: an Easel image sha256, an Easel image URL, or the image in base64.
        """
        fields = {"operation": "remove_background", "models": models}
        return await operate(ctx, fields, image=image)
