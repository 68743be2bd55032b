"""`easel models check` against the OpenAI emulator reports exactly the drift planted in
it: a model the vendor withdrew, a shutdown date the catalog lacks, a new image model."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from emulators._base import Emulator
from emulators.openai import OpenAIEmulator

from .test_cli import easel

TODAY = {"EASEL_TODAY": "2026-11-27"}
KNOWN = [
    {"model": "openai/chatgpt-image-latest", "shutdown_date": "2026-12-01", "news": False},
    {"model": "openai/gpt-image-1-mini", "shutdown_date": "2026-12-01", "news": False},
    {"model": "openai/gpt-image-1.5", "shutdown_date": "2026-12-01", "news": False},
]


@pytest.fixture
def emulator() -> Iterator[OpenAIEmulator]:
    with OpenAIEmulator() as running:
        yield running  # type: ignore[misc]


def check(tmp_path: Path, emulator: Emulator, *args: str) -> tuple[int, str]:
    env = {**emulator.easel_env(), **TODAY}
    result = easel(
        "models", "check", *args, "--data-dir", str(tmp_path / "data"), cwd=tmp_path, env=env
    )
    assert "Traceback" not in result.stderr, result.stderr
    return result.returncode, result.stdout


def provider_section(output: str, provider: str) -> dict[str, Any]:
    report = json.loads(output)
    (found,) = [p for p in report["providers"] if p["provider"] == provider]
    return dict(found)


def openai_section(output: str) -> dict[str, Any]:
    return provider_section(output, "openai")


def test_a_catalog_in_step_with_the_vendor_reports_only_known_shutdowns(
    tmp_path: Path, emulator: OpenAIEmulator
) -> None:
    code, output = check(tmp_path, emulator, "--json")
    assert code == 0, output
    assert openai_section(output) == {
        "provider": "openai",
        "name": "OpenAI",
        "checked": True,
        "note": "",
        "not_served": [],
        "shutting_down": KNOWN,
        "missing": [],
    }
    others = {
        p["provider"]: p for p in json.loads(output)["providers"] if p["provider"] != "openai"
    }
    assert not any(p["checked"] for p in others.values())
    assert "REPLICATE_API_TOKEN" in others["replicate"]["note"]  # no key: not asked
    assert "no way to list" in others["offline"]["note"]


def test_planted_drift_is_reported_exactly(tmp_path: Path, emulator: OpenAIEmulator) -> None:
    emulator.withdraw("gpt-image-2.5-flare")  # retired early: Easel still offers it
    emulator.serve("gpt-image-2", "2027-03-01")  # a shutdown Easel does not know
    emulator.serve("gpt-image-3")  # a new image model
    emulator.serve("gpt-image-3-2027-01-15")  # and its snapshot: not reported twice
    emulator.serve("gpt-6.5-terra")  # a new text model: not an image model
    code, output = check(tmp_path, emulator, "--json")
    assert code == 2, output  # drift
    found = openai_section(output)
    assert found["checked"] is True
    assert found["not_served"] == ["openai/gpt-image-2.5-flare"]
    assert found["missing"] == ["gpt-image-3"]
    assert found["shutting_down"] == sorted(
        [*KNOWN, {"model": "openai/gpt-image-2", "shutdown_date": "2027-03-01", "news": True}],
        key=lambda s: s["model"],
    )

    code, text = check(tmp_path, emulator)
    assert code == 2
    assert "No longer served" in text and "openai/gpt-image-2.5-flare" in text
    assert "openai/gpt-image-2 on 2027-03-01 (new)" in text
    assert "Image models Easel lacks" in text and "gpt-image-3" in text


def test_a_bad_key_is_reported_not_crashed_on(tmp_path: Path, emulator: OpenAIEmulator) -> None:
    env = {**emulator.easel_env(), "OPENAI_API_KEY": "sk-wrong", **TODAY}
    result = easel(
        "models", "check", "--json", "--data-dir", str(tmp_path / "d"), cwd=tmp_path, env=env
    )
    assert result.returncode == 0, result.stderr
    found = openai_section(result.stdout)
    assert found["checked"] is False and "rejected the API key" in found["note"]
