"""Recraft's API is OpenAI-compatible (https://www.recraft.ai/docs/api-reference/agents:
non-OpenAI parameters go in ``extra_body``), so the official ``openai`` SDK drives the
Recraft emulator unchanged: raster and vector models answer URLs the SDK parses, and a
model or size Recraft refuses comes back as the SDK's own exception."""

from __future__ import annotations

import io
from collections.abc import Iterator

import httpx
import openai
import pytest
from lxml import etree
from PIL import Image

from emulators.recraft import RecraftEmulator


@pytest.fixture(scope="module")
def emulator() -> Iterator[RecraftEmulator]:
    with RecraftEmulator() as running:
        yield running  # type: ignore[misc]


@pytest.fixture
def client(emulator: RecraftEmulator) -> Iterator[openai.OpenAI]:
    # max_retries=0: an SDK retry would hide a refusal the emulator is meant to show.
    with openai.OpenAI(
        api_key=emulator.api_key, base_url=f"{emulator.base_url}/v1", max_retries=0
    ) as sdk:
        yield sdk


@pytest.mark.parametrize(
    ("model", "size", "drawn"),
    [
        ("recraftv4_1", "1280x832", (80, 52)),
        ("recraftv4_1_pro", "2048x2048", (128, 128)),
        ("recraftv4", "768x1344", (48, 84)),
        ("recraftv3", "1365x1024", (85, 64)),
    ],
)
def test_raster_models_answer_a_url_the_sdk_parses(
    client: openai.OpenAI, model: str, size: str, drawn: tuple[int, int]
) -> None:
    result = client.images.generate(
        model=model,
        prompt="a paper crane",
        size=size,  # type: ignore[arg-type]
        response_format="url",
    )
    assert result.data is not None and result.data[0].url is not None
    with Image.open(io.BytesIO(httpx.get(result.data[0].url).content)) as image:
        assert (image.format, image.size) == ("PNG", drawn)


def test_a_vector_model_takes_an_aspect_ratio_and_answers_svg(client: openai.OpenAI) -> None:
    result = client.images.generate(
        model="recraftv4_1_vector",
        prompt="a fox logo",
        size="16:9",  # type: ignore[arg-type]
        response_format="url",
    )
    assert result.data is not None and result.data[0].url is not None
    answer = httpx.get(result.data[0].url)
    assert answer.headers["content-type"].startswith("image/svg+xml")
    assert etree.fromstring(answer.content).tag == "{http://www.w3.org/2000/svg}svg"


@pytest.mark.parametrize(
    ("model", "size", "extra", "words"),
    [
        ("recraftv5", "1024x1024", {}, "unknown model"),
        ("recraftv4_1", "1365x1024", {}, "size 1365x1024 is not supported"),
        ("recraftv4_vector", "1024x1024", {}, "size 1024x1024 is not supported"),
        ("recraftv4_1", "1024x1024", {"style": "realistic_image"}, "style"),
    ],
)
def test_what_recraft_refuses_is_the_sdks_bad_request(
    client: openai.OpenAI, model: str, size: str, extra: dict[str, str], words: str
) -> None:
    with pytest.raises(openai.BadRequestError) as refused:
        client.images.generate(
            model=model,
            prompt="x",
            size=size,  # type: ignore[arg-type]
            extra_body=extra,
        )
    assert refused.value.status_code == 400
    assert words in str(refused.value)


def test_a_bad_token_is_the_sdks_authentication_error(emulator: RecraftEmulator) -> None:
    with (
        openai.OpenAI(api_key="wrong", base_url=f"{emulator.base_url}/v1", max_retries=0) as sdk,
        pytest.raises(openai.AuthenticationError),
    ):
        sdk.images.generate(model="recraftv4_1", prompt="x")
