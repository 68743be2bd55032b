"""`easel models check` with Recraft, Ideogram and Stability configured: none of them
publishes an endpoint that lists the models it serves, so each is reported as not
checked, saying why, while the check still succeeds for the vendors it could ask."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from emulators._base import Emulator
from emulators.ideogram import IdeogramEmulator
from emulators.recraft import RecraftEmulator
from emulators.stability import StabilityEmulator

from .test_cli import easel


@pytest.fixture
def vendors() -> Iterator[list[Emulator]]:
    running: list[Emulator] = [RecraftEmulator(), IdeogramEmulator(), StabilityEmulator()]
    for emulator in running:
        emulator.start()
    try:
        yield running
    finally:
        for emulator in running:
            emulator.stop()


def test_vendors_without_a_model_list_are_reported_not_checkable(
    tmp_path: Path, vendors: list[Emulator]
) -> None:
    env = {"EASEL_TODAY": "2026-11-27"}
    for emulator in vendors:
        env |= emulator.easel_env()
    data_dir = str(tmp_path / "data")
    result = easel("models", "check", "--json", "--data-dir", data_dir, cwd=tmp_path, env=env)
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 0, result.stdout
    found = {p["provider"]: p for p in json.loads(result.stdout)["providers"]}
    for provider in ("recraft", "ideogram", "stability"):
        assert found[provider]["checked"] is False, found[provider]
        assert found[provider]["note"] == "It has no way to list its models.", found[provider]
        assert found[provider]["not_served"] == [] and found[provider]["missing"] == []
    # Nothing was generated (and so nothing paid) to find that out.
    assert all(e.total_creations == 0 for e in vendors)
