"""BytePlus' official SDK (``byteplus-python-sdk-v2``, ``byteplussdkarkruntime``) works
unchanged against the ModelArk emulator, so the emulator speaks ModelArk's wire format
and Easel's adapter is tested against it."""

from __future__ import annotations

import base64
import io
from collections.abc import Iterator

import httpx
import pytest
from byteplussdkarkruntime import Ark, AsyncArk
from byteplussdkarkruntime._exceptions import (
    ArkAuthenticationError,
    ArkBadRequestError,
    ArkNotFoundError,
    ArkPermissionDeniedError,
)
from byteplussdkarkruntime.types.images.images import SequentialImageGenerationOptions
from PIL import Image

from emulators.byteplus import BytePlusEmulator

SEEDREAM_5 = "seedream-5-0-260128"


@pytest.fixture(scope="module")
def emulator() -> Iterator[BytePlusEmulator]:
    with BytePlusEmulator() as running:
        yield running  # type: ignore[misc]


@pytest.fixture
def sdk(emulator: BytePlusEmulator) -> Ark:
    emulator.state.faults.clear()
    return Ark(api_key="test-key", base_url=f"{emulator.base_url}/api/v3", max_retries=2)


def size_of(data: bytes) -> tuple[str, tuple[int, int]]:
    with Image.open(io.BytesIO(data)) as image:
        return str(image.format), image.size


def test_generate_as_base64_and_as_a_url(sdk: Ark) -> None:
    inline = sdk.images.generate(
        model=SEEDREAM_5,
        prompt="a heron",
        size="2K",
        response_format="b64_json",
        output_format="png",
        watermark=False,
    )
    assert inline.model == SEEDREAM_5
    assert inline.usage.generated_images == 1 and inline.usage.output_tokens
    assert inline.data[0].size == "2048x2048" and inline.data[0].output_format == "png"
    assert size_of(base64.b64decode(inline.data[0].b64_json)) == ("PNG", (64, 64))

    linked = sdk.images.generate(model="seedream-4-5-251128", prompt="a heron", size="2560x1440")
    assert size_of(httpx.get(linked.data[0].url).content) == ("JPEG", (80, 45))


def test_references_and_sequential_generation_limits(sdk: Ark) -> None:
    reference = "data:image/png;base64,iVBORw0KGgo="
    ok = sdk.images.generate(
        model=SEEDREAM_5,
        prompt="the heron in image 1",
        image=[reference] * 14,
        sequential_image_generation="auto",
        sequential_image_generation_options=SequentialImageGenerationOptions(max_images=1),
    )
    assert ok.usage.generated_images == 1
    with pytest.raises(ArkBadRequestError) as too_many:
        sdk.images.generate(
            model=SEEDREAM_5,
            prompt="x",
            image=[reference] * 10,
            sequential_image_generation="auto",
            sequential_image_generation_options=SequentialImageGenerationOptions(max_images=6),
        )
    assert too_many.value.code == "InvalidParameter" and too_many.value.param == "image"


def test_errors_come_back_in_modelarks_shape(sdk: Ark, emulator: BytePlusEmulator) -> None:
    with pytest.raises(ArkNotFoundError) as missing:
        sdk.images.generate(model="seedream-3-0-t2i-250415", prompt="x")
    assert missing.value.code == "InvalidEndpoint.NotFound"

    with pytest.raises(ArkBadRequestError) as size:
        sdk.images.generate(model="seedream-4-5-251128", prompt="x", size="1024x1024")
    assert (size.value.code, size.value.param) == ("InvalidParameter", "size")

    with pytest.raises(ArkBadRequestError) as seed:
        sdk.images.generate(model=SEEDREAM_5, prompt="x", seed=7)
    assert seed.value.param == "seed"

    bad = Ark(api_key="wrong", base_url=f"{emulator.base_url}/api/v3", max_retries=0)
    with pytest.raises(ArkAuthenticationError) as denied:
        bad.images.generate(model=SEEDREAM_5, prompt="x")
    assert denied.value.code == "AuthenticationError"

    emulator.inject("no_credit")
    with pytest.raises(ArkPermissionDeniedError) as overdue:
        sdk.images.generate(model=SEEDREAM_5, prompt="x")
    assert overdue.value.code == "AccountOverdueError"

    emulator.inject("moderation")
    with pytest.raises(ArkBadRequestError) as flagged:
        sdk.images.generate(model=SEEDREAM_5, prompt="x")
    assert flagged.value.code == "InputTextSensitiveContentDetected"


def test_the_sdk_retries_a_429_and_pays_once(sdk: Ark, emulator: BytePlusEmulator) -> None:
    before = emulator.total_creations
    emulator.inject("rate_limit", retry_after=0.1)
    answer = sdk.images.generate(model=SEEDREAM_5, prompt="after a throttle")
    assert answer.data[0].url and not emulator.state.faults
    assert emulator.total_creations == before + 1


async def test_the_async_client(emulator: BytePlusEmulator) -> None:
    client = AsyncArk(api_key="test-key", base_url=f"{emulator.base_url}/api/v3")
    answer = await client.images.generate(
        model="seedream-4-0-250828", prompt="an async heron", size="1K", response_format="b64_json"
    )
    assert size_of(base64.b64decode(answer.data[0].b64_json)) == ("JPEG", (32, 32))
