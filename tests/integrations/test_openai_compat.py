"""The official OpenAI SDK against a running Easel: /v1 images and models."""

from __future__ import annotations

import base64
import io
from collections.abc import Iterator
from pathlib import Path

import openai
import pytest
from PIL import Image

from emulators.openai import OpenAIEmulator
from support.client import MODEL

from .conftest import Easel, running_easel

HOSTED = "openai/gpt-image-2.6-sunburst"
DEPRECATED = "openai/gpt-image-1.5"
RETIRED = {
    "openai/dall-e-3": "openai/gpt-image-2.6-flare",
    "openai/gpt-image-1": "openai/gpt-image-2.5-sunburst",
}


@pytest.fixture(scope="module")
def emulator() -> Iterator[OpenAIEmulator]:
    with OpenAIEmulator() as running:
        yield running  # type: ignore[misc]


@pytest.fixture(scope="module")
def easel(data_dir: Path, emulator: OpenAIEmulator) -> Iterator[Easel]:
    with running_easel(data_dir, emulator.easel_env()) as running:
        yield running


@pytest.fixture
def client(easel: Easel) -> Iterator[openai.OpenAI]:
    with openai.OpenAI(base_url=f"{easel.url}/v1", api_key=easel.token, max_retries=0) as sdk:
        yield sdk


def _png(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data))


def test_offline_generation_answers_durable_urls_and_base64(
    client: openai.OpenAI, easel: Easel
) -> None:
    by_url = client.images.generate(
        model=MODEL, prompt="teal lighthouse at dusk", size="256x192", response_format="url"
    )
    assert by_url.data and len(by_url.data) == 1
    url = by_url.data[0].url
    assert url and url.startswith(f"{easel.url}/api/v1/images/") and not by_url.data[0].b64_json
    with easel.client() as http:
        assert _png(http.get(url).raise_for_status().content).size == (256, 192)
        history = http.get("/api/v1/jobs", params={"q": "teal lighthouse"}).json()["items"]
    assert len(history) == 1 and history[0]["status"] == "succeeded"

    by_b64 = client.images.generate(
        model=MODEL, prompt="red fox in snow", n=2, size="128x128", response_format="b64_json"
    )
    assert by_b64.data and len(by_b64.data) == 2
    images = [base64.b64decode(d.b64_json or "") for d in by_b64.data]
    assert all(_png(i).size == (128, 128) for i in images) and images[0] != images[1]
    assert all(d.url is None for d in by_b64.data)

    both = client.images.generate(model=MODEL, prompt="tiny moon", size="64x64")
    assert both.data and both.data[0].url and both.data[0].b64_json


async def test_async_client_with_an_emulated_hosted_model(
    easel: Easel, emulator: OpenAIEmulator
) -> None:
    before = emulator.state.creations[HOSTED.split("/")[1]]
    async with openai.AsyncOpenAI(
        base_url=f"{easel.url}/v1", api_key=easel.token, max_retries=0
    ) as sdk:
        result = await sdk.images.generate(
            model=HOSTED, prompt="a paper crane", size="1536x1024", quality="low"
        )
        listed = {m.id: m for m in (await sdk.models.list()).data}
    assert result.data and result.data[0].url and result.data[0].b64_json
    # The URL is Easel's own, never the provider's.
    assert result.data[0].url.startswith(f"{easel.url}/api/v1/images/")
    assert emulator.state.creations[HOSTED.split("/")[1]] == before + 1
    assert MODEL in listed and HOSTED in listed
    # The model list speaks OpenAI's lifecycle: a shutdown date where one is announced,
    # and no shut-down model at all.
    assert listed[DEPRECATED].shutdown_date == "2026-12-01"
    assert listed[HOSTED].shutdown_date is None
    assert not set(RETIRED) & set(listed)


def test_streaming_sends_partial_images_then_the_image(client: openai.OpenAI) -> None:
    stream = client.images.generate(
        model=MODEL, prompt="stormy purple sea", size="256x256", stream=True, partial_images=2
    )
    events = list(stream)
    partials = [e for e in events if e.type == "image_generation.partial_image"]
    completed = [e for e in events if e.type == "image_generation.completed"]
    assert 1 <= len(partials) <= 2
    assert [p.partial_image_index for p in partials] == list(range(len(partials)))
    assert all(_png(base64.b64decode(p.b64_json)).width > 0 for p in partials)
    assert len(completed) == 1 and events[-1] is completed[0]
    assert _png(base64.b64decode(completed[0].b64_json)).size == (256, 256)


def test_edit_sends_reference_images_to_a_model_that_takes_them(
    client: openai.OpenAI, emulator: OpenAIEmulator
) -> None:
    reference = io.BytesIO()
    Image.new("RGB", (64, 64), "orange").save(reference, "PNG")
    result = client.images.edit(
        model=HOSTED,
        image=[("ref.png", reference.getvalue(), "image/png")],
        prompt="the same, in blue",
        size="1024x1024",
        response_format="b64_json",
    )
    assert result.data and result.data[0].b64_json
    assert emulator.reference_counts[-1] == 1

    streamed = list(
        client.images.edit(
            model=HOSTED,
            image=("ref.png", reference.getvalue(), "image/png"),
            prompt="again",
            stream=True,
            partial_images=1,
        )
    )
    assert streamed[-1].type == "image_edit.completed"

    with pytest.raises(openai.BadRequestError) as refused:
        client.images.edit(
            model=MODEL, image=("ref.png", reference.getvalue(), "image/png"), prompt="x"
        )
    assert refused.value.body["param"] == "image"  # type: ignore[index]


def test_errors_arrive_as_the_sdks_own_exceptions(
    client: openai.OpenAI, easel: Easel, emulator: OpenAIEmulator
) -> None:
    with pytest.raises(openai.BadRequestError) as bad_size:
        client.images.generate(model=HOSTED, prompt="x", size="512x512")
    assert bad_size.value.status_code == 400
    assert "1024x1024, 1536x1024, 1024x1536" in bad_size.value.message
    assert bad_size.value.body["param"] == "size"  # type: ignore[index]
    assert bad_size.value.body["type"] == "invalid_request_error"  # type: ignore[index]

    with pytest.raises(openai.NotFoundError) as unknown:
        client.images.generate(model="nobody/nothing", prompt="x")
    assert unknown.value.body["code"] == "model_not_found"  # type: ignore[index]

    with (
        openai.OpenAI(base_url=f"{easel.url}/v1", api_key="esl_wrong", max_retries=0) as wrong,
        pytest.raises(openai.AuthenticationError) as denied,
    ):
        wrong.images.generate(model=MODEL, prompt="x")
    assert denied.value.body["code"] == "invalid_api_key"  # type: ignore[index]

    # A variant that fails answers the variant's message; the SDK must not retry it.
    emulator.inject("moderation")
    before = emulator.total_creations
    with (
        openai.OpenAI(base_url=f"{easel.url}/v1", api_key=easel.token, max_retries=2) as sdk,
        pytest.raises(openai.BadRequestError) as rejected,
    ):
        sdk.images.generate(model=HOSTED, prompt="something forbidden")
    assert rejected.value.body["code"] == "content_policy_violation"  # type: ignore[index]
    assert emulator.total_creations == before
    job_id = rejected.value.response.headers["x-easel-job-id"]
    with easel.client() as http:
        assert http.get(f"/api/v1/jobs/{job_id}").json()["status"] == "failed"


def test_a_retired_model_is_a_404_naming_its_replacement(
    client: openai.OpenAI, emulator: OpenAIEmulator
) -> None:
    before = emulator.total_creations
    for retired, replacement in RETIRED.items():
        with pytest.raises(openai.NotFoundError) as gone:
            client.images.generate(model=retired, prompt="a lighthouse")
        assert gone.value.status_code == 404
        assert gone.value.code == "model_not_found"
        assert gone.value.param == "model"
        assert f"Use {replacement} instead" in gone.value.message
        with pytest.raises(openai.NotFoundError) as lookup:
            client.models.retrieve(retired)
        assert replacement in lookup.value.message
    assert emulator.total_creations == before  # nothing was sent to the vendor
