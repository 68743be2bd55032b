"""The assist MCP tools: ``describe_image`` and ``suggest_prompts``.

Each streams its answer as progress notifications, one per piece of text (the
notification's message is the new text; its progress counts the pieces so far), and
returns the whole text as the result, with the reproducing prompt or the suggestions as
structured content. Images are named by sha256, by the URL of an Easel image, or given
as base64 (stored as the caller's upload first).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp_types import CallToolResult, TextContent
from pydantic import ValidationError

from easel.assist.frames import DeltaFrame, DoneFrame, ErrorFrame
from easel.assist.inputs import image_sha
from easel.assist.service import AssistRun
from easel.assist.specs import DescribeSpec, SuggestSpec
from easel.errors import EaselError
from easel.services import Services

UserOf = Callable[[], str]
S = TypeVar("S", DescribeSpec, SuggestSpec)


async def _streamed(ctx: Context, run: AssistRun) -> CallToolResult:
    pieces = 0
    final: DoneFrame | ErrorFrame | None = None
    async for frame in run.frames():
        if isinstance(frame, DeltaFrame):
            pieces += 1
            await ctx.report_progress(pieces, None, frame.text)
        elif isinstance(frame, DoneFrame | ErrorFrame):
            final = frame
    if isinstance(final, DoneFrame):
        return CallToolResult(
            content=[TextContent(type="text", text=final.text)],
            structured_content=final.model_dump(mode="json"),
        )
    detail = f"{final.detail} {final.hint or ''}".strip() if final else "No answer."
    return CallToolResult(content=[TextContent(type="text", text=detail)], is_error=True)


def _checked(spec_type: type[S], **fields: object) -> S:
    try:
        return spec_type.model_validate({k: v for k, v in fields.items() if v is not None})
    except ValidationError as exc:
        first = exc.errors()[0]
        raise ToolError(f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}") from None


def register_assist(server: MCPServer, services: Callable[[], Services], user_of: UserOf) -> None:
    @server.tool()
    async def describe_image(
        images: list[str], ctx: Context, question: str | None = None, model: str | None = None
    ) -> CallToolResult:
        """Describe images (subject, composition, style, palette, lighting) and give a prompt
        that would reproduce them. images: sha256s, Easel image URLs, or base64 images.
        model: an assistant model (default: the studio's). Streams the text as progress."""
        studio, user_id = services(), user_of()
        try:
            shas = [await image_sha(studio, user_id, ref) for ref in images]
            spec = _checked(DescribeSpec, images=shas, question=question, model=model)
            run = await studio.assist.describe(user_id=user_id, spec=spec)
        except EaselError as exc:
            raise ToolError(str(exc)) from None
        return await _streamed(ctx, run)

    @server.tool()
    async def suggest_prompts(
        idea: str,
        ctx: Context,
        models: list[str] | None = None,
        count: int = 3,
        style: str | None = None,
        model: str | None = None,
    ) -> CallToolResult:
        """Improve an idea into `count` prompts tailored to the image `models` it is for
        (see list_models). Streams the text as progress; the suggestions come back as
        structured content."""
        studio, user_id = services(), user_of()
        spec = _checked(
            SuggestSpec, idea=idea, models=models, count=count, style=style, model=model
        )
        try:
            run = await studio.assist.suggest(user_id=user_id, spec=spec)
        except EaselError as exc:
            raise ToolError(str(exc)) from None
        return await _streamed(ctx, run)
