"""The studio lists a model that only works on images (Stability's inpaint, background
removal…) only once there is a source image to work on, and then only for its own
operation; models that generate from a prompt are listed without one."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest
from PIL import Image
from playwright.sync_api import expect

from emulators.stability import StabilityEmulator

from .conftest import MODEL, Dashboard, checked, running_dashboard

pytestmark = [pytest.mark.browser, pytest.mark.slow]

INPAINT = "stability/inpaint"
GENERATOR = "stability/stable-image-core"


@pytest.fixture(scope="module")
def tools_dashboard(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dashboard]:
    emulator = StabilityEmulator()
    emulator.start()
    try:
        root = tmp_path_factory.mktemp("tools")
        with running_dashboard(root, emulator, emulator.easel_env()) as dash:
            yield dash
    finally:
        emulator.stop()


@pytest.fixture
def dash(tools_dashboard: Dashboard) -> Iterator[Dashboard]:
    yield from checked(tools_dashboard)


def test_image_tools_are_listed_only_for_their_operation(dash: Dashboard, tmp_path: Any) -> None:
    with dash.api(dash.alice) as client:
        catalog = {m["id"]: m for m in client.get("/api/v1/models").json()}
    assert catalog[INPAINT]["available"] and catalog[INPAINT]["capabilities"]["operations"] == [
        "inpaint"
    ]
    assert "generate" in catalog[GENERATOR]["capabilities"]["operations"]
    page = dash.signed_in()
    tool, generator, offline = (
        page.locator(f'.model-option[data-model="{m}"]') for m in (INPAINT, GENERATOR, MODEL)
    )
    expect(tool).to_be_hidden()
    expect(generator).to_be_visible()

    file = tmp_path / "source.png"
    out = io.BytesIO()
    Image.new("RGB", (96, 96), (40, 120, 200)).save(out, "PNG")
    file.write_bytes(out.getvalue())
    page.set_input_files("#source-file", str(file))
    page.select_option("#operation", "inpaint")
    expect(tool).to_be_visible()
    expect(offline).to_be_visible()
    expect(generator).to_be_hidden()  # it generates, it does not inpaint
    page.select_option("#operation", "upscale")
    expect(tool).to_be_hidden()
    page.click("#source-remove")
    expect(tool).to_be_hidden()
    expect(generator).to_be_visible()
