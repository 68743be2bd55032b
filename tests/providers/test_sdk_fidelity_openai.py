"""The official ``openai`` SDK works unchanged against the OpenAI emulator: today's GPT image
models with their parameter rules, streaming, edits, the model list with shutdown dates,
retired ids refused as OpenAI refuses them, and errors as the SDK's own exceptions. The
emulator speaks the real wire format, so Easel's adapter is tested against it."""

from __future__ import annotations

import base64
import io
from collections.abc import Iterator

import openai
import pytest
from PIL import Image

from emulators._base import png_bytes
from emulators.openai import IMAGE_INPUT_TOKENS, OUTPUT_TOKENS, PARTIAL_IMAGE_TOKENS, OpenAIEmulator

CURRENT = (
    "gpt-image-2.6-sunburst",
    "gpt-image-2.6-flare",
    "gpt-image-2.5-sunburst",
    "gpt-image-2.5-flare",
    "gpt-image-2",
    "gpt-image-1.5",
    "gpt-image-1-mini",
    "chatgpt-image-latest",
)


def picture(data: bytes) -> tuple[str, tuple[int, int]]:
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        return str(image.format), image.size


@pytest.fixture(scope="module")
def emulator() -> Iterator[OpenAIEmulator]:
    with OpenAIEmulator() as running:
        yield running  # type: ignore[misc]


@pytest.fixture
def client(emulator: OpenAIEmulator) -> Iterator[openai.OpenAI]:
    # max_retries=0: an SDK retry would hide a fault the emulator is meant to show.
    with openai.OpenAI(
        api_key="test-key", base_url=f"{emulator.base_url}/v1", max_retries=0
    ) as sdk:
        yield sdk


@pytest.mark.parametrize("model", CURRENT)
def test_every_current_model_answers_base64_with_usage(client: openai.OpenAI, model: str) -> None:
    result = client.images.generate(
        model=model, prompt="a red fox in snow", size="1024x1536", quality="low"
    )
    assert result.data is not None and result.data[0].b64_json is not None
    assert result.data[0].url is None
    assert picture(base64.b64decode(result.data[0].b64_json)) == ("PNG", (64, 96))
    assert result.usage is not None
    assert result.usage.output_tokens == OUTPUT_TOKENS["low"] * 1536 // 1024
    assert result.usage.input_tokens_details.image_tokens == 0
    assert result.quality == "low" and result.size == "1024x1536"


def test_free_sizes_follow_the_pixel_and_edge_limits(client: openai.OpenAI) -> None:
    for size, drawn in (("1536x864", (96, 54)), ("3840x2160", (240, 135)), ("2400x800", (150, 50))):
        result = client.images.generate(model="gpt-image-2.5-flare", prompt="x", size=size)
        assert result.data and result.data[0].b64_json
        assert picture(base64.b64decode(result.data[0].b64_json))[1] == drawn
        assert result.size == size
    for size, why in (
        ("1000x1000", "divisible by 16"),
        ("4096x1024", "maximum edge"),
        ("3200x800", "aspect ratio"),
        ("640x640", "total pixels"),
    ):
        with pytest.raises(openai.BadRequestError) as refused:
            client.images.generate(model="gpt-image-2", prompt="x", size=size)
        assert refused.value.param == "size" and why in refused.value.message
    # The newest models take the standard sizes only, so far.
    with pytest.raises(openai.BadRequestError) as standard:
        client.images.generate(model="gpt-image-2.6-sunburst", prompt="x", size="1536x864")
    assert "'1024x1024', '1536x1024', '1024x1536'" in standard.value.message


def test_options_follow_each_models_rules(client: openai.OpenAI) -> None:
    webp = client.images.generate(
        model="gpt-image-2.5-sunburst",
        prompt="a glass of water",
        quality="max",
        background="transparent",
        output_format="webp",
        moderation="low",
    )
    assert webp.data and webp.data[0].b64_json
    assert picture(base64.b64decode(webp.data[0].b64_json))[0] == "WEBP"
    assert webp.output_format == "webp" and webp.background == "transparent"
    jpeg = client.images.generate(model="gpt-image-2", prompt="x", output_format="jpeg")
    assert jpeg.data and picture(base64.b64decode(jpeg.data[0].b64_json or ""))[0] == "JPEG"

    for model, fields, param in (
        ("gpt-image-2", {"background": "transparent"}, "background"),
        (
            "gpt-image-2.5-flare",
            {"background": "transparent", "output_format": "jpeg"},
            "background",
        ),
        ("gpt-image-2", {"quality": "max"}, "quality"),
        ("gpt-image-1.5", {"quality": "xhigh"}, "quality"),
        ("gpt-image-2", {"response_format": "url"}, "response_format"),
    ):
        with pytest.raises(openai.BadRequestError) as refused:
            client.images.generate(model=model, prompt="x", **fields)  # type: ignore[arg-type]
        assert refused.value.param == param, (model, fields)


def test_streaming_bills_each_partial_image(client: openai.OpenAI) -> None:
    events = list(
        client.images.generate(
            model="gpt-image-2", prompt="a red fox", quality="high", stream=True, partial_images=2
        )
    )
    assert [e.type for e in events] == [
        "image_generation.partial_image",
        "image_generation.partial_image",
        "image_generation.completed",
    ]
    partials = [e for e in events if e.type == "image_generation.partial_image"]
    assert [e.partial_image_index for e in partials] == [0, 1]
    completed = events[-1]
    assert completed.type == "image_generation.completed"
    assert picture(base64.b64decode(completed.b64_json)) == ("PNG", (64, 64))
    assert completed.usage.output_tokens == OUTPUT_TOKENS["high"] + 2 * PARTIAL_IMAGE_TOKENS


def test_edits_take_up_to_sixteen_images(client: openai.OpenAI, emulator: OpenAIEmulator) -> None:
    images = [(f"{i}.png", png_bytes(seed=i), "image/png") for i in range(3)]
    result = client.images.edit(model="gpt-image-2", prompt="merge them", image=images)
    assert result.usage is not None
    assert result.usage.input_tokens_details.image_tokens == 3 * IMAGE_INPUT_TOKENS
    assert emulator.reference_counts[-1] == 3

    stream = client.images.edit(
        model="gpt-image-1.5",
        prompt="merge",
        image=images[:1],
        input_fidelity="high",
        stream=True,
        partial_images=1,
    )
    assert [e.type for e in stream] == ["image_edit.partial_image", "image_edit.completed"]
    with pytest.raises(openai.BadRequestError) as fidelity:
        client.images.edit(model="gpt-image-2", prompt="x", image=images[:1], input_fidelity="high")
    assert fidelity.value.param == "input_fidelity"
    with pytest.raises(openai.BadRequestError) as too_many:
        client.images.edit(model="gpt-image-2", prompt="x", image=images * 6)
    assert too_many.value.param == "image"


@pytest.mark.parametrize("model", ["dall-e-3", "dall-e-2", "gpt-image-1"])
def test_retired_models_are_refused_as_openai_refuses_them(
    client: openai.OpenAI, emulator: OpenAIEmulator, model: str
) -> None:
    before = emulator.total_creations
    with pytest.raises(openai.NotFoundError) as gone:
        client.images.generate(model=model, prompt="a lighthouse")
    assert gone.value.status_code == 404
    assert gone.value.code == "model_not_found"
    assert gone.value.type == "invalid_request_error"
    assert gone.value.body == {
        "message": f"The model `{model}` does not exist or you do not have access to it.",
        "type": "invalid_request_error",
        "param": None,
        "code": "model_not_found",
    }
    with pytest.raises(openai.NotFoundError):
        client.models.retrieve(model)
    assert emulator.total_creations == before


def test_the_model_list_carries_shutdown_dates(
    client: openai.OpenAI, emulator: OpenAIEmulator
) -> None:
    listed = {m.id: m for m in client.models.list()}
    assert set(CURRENT) <= set(listed)
    assert not {"dall-e-3", "dall-e-2", "gpt-image-1"} & set(listed)
    assert listed["gpt-image-1.5"].shutdown_date == "2026-12-01"
    assert listed["gpt-image-2"].shutdown_date is None
    assert listed["whisper-1"].object == "model"

    emulator.serve("gpt-image-3-preview")
    emulator.withdraw("gpt-image-2.6-flare")
    try:
        again = {m.id for m in client.models.list()}
        assert "gpt-image-3-preview" in again and "gpt-image-2.6-flare" not in again
        with pytest.raises(openai.NotFoundError):
            client.images.generate(model="gpt-image-2.6-flare", prompt="x")
        assert client.models.retrieve("gpt-image-3-preview").id == "gpt-image-3-preview"
    finally:
        emulator.withdraw("gpt-image-3-preview")
        emulator.serve("gpt-image-2.6-flare")


def test_openai_errors_map_to_the_sdk_exceptions(
    client: openai.OpenAI, emulator: OpenAIEmulator
) -> None:
    before = emulator.total_creations
    bad = openai.OpenAI(api_key="sk-wrong", base_url=client.base_url, max_retries=0)
    with bad, pytest.raises(openai.AuthenticationError) as auth:
        bad.images.generate(model="gpt-image-2", prompt="x")
    assert auth.value.code == "invalid_api_key"

    emulator.inject("rate_limit", retry_after=2.5)
    with pytest.raises(openai.RateLimitError) as limited:
        client.images.generate(model="gpt-image-2", prompt="x")
    assert limited.value.code == "rate_limit_exceeded"
    assert limited.value.response.headers["retry-after-ms"] == "2500"

    emulator.inject("no_credit")
    with pytest.raises(openai.RateLimitError) as broke:
        client.images.generate(model="gpt-image-2", prompt="x")
    assert broke.value.code == "insufficient_quota"

    emulator.inject("moderation")
    with pytest.raises(openai.BadRequestError) as refused:
        client.images.generate(model="gpt-image-2.6-flare", prompt="x")
    assert refused.value.code == "moderation_blocked"
    assert refused.value.type == "image_generation_user_error"

    emulator.inject("server_error")
    with pytest.raises(openai.InternalServerError):
        client.images.generate(model="gpt-image-2", prompt="x")
    assert emulator.total_creations == before  # none of these was billed
    assert not emulator.state.faults
