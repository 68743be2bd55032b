"""Assist in the studio, in a real browser against the offline assistant: a dropped image
is described word by word and its prompt generates; "Improve" lists suggestions to pick
from; Stop ends a run mid-stream and the server records it canceled."""

from __future__ import annotations

import base64
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from emulators.replicate import ReplicateEmulator

from .conftest import MODEL, Dashboard, checked, poll, running_dashboard

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# Every change of the analysis text's length, as the page saw it.
ANALYSIS_PROBE = """
window.__analysis = [];
new MutationObserver(() => {
  const text = document.querySelector("#analysis .analysis-text");
  const length = text ? text.textContent.length : 0;
  const log = window.__analysis;
  if (length && log[log.length - 1] !== length) log.push(length);
}).observe(document, { subtree: true, childList: true, characterData: true });
"""
# A File dropped on the drop zone, as a person dragging it from their desktop.
DROP = """([zone, b64]) => {
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const transfer = new DataTransfer();
  transfer.items.add(new File([bytes], "harbour.png", { type: "image/png" }));
  for (const type of ["dragenter", "dragover", "drop"]) {
    const init = { dataTransfer: transfer, bubbles: true, cancelable: true };
    zone.dispatchEvent(new DragEvent(type, init));
  }
}"""


@pytest.fixture(scope="module")
def assist_dashboard(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dashboard]:
    emulator = ReplicateEmulator()
    emulator.start()
    # A pause per word, so a run lasts long enough to watch it grow and to stop it.
    env = {**emulator.easel_env(), "EASEL_PROVIDERS__OFFLINE__OPTIONS__WORD_SECONDS": "0.05"}
    try:
        with running_dashboard(tmp_path_factory.mktemp("assist"), emulator, env) as dash:
            yield dash
    finally:
        emulator.stop()


@pytest.fixture
def dash(assist_dashboard: Dashboard) -> Iterator[Dashboard]:
    yield from checked(assist_dashboard)


def picture() -> str:
    """A warm sky over a dark sea, as PNG in base64."""
    image = Image.new("RGB", (240, 160), (250, 150, 60))
    image.paste((20, 40, 90), (0, 100, 240, 160))
    out = io.BytesIO()
    image.save(out, "PNG")
    return base64.b64encode(out.getvalue()).decode()


def drop_image(page: Page) -> None:
    page.evaluate(DROP, [page.locator("#drop-zone").element_handle(), picture()])


def runs(dash: Dashboard, kind: str) -> list[dict[str, Any]]:
    with dash.api(dash.alice) as client:
        answer = client.get("/api/v1/assist", params={"kind": kind})
        assert answer.status_code == 200, answer.text
        return list(answer.json()["items"])


def analysis_text(page: Page) -> str:
    return str(page.locator("#analysis .analysis-text").text_content() or "")


def test_describe_a_dropped_image_use_it_as_the_prompt_and_generate(dash: Dashboard) -> None:
    page = dash.signed_in(width=1440, height=1000)
    page.add_init_script(ANALYSIS_PROBE)
    page.reload()
    page.wait_for_selector("#prompt")
    expect(page.locator("#assist-model")).to_have_value("offline/assistant")
    expect(page.locator("#assist-model-about")).to_contain_text("Free")
    # The hosted assistants are listed with what to set up, as image models are.
    expect(page.locator(".assist-model .reason").first).to_contain_text("API_KEY")

    described_before = {r["id"] for r in runs(dash, "describe")}
    drop_image(page)
    expect(page.locator("#reference-thumbs img")).to_have_count(1)
    expect(page.locator("#use-analysis")).to_be_visible(timeout=30_000)
    expect(page.locator("#describe-status")).to_have_text("Done")

    # The words arrived one after another: the text grew through many lengths.
    lengths: list[int] = page.evaluate("window.__analysis")
    final = analysis_text(page)
    assert lengths == sorted(lengths), lengths
    assert len(lengths) >= 10, lengths
    assert lengths[0] < len(final) / 4, (lengths[0], len(final))
    (run,) = [r for r in runs(dash, "describe") if r["id"] not in described_before]
    assert run["status"] == "succeeded" and run["model"] == "offline/assistant"
    assert run["text"] == final
    dash.shot(page, "studio-assist-describe")

    page.click("#use-analysis")
    expect(page.locator("#prompt")).to_have_value(run["prompt"])
    for box in page.locator('.model-list input[type="checkbox"]:checked').all():
        box.uncheck()
    page.locator(f'.model-option[data-model="{MODEL}"] input[type="checkbox"]').check()
    page.select_option("#shape", "size:256x256")
    page.click("#generate")
    card = page.locator(".variant").first
    expect(card).to_have_attribute("data-status", "succeeded", timeout=60_000)
    with dash.api(dash.alice) as client:
        (job,) = client.get("/api/v1/jobs", params={"limit": 1}).json()["items"]
    assert job["prompt"] == run["prompt"]


def test_improve_lists_suggestions_and_one_is_picked(dash: Dashboard) -> None:
    page = dash.signed_in()
    page.fill("#prompt", "a fox in snow")
    page.click("#improve")
    expect(page.locator("#improve-stop")).to_be_visible()
    expect(page.locator("#suggestions li")).to_have_count(3, timeout=30_000)
    expect(page.locator("#improve-status")).to_have_text("Done")
    expect(page.locator("#improve-stop")).to_be_hidden()
    dash.shot(page, "studio-assist-improve")

    second = page.locator("#suggestions li").nth(1)
    chosen = str(second.locator(".suggestion-prompt").text_content())
    assert chosen and chosen != "a fox in snow"
    second.get_by_role("button", name="Use suggestion 2").click()
    expect(page.locator("#prompt")).to_have_value(chosen)
    (run, *_) = runs(dash, "prompt")
    assert run["request_text"] == "a fox in snow"
    assert [s["prompt"] for s in run["suggestions"]][1] == chosen


def test_stop_ends_a_describe_mid_stream(dash: Dashboard, tmp_path: Path) -> None:
    page = dash.signed_in()
    described_before = {r["id"] for r in runs(dash, "describe")}
    file = tmp_path / "sea.png"
    file.write_bytes(base64.b64decode(picture()))
    page.set_input_files("#reference-files", str(file))  # picked instead of dropped
    text = page.locator("#analysis .analysis-text")
    expect(text).not_to_be_empty()
    page.click("#describe-stop")
    expect(page.locator("#describe-status")).to_have_text("Stopped")
    expect(page.locator("#describe-stop")).to_be_hidden()
    shown = analysis_text(page)

    # The server saw the client leave and ended the run there, keeping the text so far.
    def canceled() -> dict[str, Any] | None:
        fresh = [r for r in runs(dash, "describe") if r["id"] not in described_before]
        return fresh[0] if fresh and fresh[0]["status"] == "canceled" else None

    run = poll(canceled, what="the run to be recorded canceled")
    assert analysis_text(page) == shown  # nothing arrived after Stop
    assert shown and run["text"].startswith(shown.rstrip())
    expect(page.locator("#use-analysis")).to_be_hidden()
    expect(page.locator("#describe-again")).to_be_visible()
