"""The MCP SDK's client calls Easel's image tools: ``edit_image`` (with and without a
mask), ``upscale_image`` and ``remove_background``, given an Easel sha256, an Easel URL
or base64, and never another user's image."""

from __future__ import annotations

import base64
import io
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx2
import numpy as np
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp_types import CallToolResult, ImageContent
from PIL import Image

from easel.imaging import default_feather
from support.client import MODEL
from support.pictures import beyond, disc_mask, painted, subject_on_backdrop

from .conftest import Easel, running_easel


@pytest.fixture(scope="module")
def easel(data_dir: Path) -> Iterator[Easel]:
    with running_easel(data_dir) as running:
        yield running


@asynccontextmanager
async def connect(easel: Easel, token: str) -> AsyncIterator[Client]:
    headers = {"Authorization": f"Bearer {token}"}
    async with (
        httpx2.AsyncClient(headers=headers, timeout=60) as http,
        Client(streamable_http_client(f"{easel.url}/mcp", http_client=http)) as client,
    ):
        yield client


def _b64(image: Image.Image) -> str:
    buf = io.BytesIO()
    image.save(buf, "PNG")
    return base64.b64encode(buf.getvalue()).decode()


def _picture(result: CallToolResult) -> Image.Image:
    assert not result.is_error, result.content
    images = [b for b in result.content if isinstance(b, ImageContent)]
    assert len(images) == 1
    with Image.open(io.BytesIO(base64.b64decode(images[0].data))) as image:
        image.load()
        return image.copy()


async def test_image_tools_work_on_base64_urls_and_shas(easel: Easel) -> None:
    source = painted(size=(128, 96), seed=31)
    mask = disc_mask(source.size, (0.3, 0.3, 0.7, 0.7))
    async with connect(easel, easel.token) as client:
        names = {t.name for t in (await client.list_tools()).tools}
        assert names >= {"edit_image", "upscale_image", "remove_background"}

        inpainted = await client.call_tool(
            "edit_image",
            {
                "image": _b64(source),
                "mask": "data:image/png;base64," + _b64(mask),
                "prompt": "a pond",
                "models": [MODEL],
            },
        )
        pixels = np.asarray(_picture(inpainted).convert("RGB"))
        outside = beyond(mask, default_feather(source.size))
        assert (pixels[outside] == np.asarray(source)[outside]).all()
        summary = inpainted.structured_content
        assert summary is not None
        url = summary["variants"][0]["image"]["url"]

        upscaled = await client.call_tool("upscale_image", {"image": url, "factor": 4})
        assert _picture(upscaled).size == (512, 384)  # by its Easel URL, default models

        edited = await client.call_tool(
            "edit_image", {"image": summary["variants"][0]["image"]["sha256"], "prompt": "mosaic"}
        )
        assert _picture(edited).size == (128, 96)

        cut = await client.call_tool(
            "remove_background", {"image": _b64(subject_on_backdrop(96)), "models": [MODEL]}
        )
        alpha = np.asarray(_picture(cut).getchannel("A"))
        assert alpha[0, 0] == 0 and alpha[48, 40] == 255

        refused = await client.call_tool("upscale_image", {"image": "https://example.com/cat.png"})
        assert refused.is_error and "Easel image URL" in str(refused.content[0])
        bad_factor = await client.call_tool("upscale_image", {"image": url, "factor": 3})
        assert bad_factor.is_error and "factor" in str(bad_factor.content[0])

    async with connect(easel, easel.other_token) as bob:  # alice's image is not his
        denied = await bob.call_tool("upscale_image", {"image": url, "models": [MODEL]})
        assert denied.is_error and "No image" in str(denied.content[0])
