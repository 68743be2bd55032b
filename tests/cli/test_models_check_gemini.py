"""`easel models check` against the Gemini emulator reports exactly the drift planted in
it: a model Google withdrew, and a new image model (not its pinned version, not a new
text model), read from ``models.list`` page by page."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from emulators.gemini import TEXT_METHODS, GeminiEmulator

from .test_cli import easel
from .test_models_check import TODAY, check, provider_section


@pytest.fixture
def emulator() -> Iterator[GeminiEmulator]:
    with GeminiEmulator() as running:
        running.max_page_size = 3  # Easel must follow nextPageToken to see every model
        yield running  # type: ignore[misc]


def google_section(output: str) -> dict[str, Any]:
    return provider_section(output, "google")


def test_a_catalog_in_step_with_google_reports_nothing(
    tmp_path: Path, emulator: GeminiEmulator
) -> None:
    code, output = check(tmp_path, emulator, "--json")
    assert code == 0, output
    assert google_section(output) == {
        "provider": "google",
        "name": "Google Gemini API",
        "checked": True,
        "note": "",
        "not_served": [],
        # Google's list carries no dates, and the deprecated Flash model has none yet.
        "shutting_down": [],
        "missing": [],
    }
    assert emulator.list_calls >= 4  # eleven models, three a page


def test_planted_drift_is_reported_exactly(tmp_path: Path, emulator: GeminiEmulator) -> None:
    emulator.withdraw("gemini-3-pro-image")  # retired early: Easel still offers it
    emulator.serve("gemini-3.5-flash-image")  # a new image model
    emulator.serve("gemini-3.5-flash-image-001")  # and its pinned version: not twice
    emulator.serve("gemini-4-argon", TEXT_METHODS)  # a new text model: not an image model
    code, output = check(tmp_path, emulator, "--json")
    assert code == 2, output  # drift
    found = google_section(output)
    assert found["checked"] is True
    assert found["not_served"] == ["google/gemini-3-pro-image"]
    assert found["missing"] == ["gemini-3.5-flash-image"]
    assert found["shutting_down"] == []

    code, text = check(tmp_path, emulator)
    assert code == 2
    assert "No longer served" in text and "google/gemini-3-pro-image" in text
    assert "Image models Easel lacks" in text and "gemini-3.5-flash-image" in text


def test_a_bad_key_is_reported_not_crashed_on(tmp_path: Path, emulator: GeminiEmulator) -> None:
    env = {**emulator.easel_env(), "GEMINI_API_KEY": "wrong", **TODAY}
    result = easel(
        "models", "check", "--json", "--data-dir", str(tmp_path / "d"), cwd=tmp_path, env=env
    )
    assert result.returncode == 0, result.stderr
    found = google_section(result.stdout)
    assert found["checked"] is False and "rejected the API key" in found["note"]
