"""The official ``anthropic``, ``openai`` and ``google-genai`` streaming clients work unchanged
against the text-model emulators: text deltas in order, usage at the end, ping frames and
thought parts skipped, an error event mid-stream raised as the SDK's own error, a 429 with
``retry-after`` retried by the SDK after that wait, and Anthropic's 529 overloaded. The
emulators speak the real wire formats, so Easel's adapters are tested against them."""

from __future__ import annotations

import base64
import time
from collections.abc import Iterator

import anthropic
import openai
import pytest
from google import genai
from google.genai import errors as genai_errors
from google.genai import types as genai_types

from emulators._base import png_bytes
from emulators._text import DESCRIBE_REPLY, SUGGEST_REPLY, deltas
from emulators.anthropic import AnthropicEmulator
from emulators.gemini import GeminiEmulator
from emulators.openai_responses import OpenAIResponsesEmulator

IMAGE = base64.b64encode(png_bytes(seed=5)).decode()


@pytest.fixture(scope="module")
def claude() -> Iterator[AnthropicEmulator]:
    with AnthropicEmulator() as running:
        running.delta_interval = 0.002
        yield running  # type: ignore[misc]


@pytest.fixture(scope="module")
def gpt() -> Iterator[OpenAIResponsesEmulator]:
    with OpenAIResponsesEmulator() as running:
        running.delta_interval = 0.002
        yield running  # type: ignore[misc]


@pytest.fixture(scope="module")
def gemini() -> Iterator[GeminiEmulator]:
    with GeminiEmulator() as running:
        running.delta_interval = 0.002
        yield running  # type: ignore[misc]


def _claude_client(emulator: AnthropicEmulator, retries: int = 0) -> anthropic.AsyncAnthropic:
    return anthropic.AsyncAnthropic(
        api_key=emulator.api_key, base_url=emulator.base_url, max_retries=retries
    )


def _image_message() -> list[anthropic.types.MessageParam]:
    source = {"type": "base64", "media_type": "image/png", "data": IMAGE}
    return [
        {
            "role": "user",
            "content": [
                {"type": "image", "source": source},  # type: ignore[typeddict-item]
                {"type": "text", "text": "Describe it."},
            ],
        }
    ]


async def test_claude_streams_text_deltas_in_order_with_usage(claude: AnthropicEmulator) -> None:
    pieces: list[str] = []
    kinds: list[str] = []
    async with (
        _claude_client(claude) as client,
        client.messages.stream(
            model="claude-sonnet-5-5", max_tokens=1024, messages=_image_message()
        ) as stream,
    ):
        async for event in stream:
            kinds.append(event.type)
            if event.type == "content_block_delta" and event.delta.type == "text_delta":
                pieces.append(event.delta.text)
        final = await stream.get_final_message()
    assert pieces == deltas(DESCRIBE_REPLY)
    assert kinds[0] == "message_start" and kinds[-1] == "message_stop"
    assert final.usage.output_tokens == len(pieces) + 4 and final.usage.input_tokens > 1600
    assert [block.type for block in final.content] == ["thinking", "text"]
    assert final.stop_reason == "end_turn"
    sent = claude.traffic.headers[-1]
    assert sent["anthropic-version"] == anthropic._constants.ANTHROPIC_API_VERSION


async def test_claude_error_event_mid_stream_is_the_sdks_error(claude: AnthropicEmulator) -> None:
    claude.inject("mid_stream_error")
    pieces: list[str] = []
    with pytest.raises(anthropic.APIStatusError, match="Overloaded"):
        async with (
            _claude_client(claude) as client,
            client.messages.stream(
                model="claude-haiku-5-5",
                max_tokens=256,
                messages=[{"role": "user", "content": "hi"}],
            ) as stream,
        ):
            async for text in stream.text_stream:
                pieces.append(text)
    assert pieces == deltas(SUGGEST_REPLY)[: claude.stall_after]


async def test_claude_429_is_retried_after_retry_after(claude: AnthropicEmulator) -> None:
    claude.inject("rate_limit", retry_after=0.3)
    before = len(claude.traffic.bodies)
    started = time.monotonic()
    async with _claude_client(claude, retries=1) as client:
        message = await client.messages.create(
            model="claude-haiku-5-5", max_tokens=64, messages=[{"role": "user", "content": "hi"}]
        )
    assert time.monotonic() - started >= 0.3
    assert message.content and len(claude.traffic.bodies) == before + 2  # refused, then served


async def test_claude_529_is_overloaded_and_retired_or_sampled_calls_refused(
    claude: AnthropicEmulator,
) -> None:
    hello: list[anthropic.types.MessageParam] = [{"role": "user", "content": "hi"}]
    async with _claude_client(claude) as client:
        claude.inject("overloaded")
        with pytest.raises(anthropic.OverloadedError) as overloaded:
            await client.messages.create(model="claude-sonnet-5-5", max_tokens=64, messages=hello)
        assert overloaded.value.status_code == 529
        with pytest.raises(anthropic.NotFoundError, match="claude-3-5-sonnet"):
            await client.messages.create(
                model="claude-3-5-sonnet-20241022", max_tokens=64, messages=hello
            )
        # The SDK no longer takes sampling parameters; sent anyway, they are refused.
        with pytest.raises(anthropic.BadRequestError, match="temperature"):
            await client.messages.create(
                model="claude-sonnet-5-5",
                max_tokens=64,
                messages=hello,
                extra_body={"temperature": 0.2},
            )
    async with anthropic.AsyncAnthropic(
        api_key="wrong", base_url=claude.base_url, max_retries=0
    ) as wrong:
        with pytest.raises(anthropic.AuthenticationError):
            await wrong.messages.create(model="claude-sonnet-5-5", max_tokens=64, messages=hello)


def _gpt_client(emulator: OpenAIResponsesEmulator, retries: int = 0) -> openai.AsyncOpenAI:
    return openai.AsyncOpenAI(
        api_key=emulator.api_key, base_url=f"{emulator.base_url}/v1", max_retries=retries
    )


async def test_gpt_streams_output_text_deltas_with_usage(gpt: OpenAIResponsesEmulator) -> None:
    image = {"type": "input_image", "image_url": f"data:image/png;base64,{IMAGE}", "detail": "auto"}
    text = {"type": "input_text", "text": "Describe it."}
    pieces: list[str] = []
    numbers: list[int] = []
    usage = None
    async with _gpt_client(gpt) as client:
        stream = await client.responses.create(
            model="gpt-6.2-sol",
            input=[{"role": "user", "content": [image, text]}],  # type: ignore[list-item]
            stream=True,
        )
        async for event in stream:
            numbers.append(event.sequence_number)
            if event.type == "response.output_text.delta":
                pieces.append(event.delta)
            if event.type == "response.completed":
                usage = event.response.usage
    assert pieces == deltas(DESCRIBE_REPLY)
    assert numbers == sorted(numbers) and len(set(numbers)) == len(numbers)
    assert usage is not None and usage.output_tokens == len(pieces) and usage.input_tokens > 765


async def test_gpt_error_event_429_and_retired_model(gpt: OpenAIResponsesEmulator) -> None:
    async with _gpt_client(gpt) as client, _gpt_client(gpt, retries=1) as retrying:
        gpt.inject("mid_stream_error")
        stream = await client.responses.create(model="gpt-6-luna", input="hi", stream=True)
        kinds = [event.type async for event in stream]
        assert kinds.count("response.output_text.delta") == gpt.stall_after
        assert kinds[-1] == "error" and "response.completed" not in kinds

        gpt.inject("rate_limit", retry_after=0.3)
        started = time.monotonic()
        response = await retrying.responses.create(model="gpt-6-luna", input="hi")
        assert time.monotonic() - started >= 0.3 and response.output_text == SUGGEST_REPLY
        with pytest.raises(openai.NotFoundError, match="does not exist"):
            await client.responses.create(model="gpt-4-vision-preview", input="hi")


def _gemini_client(emulator: GeminiEmulator, attempts: int = 1) -> genai.Client:
    options = genai_types.HttpOptions(
        base_url=emulator.base_url,
        api_version="v1beta",
        retry_options=genai_types.HttpRetryOptions(attempts=attempts, initial_delay=0.3),
    )
    return genai.Client(api_key=emulator.api_key, http_options=options)


async def test_gemini_streams_chunks_with_usage_on_the_last(gemini: GeminiEmulator) -> None:
    picture = genai_types.Part.from_bytes(data=png_bytes(seed=2), mime_type="image/png")
    client = _gemini_client(gemini).aio
    pieces: list[str] = []
    chunks = []
    try:
        stream = await client.models.generate_content_stream(
            model="gemini-3.8-flash", contents=[picture, "Describe it."]
        )
        async for chunk in stream:
            chunks.append(chunk)
            assert chunk.candidates and chunk.candidates[0].content
            parts = chunk.candidates[0].content.parts or []
            pieces += [p.text for p in parts if p.text and not p.thought]
    finally:
        await client.aclose()
    assert "".join(pieces) == DESCRIBE_REPLY
    last = chunks[-1]
    assert last.candidates and last.candidates[0].finish_reason == genai_types.FinishReason.STOP
    assert last.usage_metadata
    assert last.usage_metadata.candidates_token_count == len(deltas(DESCRIBE_REPLY))
    assert gemini.traffic.headers[-1]["x-goog-api-key"] == gemini.api_key


async def test_gemini_error_chunk_and_429(gemini: GeminiEmulator) -> None:
    client, retrying = _gemini_client(gemini).aio, _gemini_client(gemini, attempts=2).aio
    try:
        gemini.inject("mid_stream_error")
        stream = await client.models.generate_content_stream(
            model="gemini-3.8-flash", contents="an idea"
        )
        seen = 0
        with pytest.raises(genai_errors.ServerError) as failed:
            async for _ in stream:
                seen += 1
        assert failed.value.code == 503 and seen == 1 + gemini.stall_after
        gemini.inject("rate_limit", retry_after=0.3)
        with pytest.raises(genai_errors.ClientError) as limited:
            stream = await client.models.generate_content_stream(
                model="gemini-3.8-flash", contents="x"
            )
            async for _ in stream:
                pass
        assert limited.value.code == 429
        gemini.inject("rate_limit", retry_after=0.3)
        stream = await retrying.models.generate_content_stream(
            model="gemini-3.8-flash", contents="an idea"
        )
        assert "".join([chunk.text or "" async for chunk in stream]) == SUGGEST_REPLY
    finally:
        await client.aclose()
        await retrying.aclose()
