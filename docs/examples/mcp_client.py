"""Call Easel's MCP tools with the MCP Python SDK, over streamable HTTP.

    EASEL_URL=http://127.0.0.1:8000 EASEL_TOKEN=esl_… python mcp_client.py "a red kite"

Or over stdio, starting ``easel mcp`` on a data dir (as Claude Desktop would):

    EASEL_TOKEN=esl_… python mcp_client.py --stdio "a red kite"
"""

from __future__ import annotations

import asyncio
import os
import sys

import httpx2
from mcp import Client, StdioServerParameters
from mcp.client.streamable_http import streamable_http_client
from mcp_types import ImageContent


async def show_progress(progress: float, total: float | None, message: str | None) -> None:
    print(f"progress {progress:.0f}/{total or 100:.0f} {message or ''}")


async def run(client: Client, prompt: str) -> None:
    models = await client.call_tool("list_models", {"available_only": True})
    assert models.structured_content is not None
    print("models:", ", ".join(m["id"] for m in models.structured_content["models"]))
    result = await client.call_tool(
        "generate_image",
        {"prompt": prompt, "models": ["offline/procedural"], "size": "256x256"},
        progress_callback=show_progress,
    )
    images = [block for block in result.content if isinstance(block, ImageContent)]
    assert result.structured_content is not None
    print(f"job {result.structured_content['id']}: {len(images)} image(s)")
    for variant in result.structured_content["variants"]:
        print("url:", variant["image"]["url"])


async def main() -> None:
    args = [a for a in sys.argv[1:] if a != "--stdio"]
    prompt = args[0] if args else "a lighthouse on a stormy sea"
    token = os.environ["EASEL_TOKEN"]
    if "--stdio" in sys.argv:
        server = StdioServerParameters(
            command=sys.executable,
            args=["-m", "easel", "mcp"],
            env={"EASEL_TOKEN": token, "EASEL_DATA_DIR": os.environ.get("EASEL_DATA_DIR", "")},
        )
        async with Client(server) as client:
            await run(client, prompt)
        return
    headers = {"Authorization": f"Bearer {token}"}
    async with (
        httpx2.AsyncClient(headers=headers, timeout=300) as http,
        Client(
            streamable_http_client(f"{os.environ['EASEL_URL']}/mcp", http_client=http)
        ) as client,
    ):
        await run(client, prompt)


if __name__ == "__main__":
    asyncio.run(main())
