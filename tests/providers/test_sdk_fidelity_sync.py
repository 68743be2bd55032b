"""The official SDKs work unchanged against the OpenAI and Gemini emulators, so the
emulators speak the real wire format and the adapters are tested against it."""

from __future__ import annotations

import base64
import io
import json
import warnings
from collections.abc import Iterator

import httpx
import openai
import pytest
from google import genai
from google.genai import errors as genai_errors
from google.genai import types as genai_types
from PIL import Image

from emulators._base import png_bytes
from emulators.gemini import GeminiEmulator
from emulators.openai import OUTPUT_TOKENS, OpenAIEmulator


def image_size(data: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        return image.size


@pytest.fixture(scope="module")
def openai_emulator() -> Iterator[OpenAIEmulator]:
    with OpenAIEmulator() as emulator:
        yield emulator


@pytest.fixture(scope="module")
def gemini_emulator() -> Iterator[GeminiEmulator]:
    with GeminiEmulator() as emulator:
        yield emulator


@pytest.fixture
def client(openai_emulator: OpenAIEmulator) -> Iterator[openai.OpenAI]:
    # max_retries=0: an SDK retry would hide a fault the emulator is meant to show.
    with openai.OpenAI(
        api_key="test-key", base_url=f"{openai_emulator.base_url}/v1", max_retries=0
    ) as sdk:
        yield sdk


@pytest.fixture
def gemini(gemini_emulator: GeminiEmulator) -> genai.Client:
    return genai.Client(
        api_key="test-key", http_options=genai_types.HttpOptions(base_url=gemini_emulator.base_url)
    )


def test_dall_e_3_returns_an_expiring_url(
    client: openai.OpenAI, openai_emulator: OpenAIEmulator
) -> None:
    before = openai_emulator.state.creations["dall-e-3"]
    result = client.images.generate(
        model="dall-e-3", prompt="a lighthouse", size="1792x1024", quality="hd", style="natural"
    )
    assert result.data is not None and len(result.data) == 1
    url, revised = result.data[0].url, result.data[0].revised_prompt
    assert url is not None and "se=" in url and "sig=" in url
    assert revised and "a lighthouse" in revised
    assert image_size(httpx.get(url).raise_for_status().content) == (112, 64)
    assert openai_emulator.state.creations["dall-e-3"] == before + 1

    openai_emulator.state.url_ttl = -1
    try:
        expired = client.images.generate(model="dall-e-3", prompt="a lighthouse")
    finally:
        openai_emulator.state.url_ttl = 3600.0
    assert expired.data is not None and expired.data[0].url is not None
    assert httpx.get(expired.data[0].url).status_code == 403


def test_gpt_image_1_returns_base64_and_usage(client: openai.OpenAI) -> None:
    result = client.images.generate(
        model="gpt-image-1", prompt="a red fox in snow", size="1024x1536", quality="low"
    )
    assert result.data is not None and result.data[0].b64_json is not None
    assert result.data[0].url is None
    assert image_size(base64.b64decode(result.data[0].b64_json)) == (64, 96)
    assert result.usage is not None
    assert result.usage.output_tokens == OUTPUT_TOKENS["low"] * 3 // 2
    assert result.usage.input_tokens_details.image_tokens == 0
    assert result.quality == "low" and result.size == "1024x1536"


def test_gpt_image_1_streams_partial_images(client: openai.OpenAI) -> None:
    stream = client.images.generate(
        model="gpt-image-1", prompt="a red fox", quality="high", stream=True, partial_images=2
    )
    events = list(stream)
    assert [e.type for e in events] == [
        "image_generation.partial_image",
        "image_generation.partial_image",
        "image_generation.completed",
    ]
    partials = [e for e in events if e.type == "image_generation.partial_image"]
    assert [e.partial_image_index for e in partials] == [0, 1]
    completed = events[-1]
    assert completed.type == "image_generation.completed"
    assert image_size(base64.b64decode(completed.b64_json)) == (64, 64)
    assert completed.usage.output_tokens == OUTPUT_TOKENS["high"]


def test_gpt_image_1_edit_takes_several_images(
    client: openai.OpenAI, openai_emulator: OpenAIEmulator
) -> None:
    images = [("a.png", png_bytes(seed=1), "image/png"), ("b.png", png_bytes(seed=2), "image/png")]
    result = client.images.edit(model="gpt-image-1", prompt="merge them", image=images)
    assert result.usage is not None and result.usage.input_tokens_details.image_tokens == 2 * 323
    assert openai_emulator.reference_counts[-1] == 2

    stream = client.images.edit(
        model="gpt-image-1", prompt="merge", image=images[:1], stream=True, partial_images=1
    )
    assert [e.type for e in stream] == ["image_edit.partial_image", "image_edit.completed"]
    assert openai_emulator.reference_counts[-1] == 1


def test_openai_errors_map_to_the_sdk_exceptions(
    client: openai.OpenAI, openai_emulator: OpenAIEmulator
) -> None:
    before = openai_emulator.total_creations
    bad = openai.OpenAI(api_key="sk-wrong", base_url=client.base_url, max_retries=0)
    with bad, pytest.raises(openai.AuthenticationError) as auth:
        bad.images.generate(model="dall-e-3", prompt="x")
    assert auth.value.code == "invalid_api_key"

    openai_emulator.inject("rate_limit", retry_after=2.5)
    with pytest.raises(openai.RateLimitError) as limited:
        client.images.generate(model="gpt-image-1", prompt="x")
    assert limited.value.code == "rate_limit_exceeded"
    assert limited.value.response.headers["retry-after-ms"] == "2500"

    openai_emulator.inject("no_credit")
    with pytest.raises(openai.RateLimitError) as broke:
        client.images.generate(model="gpt-image-1", prompt="x")
    assert broke.value.code == "insufficient_quota"

    for model, code in (
        ("dall-e-3", "content_policy_violation"),
        ("gpt-image-1", "moderation_blocked"),
    ):
        openai_emulator.inject("moderation")
        with pytest.raises(openai.BadRequestError) as refused:
            client.images.generate(model=model, prompt="x")
        assert refused.value.code == code

    with pytest.raises(openai.BadRequestError) as bad_size:
        client.images.generate(model="dall-e-3", prompt="x", size="1536x1024")
    assert bad_size.value.param == "size"

    openai_emulator.inject("server_error")
    with pytest.raises(openai.InternalServerError):
        client.images.generate(model="dall-e-3", prompt="x")
    assert openai_emulator.total_creations == before  # none of these was billed
    assert not openai_emulator.state.faults


def test_gemini_generate_content_returns_an_inline_image(
    gemini: genai.Client, gemini_emulator: GeminiEmulator
) -> None:
    reference = genai_types.Part.from_bytes(data=png_bytes(seed=3), mime_type="image/png")
    response = gemini.models.generate_content(
        model="gemini-2.5-flash-image",
        contents=["make it a watercolour", reference],
        config=genai_types.GenerateContentConfig(
            response_modalities=["TEXT", "IMAGE"],
            image_config=genai_types.ImageConfig(aspect_ratio="16:9"),
        ),
    )
    assert response.candidates and response.candidates[0].content
    parts = response.candidates[0].content.parts or []
    images = [p.inline_data for p in parts if p.inline_data is not None]
    assert len(images) == 1 and images[0].data is not None
    assert images[0].mime_type == "image/png"
    assert image_size(images[0].data) == (256, 144)
    assert response.text == "Here is the image you asked for."
    assert gemini_emulator.reference_counts[-1] == 1


def test_gemini_errors_map_to_the_sdk_exceptions(gemini_emulator: GeminiEmulator) -> None:
    bad = genai.Client(
        api_key="wrong", http_options=genai_types.HttpOptions(base_url=gemini_emulator.base_url)
    )
    with pytest.raises(genai_errors.ClientError) as rejected:
        bad.models.generate_content(model="gemini-2.5-flash-image", contents="x")
    assert rejected.value.code == 400 and rejected.value.status == "INVALID_ARGUMENT"
    assert "API key not valid" in (rejected.value.message or "")

    good = genai.Client(
        api_key="test-key",
        http_options=genai_types.HttpOptions(base_url=gemini_emulator.base_url),
    )
    gemini_emulator.inject("rate_limit")
    with pytest.raises(genai_errors.ClientError) as limited:
        good.models.generate_content(model="gemini-2.5-flash-image", contents="x")
    assert limited.value.code == 429 and limited.value.status == "RESOURCE_EXHAUSTED"
    gemini_emulator.inject("unavailable")
    with pytest.raises(genai_errors.ServerError) as down:
        good.models.generate_content(model="gemini-2.5-flash-image", contents="x")
    assert down.value.code == 503


def test_imagen_predict_through_the_sdk_transport(
    gemini: genai.Client, gemini_emulator: GeminiEmulator
) -> None:
    # This google-genai release refuses generate_images outside Vertex mode (PROTOCOLS.md
    # §3.2), which is why Easel calls :predict itself. Drive :predict through the SDK's
    # own HTTP client instead, so headers, URL building and error parsing stay real.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # it also announces Imagen's deprecation
        with pytest.raises(ValueError, match="only supported"):
            gemini.models.generate_images(model="imagen-4.0-generate-001", prompt="a fox")
    before = gemini_emulator.state.creations["imagen-4.0-generate-001"]
    response = gemini._api_client.request(
        "post",
        "models/imagen-4.0-generate-001:predict",
        {
            "instances": [{"prompt": "a fox"}],
            "parameters": {
                "sampleCount": 2,
                "aspectRatio": "9:16",
                "personGeneration": "ALLOW_ADULT",
            },
        },
    )
    predictions = json.loads(response.body)["predictions"]
    assert len(predictions) == 2
    sizes = {image_size(base64.b64decode(p["bytesBase64Encoded"])) for p in predictions}
    assert sizes == {(144, 256)}
    assert gemini_emulator.state.creations["imagen-4.0-generate-001"] == before + 2

    gemini_emulator.inject("no_credit")
    with pytest.raises(genai_errors.ClientError) as unbilled:
        gemini._api_client.request(
            "post", "models/imagen-4.0-generate-001:predict", {"instances": [{"prompt": "x"}]}
        )
    assert unbilled.value.code == 400 and "billed users" in (unbilled.value.message or "")
