"""The official Gemini SDK works unchanged against the Gemini emulator, so the emulator
speaks the real wire format and the adapter is tested against it. (OpenAI's SDK has its
own file, test_sdk_fidelity_openai.py.)"""

from __future__ import annotations

import base64
import io
import json
import warnings
from collections.abc import Iterator

import pytest
from google import genai
from google.genai import errors as genai_errors
from google.genai import types as genai_types
from PIL import Image

from emulators._base import png_bytes
from emulators.gemini import GeminiEmulator


def image_size(data: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        return image.size


@pytest.fixture(scope="module")
def gemini_emulator() -> Iterator[GeminiEmulator]:
    with GeminiEmulator() as emulator:
        yield emulator


@pytest.fixture
def gemini(gemini_emulator: GeminiEmulator) -> genai.Client:
    return genai.Client(
        api_key="test-key", http_options=genai_types.HttpOptions(base_url=gemini_emulator.base_url)
    )


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
    # This google-genai release refuses generate_images outside Vertex mode (see its
    # models.generate_images), which is why Easel calls :predict itself. Drive :predict
    # through the SDK's own HTTP client instead, so headers, URL building and error
    # parsing stay real.
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
