"""Google's retired image models through every interface: Imagen and Gemini 2.5 Flash
Image are never offered, and asking for them is refused naming the replacement on `/v1`
(read through the openai SDK's exception) and MCP, as on `/api/v1` (test_gemini.py). The
deprecated Gemini 3.1 Flash Image is offered without a date, naming its successor."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import openai
import pytest

from emulators.gemini import GeminiEmulator

from .conftest import Easel, running_easel
from .test_model_lifecycle import mcp_client

RETIRED = ("google/imagen-4", "google/imagen-3", "google/gemini-2.5-flash-image")
NEWEST = "google/gemini-nano-banana-2.1"
DEPRECATED = "google/gemini-3.1-flash-image"


@pytest.fixture(scope="module")
def easel(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Easel]:
    with GeminiEmulator() as emulator:
        data_dir: Path = tmp_path_factory.mktemp("gemini-lifecycle") / "data"
        env = {**emulator.easel_env(), "EASEL_TODAY": "2026-11-27"}
        with running_easel(data_dir, env) as running:
            yield running


@pytest.mark.parametrize("model", RETIRED)
def test_v1_refuses_a_retired_model_as_openai_would_naming_the_replacement(
    easel: Easel, model: str
) -> None:
    with openai.OpenAI(base_url=f"{easel.url}/v1", api_key=easel.token, max_retries=0) as sdk:
        listed = {m.id: m for m in sdk.models.list()}
        with pytest.raises(openai.NotFoundError) as gone:
            sdk.images.generate(model=model, prompt="a lighthouse")
    assert gone.value.code == "model_not_found"
    assert model in gone.value.message and NEWEST in gone.value.message
    assert model not in listed and NEWEST in listed
    assert listed[DEPRECATED].shutdown_date is None  # deprecated, no date announced


async def test_mcp_lists_googles_lifecycles_and_refuses_retired_models(easel: Easel) -> None:
    async with mcp_client(easel) as client:
        listed = (await client.call_tool("list_models", {})).structured_content
        by_id = {m["id"]: m for m in listed["models"]}  # type: ignore[index]
        assert not set(RETIRED) & set(by_id)
        old = by_id[DEPRECATED]
        assert (old["status"], old["shutdown_date"], old["replacement"]) == (
            "deprecated",
            None,
            NEWEST,
        )
        for model in RETIRED:
            refused = await client.call_tool("generate_image", {"prompt": "x", "models": [model]})
            assert refused.is_error and NEWEST in str(refused.content[0]), model

        made = await client.call_tool(
            "generate_image", {"prompt": "a red kite", "models": [NEWEST], "aspect_ratio": "16:9"}
        )
        assert not made.is_error, made.content
        summary = made.structured_content
        assert summary is not None and summary["status"] == "succeeded"
        assert [v["model"] for v in summary["variants"]] == [NEWEST]
