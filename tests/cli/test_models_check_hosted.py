"""`easel models check` against the Black Forest Labs, Replicate, fal and BytePlus
emulators reports exactly the drift planted in each: a model the vendor withdrew and a
new model in a family Easel follows, and nothing for the vendor's other models."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from emulators.bfl import BFLEmulator
from emulators.byteplus import BytePlusEmulator
from emulators.fal import FalEmulator
from emulators.replicate import ReplicateEmulator

from .test_cli import easel

TODAY = {"EASEL_TODAY": "2026-11-27"}
IN_STEP = {"checked": True, "note": "", "not_served": [], "shutting_down": [], "missing": []}


@dataclass
class Vendors:
    bfl: BFLEmulator
    replicate: ReplicateEmulator
    fal: FalEmulator
    byteplus: BytePlusEmulator

    def env(self) -> dict[str, str]:
        env = dict(TODAY)
        for emulator in (self.bfl, self.replicate, self.fal, self.byteplus):
            env |= emulator.easel_env()
        return env


@pytest.fixture
def vendors() -> Iterator[Vendors]:
    running = Vendors(BFLEmulator(), ReplicateEmulator(), FalEmulator(), BytePlusEmulator())
    emulators = (running.bfl, running.replicate, running.fal, running.byteplus)
    for emulator in emulators:
        emulator.start()
    try:
        yield running
    finally:
        for emulator in emulators:
            emulator.stop()


def check(tmp_path: Path, env: dict[str, str]) -> tuple[int, dict[str, dict[str, Any]]]:
    data_dir = str(tmp_path / "data")
    result = easel("models", "check", "--json", "--data-dir", data_dir, cwd=tmp_path, env=env)
    assert "Traceback" not in result.stderr, result.stderr
    report = json.loads(result.stdout)
    return result.returncode, {p["provider"]: p for p in report["providers"]}


def findings(section: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in section.items() if k not in ("provider", "name")}


def test_catalogs_in_step_with_the_vendors_report_nothing(tmp_path: Path, vendors: Vendors) -> None:
    code, found = check(tmp_path, vendors.env())
    assert code == 0, found
    for provider in ("bfl", "replicate", "fal"):
        assert findings(found[provider]) == IN_STEP, provider
    # ModelArk's runtime API has no way to list models.
    assert found["byteplus"]["checked"] is False
    assert "no way to list" in found["byteplus"]["note"]


def test_planted_drift_is_reported_exactly(tmp_path: Path, vendors: Vendors) -> None:
    vendors.bfl.withdraw("flux-pro-1.1-ultra")  # retired early: Easel still offers it
    vendors.bfl.serve("flux-2-ultra")  # a new FLUX.2 model
    vendors.bfl.serve("flux-2-max-preview")  # a preview of a model Easel has
    vendors.bfl.serve("flux-kontext-ultra")  # an editing endpoint: not reported
    vendors.replicate.withdraw("ideogram-ai/ideogram-v2")  # removed from Replicate
    vendors.fal.page_size = 2  # the listing comes in several pages
    vendors.fal.withdraw("fal-ai/flux/dev")
    vendors.fal.serve("fal-ai/flux-2-max")  # a new FLUX.2 endpoint on fal
    vendors.fal.serve("fal-ai/qwen-image")  # a family Easel does not follow on fal
    vendors.fal.deprecate("fal-ai/flux/schnell")  # still served
    vendors.fal.serve("fal-ai/flux-2/klein/9b/edit", category="image-to-image")
    code, found = check(tmp_path, vendors.env())
    assert code == 2, found
    assert findings(found["bfl"]) == {
        **IN_STEP,
        "not_served": ["bfl/flux-pro-1.1-ultra"],
        "missing": ["flux-2-ultra"],
    }
    assert findings(found["replicate"]) == {**IN_STEP, "not_served": ["replicate/ideogram-v2"]}
    assert findings(found["fal"]) == {
        **IN_STEP,
        "not_served": ["fal/flux-dev"],
        "missing": ["fal-ai/flux-2-max"],
    }


def test_a_vendor_that_refuses_the_key_is_reported_not_crashed_on(
    tmp_path: Path, vendors: Vendors
) -> None:
    env = vendors.env()
    vendors.fal.api_key = "rotated"
    vendors.replicate.api_key = "rotated"
    code, found = check(tmp_path, env)
    assert code == 0, found
    for provider in ("fal", "replicate"):
        assert found[provider]["checked"] is False
        assert "rejected the API key" in found[provider]["note"], found[provider]
