"""The official ``google-genai`` SDK works unchanged against the Gemini emulator: today's
image models through ``generate_content`` with their aspect ratios and image sizes, thought
parts, usage by modality, the model list page by page, retired ids refused as Google
refuses them, and errors as the SDK's own exceptions. The emulator speaks the real wire
format, so Easel's adapter is tested against it. (OpenAI's SDK has its own file.)"""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from google import genai
from google.genai import errors as genai_errors
from google.genai import types as genai_types
from PIL import Image

from emulators._base import png_bytes
from emulators.gemini import (
    IMAGE_INPUT_TOKENS,
    IMAGE_MODELS,
    THOUGHT_TOKENS,
    GeminiEmulator,
)

CURRENT = (
    "gemini-3-pro-image",
    "gemini-nano-banana-2.1",
    "gemini-3.1-flash-image",
    "gemini-3.1-flash-lite-image",
)
RETIRED = (
    "imagen-4.0-generate-001",
    "imagen-3.0-generate-002",
    "gemini-2.5-flash-image",
    "gemini-3-pro-image-preview",
    "gemini-3.1-flash-image-preview",
)


def image_size(data: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        return image.size


@pytest.fixture(scope="module")
def emulator() -> Iterator[GeminiEmulator]:
    with GeminiEmulator() as running:
        yield running  # type: ignore[misc]


@pytest.fixture
def gemini(emulator: GeminiEmulator) -> genai.Client:
    return genai.Client(
        api_key="test-key", http_options=genai_types.HttpOptions(base_url=emulator.base_url)
    )


def image_config(ratio: str, size: str | None = None) -> genai_types.GenerateContentConfig:
    return genai_types.GenerateContentConfig(
        response_modalities=["TEXT", "IMAGE"],
        image_config=genai_types.ImageConfig(aspect_ratio=ratio, image_size=size),
    )


def final_images(response: genai_types.GenerateContentResponse) -> list[bytes]:
    """The answer's images that are not thoughts, as a client keeps them."""
    assert response.candidates and response.candidates[0].content
    parts = response.candidates[0].content.parts or []
    return [
        p.inline_data.data for p in parts if p.inline_data and p.inline_data.data and not p.thought
    ]


@pytest.mark.parametrize("model", CURRENT)
def test_every_current_model_answers_an_inline_image_with_usage(
    gemini: genai.Client, model: str
) -> None:
    response = gemini.models.generate_content(
        model=model, contents="a red fox in snow", config=image_config("3:2", "1K")
    )
    (image,) = final_images(response)
    assert image_size(image) == (48, 32)
    assert response.text == "Here is the image you asked for."  # thoughts left out
    usage = response.usage_metadata
    assert usage is not None and usage.candidates_tokens_details
    by_modality = {d.modality: d.token_count for d in usage.candidates_tokens_details}
    assert by_modality[genai_types.MediaModality.IMAGE] == 1120
    assert usage.thoughts_token_count == THOUGHT_TOKENS
    assert usage.total_token_count == (
        (usage.prompt_token_count or 0) + (usage.candidates_token_count or 0) + THOUGHT_TOKENS
    )


def test_image_sizes_and_ratios_follow_each_models_rules(gemini: genai.Client) -> None:
    for model, ratio, size, drawn, tokens in (
        ("gemini-3-pro-image", "16:9", "2K", (512, 288), 1120),
        ("gemini-3-pro-image", "21:9", "4K", (1344, 576), 2000),
        ("gemini-nano-banana-2.1", "1:8", "4K", (64, 512), 2520),
        ("gemini-3.1-flash-image", "4:1", "2K", (128, 32), 1680),
    ):
        response = gemini.models.generate_content(
            model=model, contents="x", config=image_config(ratio, size)
        )
        (image,) = final_images(response)
        assert image_size(image) == drawn, (model, ratio, size)
        assert response.usage_metadata and response.usage_metadata.candidates_tokens_details
        image_tokens = response.usage_metadata.candidates_tokens_details[-1]
        assert image_tokens.modality == genai_types.MediaModality.IMAGE
        assert image_tokens.token_count == tokens
    for model, ratio, size in (
        ("gemini-3-pro-image", "8:1", "1K"),  # the panoramic ratios are the Flash family's
        ("gemini-3.1-flash-lite-image", "1:1", "2K"),  # Flash-Lite draws 1K only
        ("gemini-3-pro-image", "1:1", "1k"),  # sizes are spelled with a capital K
    ):
        with pytest.raises(genai_errors.ClientError) as refused:
            gemini.models.generate_content(
                model=model, contents="x", config=image_config(ratio, size)
            )
        assert refused.value.code == 400 and refused.value.status == "INVALID_ARGUMENT"


def test_thoughts_and_reference_images(gemini: genai.Client, emulator: GeminiEmulator) -> None:
    references = [
        genai_types.Part.from_bytes(data=png_bytes(seed=i), mime_type="image/png") for i in range(3)
    ]
    response = gemini.models.generate_content(
        model="gemini-3-pro-image",
        contents=["make them a watercolour triptych", *references],
        config=image_config("1:1"),
    )
    assert emulator.reference_counts[-1] == 3
    assert response.candidates and response.candidates[0].content
    parts = response.candidates[0].content.parts or []
    thoughts = [p for p in parts if p.thought]
    assert [bool(p.text) for p in thoughts] == [True, False]  # a thought text, an interim draft
    (image,) = final_images(response)
    assert image_size(image) == (16, 16)
    usage = response.usage_metadata
    assert usage is not None and usage.prompt_tokens_details
    prompt = {d.modality: d.token_count for d in usage.prompt_tokens_details}
    assert prompt[genai_types.MediaModality.IMAGE] == 3 * IMAGE_INPUT_TOKENS
    too_many = references * 5
    with pytest.raises(genai_errors.ClientError) as refused:
        gemini.models.generate_content(model="gemini-3-pro-image", contents=["x", *too_many])
    assert refused.value.code == 400


def test_text_only_and_withheld_answers(gemini: genai.Client) -> None:
    text = gemini.models.generate_content(
        model="gemini-nano-banana-2.1",
        contents="x",
        config=genai_types.GenerateContentConfig(response_modalities=["TEXT"]),
    )
    assert final_images(text) == [] and "describe it instead" in (text.text or "")
    withheld = gemini.models.generate_content(
        model="gemini-nano-banana-2.1", contents="WITHHOLD this", config=image_config("1:1")
    )
    assert withheld.candidates
    assert withheld.candidates[0].finish_reason == genai_types.FinishReason.IMAGE_SAFETY


@pytest.mark.parametrize("model", RETIRED)
def test_retired_models_are_refused_as_google_refuses_them(
    gemini: genai.Client, emulator: GeminiEmulator, model: str
) -> None:
    before = emulator.total_creations
    with pytest.raises(genai_errors.ClientError) as gone:
        gemini.models.generate_content(model=model, contents="a lighthouse")
    assert gone.value.code == 404 and gone.value.status == "NOT_FOUND"
    assert gone.value.message == (
        f"models/{model} is not found for API version v1, or is not supported for "
        "generateContent. Call ListModels to see the list of available models and their "
        "supported methods."
    )
    assert gone.value.details == {
        "error": {"code": 404, "message": gone.value.message, "status": "NOT_FOUND"}
    }
    with pytest.raises(genai_errors.ClientError) as unknown:
        gemini.models.get(model=model)
    assert unknown.value.code == 404
    assert emulator.total_creations == before


def test_the_model_list_comes_in_pages(gemini: genai.Client, emulator: GeminiEmulator) -> None:
    pager = gemini.models.list(config={"page_size": 3})
    assert len(pager.page) == 3
    listed = {m.name: m for m in pager}  # iterating follows nextPageToken
    assert {f"models/{m}" for m in CURRENT} <= set(listed)
    assert "models/gemini-3.8-flash" in listed and "models/imagen-4.0-generate-001" not in listed
    pro = listed["models/gemini-3-pro-image"]
    assert pro.display_name == IMAGE_MODELS["gemini-3-pro-image"].display_name
    assert pro.supported_actions and "generateContent" in pro.supported_actions

    emulator.serve("gemini-3.5-flash-image")
    emulator.withdraw("gemini-3.1-flash-image")
    try:
        again = {m.name for m in gemini.models.list()}
        assert "models/gemini-3.5-flash-image" in again
        assert "models/gemini-3.1-flash-image" not in again
        with pytest.raises(genai_errors.ClientError) as withdrawn:
            gemini.models.generate_content(model="gemini-3.1-flash-image", contents="x")
        assert withdrawn.value.status == "NOT_FOUND"
        assert gemini.models.get(model="gemini-3.5-flash-image").name == (
            "models/gemini-3.5-flash-image"
        )
    finally:
        emulator.withdraw("gemini-3.5-flash-image")
        emulator.serve("gemini-3.1-flash-image")


def test_gemini_errors_map_to_the_sdk_exceptions(
    gemini: genai.Client, emulator: GeminiEmulator
) -> None:
    before = emulator.total_creations
    bad = genai.Client(
        api_key="wrong", http_options=genai_types.HttpOptions(base_url=emulator.base_url)
    )
    with pytest.raises(genai_errors.ClientError) as rejected:
        bad.models.generate_content(model="gemini-3-pro-image", contents="x")
    assert rejected.value.code == 400 and rejected.value.status == "INVALID_ARGUMENT"
    assert "API key not valid" in (rejected.value.message or "")
    with pytest.raises(genai_errors.ClientError):
        list(bad.models.list())

    emulator.inject("rate_limit")
    with pytest.raises(genai_errors.ClientError) as limited:
        gemini.models.generate_content(model="gemini-3-pro-image", contents="x")
    assert limited.value.code == 429 and limited.value.status == "RESOURCE_EXHAUSTED"
    emulator.inject("no_credit")
    with pytest.raises(genai_errors.ClientError) as unbilled:
        gemini.models.generate_content(model="gemini-3-pro-image", contents="x")
    assert unbilled.value.code == 429 and "limit: 0" in (unbilled.value.message or "")
    emulator.inject("unavailable")
    with pytest.raises(genai_errors.ServerError) as down:
        gemini.models.generate_content(model="gemini-3-pro-image", contents="x")
    assert down.value.code == 503 and down.value.status == "UNAVAILABLE"
    emulator.inject("moderation")
    blocked = gemini.models.generate_content(model="gemini-3-pro-image", contents="x")
    assert blocked.prompt_feedback and blocked.prompt_feedback.block_reason == (
        genai_types.BlockedReason.PROHIBITED_CONTENT
    )
    assert emulator.total_creations == before  # none of these was billed
    assert not emulator.state.faults
