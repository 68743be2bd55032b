"""Working on images in the dashboard, in a real browser against the offline painter: an
image dropped, pasted or picked becomes the studio's source; a mask painted with the mouse
drives an inpaint; Upscale from the history detail doubles the image; outpaint's edges are
dragged; and a PNG from AUTOMATIC1111, InvokeAI or Easel fills the studio's settings."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
from typing import Any

import pytest
from PIL import Image, PngImagePlugin
from playwright.sync_api import Page, expect

from .conftest import MODEL, Dashboard

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# A File put into a DataTransfer and dropped on an element, as from a desktop; or pasted.
DROP = """([target, b64, name]) => {
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const transfer = new DataTransfer();
  transfer.items.add(new File([bytes], name, { type: "image/png" }));
  for (const type of ["dragenter", "dragover", "drop"]) {
    const init = { dataTransfer: transfer, bubbles: true, cancelable: true };
    target.dispatchEvent(new DragEvent(type, init));
  }
}"""
PASTE = """([target, b64]) => {
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const transfer = new DataTransfer();
  transfer.items.add(new File([bytes], "pasted.png", { type: "image/png" }));
  target.dispatchEvent(new ClipboardEvent("paste", { clipboardData: transfer, bubbles: true,
                                                     cancelable: true }));
}"""


def png(size: tuple[int, int], colour: tuple[int, int, int], info: Any = None) -> bytes:
    """A sky over a darker ground, as PNG bytes (with text chunks from ``info``)."""
    image = Image.new("RGB", size, colour)
    image.paste((30, 40, 70), (0, size[1] * 2 // 3, size[0], size[1]))
    out = io.BytesIO()
    image.save(out, "PNG", pnginfo=info)
    return out.getvalue()


def drop(page: Page, data: bytes, name: str = "dropped.png", on: str = "#feed") -> None:
    target = page.locator(on).element_handle()
    page.evaluate(DROP, [target, base64.b64encode(data).decode(), name])


def choose_offline(page: Page) -> None:
    for box in page.locator('.model-list input[type="checkbox"]:checked').all():
        box.uncheck()
    page.locator(f'.model-option[data-model="{MODEL}"] input[type="checkbox"]').check()


def finished_job(page: Page, dash: Dashboard, operation: str) -> dict[str, Any]:
    """The newest job in the studio's feed, once it is an `operation` and succeeded."""
    job = page.locator(".results-job").first
    expect(job).to_have_attribute("data-operation", operation)
    card = job.locator(".variant").first
    expect(card).to_have_attribute("data-status", "succeeded", timeout=60_000)
    with dash.api(dash.alice) as client:
        answer = client.get(f"/api/v1/jobs/{job.get_attribute('data-job-id')}")
        assert answer.status_code == 200, answer.text
        return dict(answer.json())


def image_of(dash: Dashboard, url: str) -> Image.Image:
    with dash.api(dash.alice) as client:
        answer = client.get(url)
        assert answer.status_code == 200, answer.text
        return Image.open(io.BytesIO(answer.content))


# ------------------------------------------------------------------ a source image


def test_dropped_pasted_and_picked_images_become_the_source_and_upscale(
    dash: Dashboard, tmp_path: Any
) -> None:
    page = dash.signed_in()
    choose_offline(page)
    dropped = png((96, 64), (240, 160, 60))
    drop(page, dropped)
    card = page.locator("#source-card")
    expect(card).to_have_attribute("data-sha", hashlib.sha256(dropped).hexdigest())
    expect(card).to_contain_text("96 × 64 px")
    # Only the operations some model does are offered, and the prompt is optional.
    expect(page.locator("#operation option:not([disabled])")).to_have_count(7)
    page.select_option("#operation", "remove_background")
    expect(page.locator("#prompt")).to_be_disabled()  # it takes no prompt
    expect(page.locator("#generate")).to_contain_text("Remove background")
    page.select_option("#operation", "upscale")
    expect(page.locator('label[for="prompt"]')).to_contain_text("optional")
    expect(page.locator("#shape")).to_be_hidden()  # the size follows from the image

    # Ctrl+V of an image replaces it; then one picked with the file picker.
    pasted = png((80, 80), (90, 200, 120))
    page.evaluate(
        PASTE, [page.locator("#prompt").element_handle(), base64.b64encode(pasted).decode()]
    )
    expect(card).to_have_attribute("data-sha", hashlib.sha256(pasted).hexdigest())
    picked = png((120, 72), (200, 80, 160))
    file = tmp_path / "picked.png"
    file.write_bytes(picked)
    page.set_input_files("#source-file", str(file))
    expect(card).to_have_attribute("data-sha", hashlib.sha256(picked).hexdigest())
    expect(card).to_contain_text("picked.png")

    page.select_option("#operation", "upscale")
    page.select_option("#factor", "4")
    page.fill("#prompt", "")
    page.click("#generate")
    job = finished_job(page, dash, "upscale")
    assert job["made_from"][0]["image"]["sha256"] == hashlib.sha256(picked).hexdigest()
    result = job["variants"][0]["image"]
    assert (result["width"], result["height"]) == (480, 288)
    # The result shows what it was made from, linked to the source.
    source = page.locator(".results-job").first.locator(".made-from a.source-link")
    expect(source).to_have_attribute("href", job["made_from"][0]["image"]["url"])

    # A style transfer takes a second image, the style, as its own input.
    style = png((64, 64), (250, 40, 40))
    style_file = tmp_path / "style.png"
    style_file.write_bytes(style)
    page.select_option("#operation", "style_transfer")
    page.set_input_files("#style-file", str(style_file))
    expect(page.locator("#style-thumb")).to_be_visible()
    dash.shot(page, "style-transfer")
    page.reload()  # the source and its operation survive a reload
    expect(card).to_have_attribute("data-sha", hashlib.sha256(picked).hexdigest())
    expect(page.locator("#operation")).to_have_value("style_transfer")
    page.click("#generate")
    job = finished_job(page, dash, "style_transfer")
    roles = {s["role"]: s["image"]["sha256"] for s in job["made_from"]}
    assert roles == {
        "image": hashlib.sha256(picked).hexdigest(),
        "style_image": hashlib.sha256(style).hexdigest(),
    }

    page.click("#source-remove")
    expect(card).to_have_count(0)
    expect(page.locator("#generate")).to_contain_text("Generate")
    expect(page.locator("#shape")).to_be_visible()


# ------------------------------------------------------------------ inpaint with a mask


def test_a_mask_painted_with_the_mouse_inpaints_the_image(dash: Dashboard) -> None:
    made = dash.job(
        dash.alice, {"prompt": "Inpaint: a teal sea", "models": [MODEL], "size": "256x256"}
    )
    source = made["variants"][0]["image"]
    page = dash.signed_in()
    page.goto(f"/?job={made['id']}")
    choose_offline(page)
    feed_card = page.locator(f'.results-job[data-job-id="{made["id"]}"] .variant').first
    feed_card.locator(".work-menu summary").click()
    feed_card.locator('[data-action="inpaint"]').click()

    surface = page.locator("#mask-surface")
    surface.hover()  # waits for the dialog to stop moving in
    page.locator("#mask-brush").fill("40")
    box = surface.bounding_box()
    assert box is not None
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + box["width"] * 0.25, y)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.75, y, steps=12)
    page.mouse.up()
    dash.shot(page, "mask-editor")
    page.click("#mask-apply")
    expect(page.locator("#mask-editor")).to_have_count(0)
    expect(page.locator("#mask-thumb")).to_be_visible()
    expect(page.locator("#mask-summary")).to_contain_text("%")
    expect(page.locator("#generate")).to_contain_text("Inpaint")
    page.fill("#prompt", "a golden island")
    page.click("#generate")
    job = finished_job(page, dash, "inpaint")
    dash.shot(page, "inpaint-result")

    roles = {s["role"]: s["image"] for s in job["made_from"]}
    assert roles["image"]["sha256"] == source["sha256"]
    mask = image_of(dash, roles["mask"]["url"]).convert("L")
    assert mask.size == (256, 256)
    # The stroke: white along the middle row from about 1/4 to 3/4 (40 px wide), black
    # above, below and at the ends.
    for x in (70, 128, 186):
        assert mask.getpixel((x, 128)) == 255, x
    for point in ((128, 40), (128, 215), (20, 128), (236, 128)):
        assert mask.getpixel(point) == 0, point
    # The offline painter keeps the pixels far from the mask byte for byte.
    before = image_of(dash, source["url"]).convert("RGB")
    after = image_of(dash, job["variants"][0]["image"]["url"]).convert("RGB")
    assert after.size == (256, 256)
    assert after.getpixel((10, 10)) == before.getpixel((10, 10))
    assert after.crop((96, 120, 160, 136)).tobytes() != before.crop((96, 120, 160, 136)).tobytes()

    # The result says what it was made from; the source's detail says what was made of it.
    head = page.locator(".results-job").first.locator(".made-from")
    expect(head).to_contain_text("Inpaint")
    expect(head.locator('a.source-link[data-role="image"]')).to_have_attribute(
        "href", source["url"]
    )
    feed_card.locator('button[aria-label="Open details"]').click()
    made_into = page.locator("#detail-made-into li a")
    expect(made_into).to_have_attribute("href", f"/history/{job['id']}")
    expect(made_into).to_have_text("Inpaint")
    dash.shot(page, "inpaint-source-detail")


# ------------------------------------------------------------------ upscale from history


def test_upscale_from_the_history_detail_doubles_the_image(dash: Dashboard) -> None:
    made = dash.job(
        dash.alice, {"prompt": "Upscale: a violet dune", "models": [MODEL], "size": "128x96"}
    )
    source = made["variants"][0]["image"]
    page = dash.signed_in()
    choose_offline(page)
    page.goto(f"/history/{made['id']}")
    work = page.locator("#detail-work")
    expect(work.locator('[data-action="upscale-2"]')).to_be_visible()
    work.locator('[data-action="upscale-2"]').focus()
    page.keyboard.press("Enter")  # reachable from the keyboard

    expect(page).to_have_url(re.compile(r"/\?job="))  # in the studio, following the job
    job = finished_job(page, dash, "upscale")
    assert job["made_from"][0]["image"]["sha256"] == source["sha256"]
    result = job["variants"][0]["image"]
    assert (result["width"], result["height"]) == (256, 192)
    expect(page.locator("#source-card")).to_have_attribute("data-sha", source["sha256"])
    with dash.api(dash.alice) as client:
        found = client.get("/api/v1/jobs", params={"descendants_of": source["sha256"]}).json()
    assert [j["id"] for j in found["items"]] == [job["id"]]

    # The result's image is twice the source's as the browser loads it, too.
    img = page.locator(".results-job").first.locator("img.final")
    expect(img).to_have_js_property("naturalWidth", 256)

    page.goto(f"/history/{made['id']}")
    expect(page.locator("#detail-made-into li a")).to_have_attribute(
        "href", f"/history/{job['id']}"
    )
    made_into = page.locator("#detail-made-into li a")
    expect(made_into).to_have_text("Upscale")
    # Its lineage link lists in History what was made from the image.
    page.click("#detail-descendants")
    expect(page.locator("#filter-lineage")).to_be_visible()
    expect(page.locator("#gallery .tile")).to_have_count(1)
    expect(page.locator("#gallery .tile")).to_have_attribute("data-job-id", job["id"])
    expect(page.locator("#gallery .tile .prompt")).to_have_text("Upscale ×2")
    dash.shot(page, "history-descendants")

    # "Use these settings" on the upscale puts its source and operation back in the studio.
    page.locator("#gallery .tile").click()
    page.click("#reuse")
    expect(page.locator("#source-card")).to_have_attribute("data-sha", source["sha256"])
    expect(page.locator("#operation")).to_have_value("upscale")
    expect(page.locator("#factor")).to_have_value("2")


# ------------------------------------------------------------------ outpaint


def test_outpaint_edges_are_dragged_and_typed(dash: Dashboard) -> None:
    made = dash.job(
        dash.alice, {"prompt": "Outpaint: a horizon", "models": [MODEL], "size": "128x128"}
    )
    page = dash.signed_in()
    page.goto(f"/?job={made['id']}")
    choose_offline(page)
    card = page.locator(f'.results-job[data-job-id="{made["id"]}"] .variant').first
    card.locator(".work-menu summary").click()
    dash.shot(page, "work-menu")
    card.locator('[data-action="outpaint"]').click()

    handle = page.locator("#outpaint-handle-right")
    handle.hover()  # waits for the dialog to stop moving in
    frame = page.locator("#outpaint-frame").bounding_box()
    start = handle.bounding_box()
    assert frame is not None and start is not None
    # The frame is twice the image's width: a quarter of the frame is 64 image px.
    page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
    page.mouse.down()
    page.mouse.move(start["x"] + start["width"] / 2 + frame["width"] / 4, start["y"] + 4, steps=8)
    page.mouse.up()
    right = int(handle.get_attribute("aria-valuenow") or 0)
    assert 56 <= right <= 72, right
    page.fill("#outpaint-top", "32")
    handle.focus()
    page.keyboard.press("ArrowRight")  # 8 px more
    expect(page.locator("#outpaint-right")).to_have_value(str(right + 8))
    dash.shot(page, "outpaint-editor")
    page.click("#outpaint-apply")
    expect(page.locator("#extend-top")).to_have_value("32")
    page.click("#generate")
    job = finished_job(page, dash, "outpaint")
    result = job["variants"][0]["image"]
    assert (result["width"], result["height"]) == (128 + right + 8, 128 + 32)


# ------------------------------------------------------------------ PNGs with settings


def test_an_automatic1111_png_fills_the_studio_and_can_be_the_source(dash: Dashboard) -> None:
    info = PngImagePlugin.PngInfo()
    info.add_text(
        "parameters",
        "a lighthouse on a cliff, dramatic sky\nNegative prompt: blurry, people\n"
        "Steps: 20, Sampler: Euler a, CFG scale: 7, Seed: 123, Size: 512x768, "
        'Model hash: abc123, Model: sd_xl_base_1.0, Lora hashes: "a: 1, b: 2", Version: v1.9.4',
    )
    data = png((64, 96), (120, 170, 220), info)
    page = dash.signed_in()
    choose_offline(page)
    drop(page, data, "lighthouse.png")
    notice = page.locator("#png-settings")
    expect(notice).to_contain_text("AUTOMATIC1111")
    expect(page.locator("#prompt")).to_have_value("a lighthouse on a cliff, dramatic sky")
    expect(page.locator("#negative")).to_have_value("blurry, people")
    expect(page.locator("#seed")).to_have_value("123")
    expect(page.locator("#shape")).to_have_value("size:512x768")
    expect(notice).to_contain_text("sd_xl_base_1.0")  # not an Easel model: models kept
    expect(
        page.locator(f'.model-option[data-model="{MODEL}"] input[type="checkbox"]')
    ).to_be_checked()
    expect(page.locator("#source-card")).to_have_count(0)  # settings only, until asked

    dash.shot(page, "png-settings")
    page.click("#png-as-source")
    expect(page.locator("#source-card")).to_have_attribute(
        "data-sha", hashlib.sha256(data).hexdigest()
    )
    expect(notice).to_be_hidden()


def test_invokeai_and_easel_pngs_fill_the_studio(dash: Dashboard) -> None:
    invoke = PngImagePlugin.PngInfo()
    metadata = {
        "positive_prompt": "a fox in the snow",
        "negative_prompt": "text",
        "seed": 4242,
        "width": 768,
        "height": 512,
        "model": {"name": "Juggernaut XL", "base": "sdxl"},
    }
    invoke.add_itxt("invokeai_metadata", json.dumps(metadata), zip=True)  # compressed iTXt
    page = dash.signed_in()
    choose_offline(page)
    drop(page, png((64, 64), (200, 200, 210), invoke), "fox.png")
    expect(page.locator("#png-settings")).to_contain_text("InvokeAI")
    expect(page.locator("#prompt")).to_have_value("a fox in the snow")
    expect(page.locator("#negative")).to_have_value("text")
    expect(page.locator("#seed")).to_have_value("4242")
    expect(page.locator("#shape")).to_have_value("size:768x512")

    # One of Easel's own: its record names the model, which is selected.
    made = dash.job(
        dash.alice,
        {"prompt": "Easel record: a paper boat", "models": [MODEL], "size": "192x128", "seed": 77},
    )
    with dash.api(dash.alice) as client:
        own = client.get(made["variants"][0]["image"]["url"]).content
    for box in page.locator('.model-list input[type="checkbox"]:checked').all():
        box.uncheck()
    drop(page, own, "boat.png")
    expect(page.locator("#png-settings")).to_contain_text("Easel")
    expect(page.locator("#prompt")).to_have_value("Easel record: a paper boat")
    expect(page.locator("#seed")).to_have_value("77")
    expect(page.locator("#shape")).to_have_value("size:192x128")
    expect(
        page.locator(f'.model-option[data-model="{MODEL}"] input[type="checkbox"]')
    ).to_be_checked()


def test_the_infotext_reader_takes_what_automatic1111_writes(dash: Dashboard) -> None:
    page = dash.signed_in()
    read = page.evaluate(
        """async (texts) => {
            const { parseInfotext } = await import("/static/js/pngmeta.js");
            return texts.map(parseInfotext);
        }""",
        [
            "line one\nline two\nNegative prompt: ugly,\nbad hands\n"
            'Steps: 30, Seed: 9, Size: 64x80, Model: "a, b: c", Lora hashes: "x: 1, y: 2"',
            "just a prompt: with a colon",
            "Steps: 20, Seed: 5",
        ],
    )
    assert read[0]["prompt"] == "line one\nline two"
    assert read[0]["negative_prompt"] == "ugly,\nbad hands"
    assert read[0]["pairs"] == {
        "Steps": "30",
        "Seed": "9",
        "Size": "64x80",
        "Model": "a, b: c",
        "Lora hashes": "x: 1, y: 2",
    }
    assert read[1] == {"prompt": "just a prompt: with a colon", "negative_prompt": "", "pairs": {}}
    assert read[2]["prompt"] == "" and read[2]["pairs"] == {"Steps": "20", "Seed": "5"}


def test_the_mask_editor_works_from_the_keyboard(dash: Dashboard, tmp_path: Any) -> None:
    file = tmp_path / "square.png"
    file.write_bytes(png((200, 200), (120, 180, 240)))
    page = dash.signed_in()
    choose_offline(page)
    page.set_input_files("#source-file", str(file))
    page.select_option("#operation", "inpaint")
    page.click("#paint-mask")
    surface = page.locator("#mask-surface")
    expect(surface).to_be_focused()  # the canvas takes the keys at once
    page.keyboard.press("Space")  # a dab in the middle
    for _ in range(5):
        page.keyboard.press("Shift+ArrowLeft")  # painting 40 px to the left
    page.keyboard.press("Tab")  # on to the tools: Brush, Eraser…
    expect(page.locator("#mask-brush-tool")).to_be_focused()
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # the eraser…
    expect(page.locator("#mask-eraser")).to_have_attribute("aria-checked", "true")
    surface.focus()
    page.keyboard.press("Space")  # …rubs out the leftmost dab
    page.click("#mask-apply")
    expect(page.locator("#mask-summary")).to_contain_text("%")
    page.click("#generate")
    job = finished_job(page, dash, "inpaint")
    mask_url = next(s["image"]["url"] for s in job["made_from"] if s["role"] == "mask")
    mask = image_of(dash, mask_url).convert("L")
    assert mask.size == (200, 200)
    assert mask.getpixel((100, 100)) == 255  # the first dab (40 px brush)
    assert mask.getpixel((88, 100)) == 255  # the stroke, short of the erased end
    assert mask.getpixel((60, 100)) == 0  # erased
    assert mask.getpixel((100, 140)) == 0  # never painted
