"""The MCP SDK's own client against Easel over streamable HTTP (a running server) and
over stdio (``python -m easel mcp`` on the same data dir)."""

from __future__ import annotations

import asyncio
import base64
import io
import sys
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import httpx2
import pytest
from mcp import Client, StdioServerParameters
from mcp.client.streamable_http import streamable_http_client
from mcp_types import BlobResourceContents, CallToolResult, ImageContent, ResourceLink
from PIL import Image

from support.client import MODEL

from .conftest import Easel, running_easel


@pytest.fixture(scope="module")
def easel(data_dir: Path) -> Iterator[Easel]:
    with running_easel(data_dir) as running:
        yield running


@asynccontextmanager
async def http_client(easel: Easel, token: str | None) -> AsyncIterator[Client]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with (
        httpx2.AsyncClient(headers=headers, timeout=60) as http,
        Client(streamable_http_client(f"{easel.url}/mcp", http_client=http)) as client,
    ):
        yield client


def stdio_params(easel: Easel, token: str) -> StdioServerParameters:
    return StdioServerParameters(
        command=sys.executable,
        args=["-m", "easel", "mcp"],
        env={"EASEL_DATA_DIR": str(easel.server.data_dir), "EASEL_TOKEN": token},
        cwd=str(easel.server.data_dir.parent),
    )


Progress = list[tuple[float, float | None, str | None]]


async def generate(
    client: Client, prompt: str, **arguments: Any
) -> tuple[CallToolResult, Progress]:
    received: Progress = []

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        received.append((progress, total, message))

    result = await client.call_tool(
        "generate_image",
        {"prompt": prompt, "models": [MODEL], **arguments},
        progress_callback=on_progress,
    )
    return result, received


def check_generated(result: CallToolResult, progress: Progress, size: tuple[int, int]) -> str:
    """Return the image's sha256 after checking the result and the progress sent."""
    assert not result.is_error, result.content
    images = [b for b in result.content if isinstance(b, ImageContent)]
    assert len(images) == 1
    assert Image.open(io.BytesIO(base64.b64decode(images[0].data))).size == size
    links = [b for b in result.content if isinstance(b, ResourceLink)]
    assert [str(link.uri) for link in links] == [
        f"easel://images/{result.structured_content['variants'][0]['image']['sha256']}"  # type: ignore[index]
    ]
    assert len(progress) >= 3, progress
    values = [p[0] for p in progress]
    assert values == sorted(values) and len(set(values)) == len(values)
    assert values[-1] == 100 and all(p[1] == 100 for p in progress)
    summary = result.structured_content
    assert summary is not None and summary["status"] == "succeeded"
    return str(summary["variants"][0]["image"]["sha256"])


async def test_tools_over_streamable_http(easel: Easel) -> None:
    with easel.client() as http:
        preset = {"name": "small", "models": [MODEL], "params": {"size": "96x64"}}
        http.post("/api/v1/presets", json=preset).raise_for_status()
    async with http_client(easel, easel.token) as client:
        names = {t.name for t in (await client.list_tools()).tools}
        assert names >= {
            "generate_image",
            "start_generation",
            "get_job",
            "list_models",
            "search_history",
            "list_presets",
        }
        models = (await client.call_tool("list_models", {})).structured_content
        assert models and MODEL in [m["id"] for m in models["models"]]

        result, progress = await generate(client, "golden hills under a moon", size="128x96")
        sha = check_generated(result, progress, (128, 96))
        url = result.structured_content["variants"][0]["image"]["url"]  # type: ignore[index]
        assert url == f"{easel.url}/api/v1/images/{sha}"

        read = await client.read_resource(f"easel://images/{sha}")
        blob = read.contents[0]
        assert isinstance(blob, BlobResourceContents) and blob.mime_type == "image/png"
        assert Image.open(io.BytesIO(base64.b64decode(blob.blob))).size == (128, 96)

        presets = (await client.call_tool("list_presets", {})).structured_content
        preset_id = presets["presets"][0]["id"]  # type: ignore[index]
        started = await client.call_tool(
            "start_generation", {"prompt": "slow violet nebula", "preset_id": preset_id}
        )
        job_id = started.structured_content["id"]  # type: ignore[index]
        deadline = time.monotonic() + 30
        while True:
            polled = await client.call_tool("get_job", {"job_id": job_id})
            if polled.structured_content["status"] == "succeeded":  # type: ignore[index]
                break
            assert time.monotonic() < deadline, polled
            await asyncio.sleep(0.2)
        assert any(isinstance(b, ImageContent) for b in polled.content)

        found = await client.call_tool("search_history", {"text": "violet nebula"})
        assert [j["id"] for j in found.structured_content["jobs"]] == [job_id]  # type: ignore[index]

        bad = await client.call_tool("generate_image", {"prompt": "x", "models": ["no/such"]})
        assert bad.is_error and "Unknown model" in str(bad.content[0])

    # Another user sees none of it.
    async with http_client(easel, easel.other_token) as bob:
        history = await bob.call_tool("search_history", {"text": "violet"})
        assert history.structured_content == {"jobs": []}
        missing = await bob.call_tool("get_job", {"job_id": job_id})
        assert missing.is_error
        with pytest.raises(Exception, match="No image"):
            await bob.read_resource(f"easel://images/{sha}")


async def test_http_needs_a_valid_token(easel: Easel) -> None:
    async with httpx.AsyncClient() as http:
        for headers in ({}, {"Authorization": "Bearer esl_not-a-token"}):
            answer = await http.post(
                f"{easel.url}/mcp",
                json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
                headers={**headers, "Accept": "application/json, text/event-stream"},
            )
            assert answer.status_code == 401
            assert answer.json()["error"] == "invalid_token"
    with pytest.raises(BaseException):  # noqa: B017 - the SDK raises an exception group
        async with http_client(easel, "esl_not-a-token") as client:
            await client.list_tools()


async def test_tools_over_stdio_share_the_data_dir(easel: Easel) -> None:
    async with Client(stdio_params(easel, easel.token)) as client:
        result, progress = await generate(client, "stdio red sunset", size="64x64")
        check_generated(result, progress, (64, 64))
        job_id = result.structured_content["id"]  # type: ignore[index]
    # The job is an ordinary one, visible to the same user through the server.
    with easel.client() as http:
        assert http.get(f"/api/v1/jobs/{job_id}").json()["status"] == "succeeded"


async def test_stdio_refuses_a_bad_token(easel: Easel) -> None:
    with pytest.raises(BaseException):  # noqa: B017 - the server exits before the handshake
        async with Client(stdio_params(easel, "esl_wrong")) as client:
            await client.list_tools()
