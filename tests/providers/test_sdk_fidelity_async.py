"""The official SDKs work unchanged against the Replicate emulator and the MCP test server,
so those speak the real wire format and Easel's adapters are tested against it.

fal's official client (``fal_client``) is not exercised: it always builds
``https://{FAL_QUEUE_RUN_HOST}/…`` URLs (fal's queue documentation), so it cannot reach a plain-HTTP
loopback emulator without a TLS certificate it trusts. The fal adapter uses its own httpx
calls, and the emulator follows fal_client's reading of the queue API instead (URLs taken
from the submit answer, ``queue_position``/``logs`` always present in status bodies).
"""

from __future__ import annotations

import base64
import io
import time
from collections.abc import Iterator

import httpx
import pytest
from mcp import Client, MCPError
from mcp.client.streamable_http import streamable_http_client
from mcp.types import ImageContent, TextContent
from PIL import Image
from replicate.client import Client as Replicate
from replicate.exceptions import ModelError, ReplicateError

from emulators.mcp_recraft import TOOL, RecraftMCP
from emulators.replicate import ReplicateEmulator

SCHNELL = "black-forest-labs/flux-schnell"
FLUX2_PRO = "black-forest-labs/flux-2-pro"
SEEDREAM_5 = "bytedance/seedream-5-lite"


@pytest.fixture(scope="module")
def emulator() -> Iterator[ReplicateEmulator]:
    with ReplicateEmulator() as running:
        yield running  # type: ignore[misc]


@pytest.fixture
def sdk(emulator: ReplicateEmulator) -> Iterator[Replicate]:
    emulator.state.task_seconds = 0.6
    emulator.state.faults.clear()
    client = Replicate(api_token="test-key", base_url=emulator.base_url)
    client.poll_interval = 0.05
    yield client


def png_size(data: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(data)) as image:
        return image.size


def test_create_get_and_progress_of_an_official_model(sdk: Replicate) -> None:
    prediction = sdk.models.predictions.create(
        model=SCHNELL, input={"prompt": "a fox", "num_outputs": 1, "seed": 7}
    )
    assert prediction.status == "starting"
    assert prediction.urls is not None
    assert set(prediction.urls) >= {"get", "cancel", "web"}
    time.sleep(0.3)
    running = sdk.predictions.get(prediction.id)
    assert running.status == "processing"
    assert running.progress is not None and 0 <= running.progress.percentage < 1
    prediction.wait()  # the SDK's own polling loop
    done = sdk.predictions.get(prediction.id)
    assert (prediction.status, done.status) == ("succeeded", "succeeded")
    assert done.progress is not None and done.progress.percentage == 1
    assert isinstance(done.output, list) and len(done.output) == 1  # flux-schnell: a list
    assert png_size(httpx.get(done.output[0]).content) == (64, 64)


def test_todays_models_run_with_their_inputs_and_output_shapes(sdk: Replicate) -> None:
    output = sdk.run(
        FLUX2_PRO,
        input={"prompt": "a heron", "aspect_ratio": "16:9", "resolution": "1 MP", "seed": 5},
    )
    assert isinstance(output, str)  # FLUX.2 answers a single URI
    assert httpx.get(output).content.startswith(b"\x89PNG")
    images = sdk.run(
        SEEDREAM_5,
        input={"prompt": "a heron", "size": "3K", "aspect_ratio": "4:3", "output_format": "png"},
    )
    assert isinstance(images, list) and len(images) == 1  # Seedream answers a list
    with pytest.raises(ReplicateError) as invalid:
        sdk.run(SEEDREAM_5, input={"prompt": "x", "size": "4K"})
    assert invalid.value.status == 422 and "size" in str(invalid.value.detail)


def test_the_models_api_answers_for_served_models_and_404s_withdrawn_ones(
    sdk: Replicate, emulator: ReplicateEmulator
) -> None:
    model = sdk.models.get(FLUX2_PRO)
    assert (model.owner, model.name, model.visibility) == (
        "black-forest-labs",
        "flux-2-pro",
        "public",
    )
    emulator.withdraw(FLUX2_PRO)
    try:
        with pytest.raises(ReplicateError) as gone:
            sdk.models.get(FLUX2_PRO)
        assert gone.value.status == 404
        with pytest.raises(ReplicateError) as refused:
            sdk.models.predictions.create(model=FLUX2_PRO, input={"prompt": "x"})
        assert refused.value.status == 404
    finally:
        emulator.serve(FLUX2_PRO)


def test_run_with_a_wait_that_runs_out_then_polls(
    sdk: Replicate, emulator: ReplicateEmulator
) -> None:
    emulator.state.task_seconds = 1.5
    started = time.monotonic()
    prediction = sdk.models.predictions.create(
        model="black-forest-labs/flux-1.1-pro", input={"prompt": "x"}, wait=1
    )
    # A blocking create whose wait ran out says "starting", so run() polls on.
    assert prediction.status == "starting"
    assert 1 <= time.monotonic() - started < 1.5
    output = sdk.run("black-forest-labs/flux-1.1-pro", input={"prompt": "x", "seed": 3})
    assert isinstance(output, str)  # flux-1.1-pro answers a single URI
    assert httpx.get(output).content.startswith(b"\x89PNG")


async def test_async_run_and_cancel(sdk: Replicate, emulator: ReplicateEmulator) -> None:
    output = await sdk.async_run(SCHNELL, input={"prompt": "async fox"})
    assert isinstance(output, list) and len(output) == 1

    emulator.state.task_seconds = 30
    cancels = emulator.state.cancels
    prediction = await sdk.models.predictions.async_create(model=SCHNELL, input={"prompt": "y"})
    canceled = await sdk.predictions.async_cancel(prediction.id)
    assert canceled.status == "canceled"
    assert emulator.state.cancels == cancels + 1
    assert sdk.predictions.get(prediction.id).status == "canceled"


def test_errors_are_problem_details_the_sdk_reads(
    sdk: Replicate, emulator: ReplicateEmulator
) -> None:
    with pytest.raises(ReplicateError) as invalid:
        sdk.models.predictions.create(model=SCHNELL, input={"prompt": "x", "steps": 9})
    assert invalid.value.status == 422
    assert invalid.value.title == "Input validation failed"

    bad = Replicate(api_token="wrong", base_url=emulator.base_url)
    with pytest.raises(ReplicateError) as denied:
        bad.models.predictions.create(model=SCHNELL, input={"prompt": "x"})
    assert denied.value.status == 401

    # The SDK never retries a create, so the 429 reaches the caller with its detail.
    emulator.inject("rate_limit", "create")
    with pytest.raises(ReplicateError) as throttled:
        sdk.models.predictions.create(model=SCHNELL, input={"prompt": "x"})
    assert throttled.value.status == 429
    assert "throttled" in str(throttled.value.detail)


def test_the_sdk_retries_reads_through_503s(sdk: Replicate, emulator: ReplicateEmulator) -> None:
    prediction = sdk.models.predictions.create(model=SCHNELL, input={"prompt": "x"})
    emulator.inject("unavailable", "poll", times=2)
    assert sdk.predictions.get(prediction.id).id == prediction.id
    assert not emulator.state.faults


def test_a_moderated_prediction_makes_run_raise_model_error(
    sdk: Replicate, emulator: ReplicateEmulator
) -> None:
    emulator.state.task_seconds = 1.0
    emulator.inject("moderation", "poll")
    with pytest.raises(ModelError) as failed:
        sdk.run(SCHNELL, input={"prompt": "x"}, wait=False)
    assert failed.value.prediction.status == "failed"
    assert "NSFW" in str(failed.value.prediction.error)


# -- MCP --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def bridge() -> Iterator[RecraftMCP]:
    with RecraftMCP() as running:
        yield running  # type: ignore[misc]


async def _call(bridge: RecraftMCP, key: str, action: str) -> object:
    import httpx2

    async with (
        httpx2.AsyncClient(headers={"Authorization": f"Bearer {key}"}) as http,
        Client(streamable_http_client(bridge.mcp_url, http_client=http)) as client,
    ):
        if action == "list":
            return await client.list_tools()
        return await client.call_tool(TOOL, {"prompt": "a red fox", "size": "1024x1024"})


async def test_mcp_client_lists_the_image_tool(bridge: RecraftMCP) -> None:
    listing = await _call(bridge, "test-key", "list")
    [tool] = [t for t in listing.tools if t.name == TOOL]  # type: ignore[attr-defined]
    assert {"prompt", "size", "style"} <= set(tool.input_schema["properties"])
    assert tool.input_schema["required"] == ["prompt"]


async def test_mcp_client_gets_image_content_from_the_tool(bridge: RecraftMCP) -> None:
    created = bridge.total_creations
    result = await _call(bridge, "test-key", "call")
    [block] = result.content  # type: ignore[attr-defined]
    assert isinstance(block, ImageContent)
    assert block.mime_type == "image/png"
    assert png_size(base64.b64decode(block.data)) == (64, 64)
    assert bridge.total_creations == created + 1


async def test_mcp_tool_errors_come_back_as_is_error(bridge: RecraftMCP) -> None:
    bridge.inject("moderation")
    result = await _call(bridge, "test-key", "call")
    assert result.is_error  # type: ignore[attr-defined]
    [block] = result.content  # type: ignore[attr-defined]
    assert isinstance(block, TextContent) and "content policy" in block.text


async def test_mcp_bridge_refuses_a_wrong_key(bridge: RecraftMCP) -> None:
    with pytest.raises(ExceptionGroup) as refused:  # the SDK's task groups wrap it
        await _call(bridge, "wrong", "list")
    assert refused.group_contains(MCPError)
