"""The MCP SDK's own client calls the assist tools over streamable HTTP: the streamed text
arrives as progress notifications and the whole text is the result; images go by base64,
sha256 or Easel URL, and only the caller's own."""

from __future__ import annotations

import base64
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from mcp import Client
from mcp_types import CallToolResult, TextContent
from PIL import Image

from .conftest import Easel, running_easel
from .test_mcp import http_client


@pytest.fixture(scope="module")
def easel(data_dir: Path) -> Iterator[Easel]:
    with running_easel(data_dir) as running:
        yield running


def _png() -> bytes:
    out = io.BytesIO()
    Image.radial_gradient("L").convert("RGB").resize((200, 100)).save(out, "PNG")
    return out.getvalue()


async def _call(client: Client, tool: str, arguments: dict[str, Any]) -> tuple[CallToolResult, str]:
    streamed: list[str] = []
    counts: list[float] = []

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        counts.append(progress)
        streamed.append(message or "")

    result = await client.call_tool(tool, arguments, progress_callback=on_progress)
    assert counts == sorted(counts) and len(set(counts)) == len(counts)
    return result, "".join(streamed)


def _text(result: CallToolResult) -> str:
    (block,) = result.content
    assert isinstance(block, TextContent)
    return block.text


async def test_describe_streams_progress_and_returns_the_text(easel: Easel) -> None:
    data = "data:image/png;base64," + base64.b64encode(_png()).decode()
    async with http_client(easel, easel.token) as client:
        result, streamed = await _call(client, "describe_image", {"images": [data]})
        assert not result.is_error, result.content
        assert _text(result) == streamed and "Palette:" in streamed
        done = result.structured_content or {}
        assert done["prompt"] and "2:1" in done["prompt"] and done["kind"] == "describe"
        run = easel.client().get(done["url"]).json()
        sha = run["params"]["images"][0]
        for ref in (sha, f"{easel.url}/api/v1/images/{sha}"):
            again, _ = await _call(client, "describe_image", {"images": [ref]})
            assert not again.is_error and _text(again) == _text(result)
    async with http_client(easel, easel.other_token) as other:
        stolen, _ = await _call(other, "describe_image", {"images": [sha]})
        assert stolen.is_error and "No image" in str(stolen.content)


async def test_suggest_streams_progress_and_returns_suggestions(easel: Easel) -> None:
    async with http_client(easel, easel.token) as client:
        result, streamed = await _call(
            client,
            "suggest_prompts",
            {"idea": "a lighthouse at night", "models": ["ideogram/ideogram-v3"], "count": 2},
        )
        bad, _ = await _call(client, "suggest_prompts", {"idea": "x", "count": 50})
    assert not result.is_error and _text(result) == streamed
    suggestions = (result.structured_content or {})["suggestions"]
    assert len(suggestions) == 2 and suggestions[0]["negative_prompt"]
    assert bad.is_error and "count" in str(bad.content)
