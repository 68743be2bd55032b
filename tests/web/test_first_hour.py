"""What a new user sees first (issue 12): the detail view keeps images' proportions, the
studio works on a phone, the feed keeps the session's jobs, and History reads well."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from .conftest import FLUX, MODEL, Dashboard, poll

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PHONE = {"width": 390, "height": 844, "touch": True}
VIEWPORTS = ({"width": 1440, "height": 900}, {"width": 1920, "height": 1080}, PHONE)
# Whether the middle of an element is really what a finger or a pointer would hit there.
ON_TOP = """el => {
  const r = el.getBoundingClientRect();
  const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
  return hit !== null && (el === hit || el.contains(hit));
}"""
RENDERED = """img => ({ width: img.getBoundingClientRect().width,
  height: img.getBoundingClientRect().height,
  natural_width: img.naturalWidth, natural_height: img.naturalHeight })"""


def choose_offline(page: Page, n: int = 1) -> None:
    for box in page.locator('.model-list input[type="checkbox"]:checked').all():
        box.uncheck()
    page.locator(f'.model-option[data-model="{MODEL}"] input[type="checkbox"]').check()
    page.locator(f'.model-option[data-model="{MODEL}"] input[type="number"]').fill(str(n))
    page.select_option("#shape", "size:256x256")


def wait_loaded(page: Page) -> dict[str, Any]:
    page.wait_for_function(
        "() => { const img = document.querySelector('#detail #detail-image');"
        " return img !== null && img.complete && img.naturalWidth > 0; }"
    )
    return dict(page.locator("#detail-image").evaluate(RENDERED))


# ------------------------------------------------------------------ item 2: proportions


def test_the_detail_view_keeps_the_aspect_ratio_at_every_viewport(dash: Dashboard) -> None:
    jobs = {
        size: dash.job(
            dash.alice, {"prompt": f"Proportions {size}", "models": [MODEL], "size": size}
        )
        for size in ("1536x1024", "1024x1024", "1024x1536")
    }
    for viewport in VIEWPORTS:
        page = dash.signed_in(**viewport)
        for size, job in jobs.items():
            page.goto(f"/history/{job['id']}")
            shown = wait_loaded(page)
            natural = shown["natural_width"] / shown["natural_height"]
            rendered = shown["width"] / shown["height"]
            where = f"{size} at {viewport['width']}x{viewport['height']}"
            assert abs(rendered - natural) / natural < 0.01, (where, shown)
            # It is scaled to fit, not cropped: the whole image is inside the window.
            assert shown["width"] <= viewport["width"] and shown["height"] <= viewport["height"]
            page.keyboard.press("Escape")
            expect(page.locator("#detail")).to_have_count(0)
        page.context.close()


# ------------------------------------------------------------------ item 3: the phone


def test_a_phone_sees_progress_after_generate_and_the_whole_detail_dialog(
    dash: Dashboard,
) -> None:
    dash.emulator.state.task_seconds = 4.0
    page = dash.signed_in(**PHONE)
    # No keyboard shortcut is offered on a touch screen.
    expect(page.locator("#prompt-hint")).not_to_contain_text("Ctrl")
    expect(page.locator("#generate .kbd")).to_have_count(0)

    # A focused field scrolls clear of the sticky Generate bar: its label is not under it.
    page.locator("#negative").focus()
    label = page.locator('label[for="negative"]')
    expect(label).to_be_in_viewport()
    assert label.evaluate(ON_TOP), "the Generate bar covers the negative prompt's label"
    bar = page.locator(".generate-bar").bounding_box()
    box = label.bounding_box()
    assert bar is not None and box is not None
    assert box["y"] + box["height"] <= bar["y"], (box, bar)

    for box_ in page.locator('.model-list input[type="checkbox"]:checked').all():
        box_.uncheck()
    page.locator(f'.model-option[data-model="{FLUX}"] input[type="checkbox"]').check()
    page.select_option("#shape", "size:256x256")
    page.fill("#prompt", "Phone: a red kite over a beach")
    page.locator("#generate").tap()

    # The progress is on screen at once, without scrolling, and not covered.
    progress = page.locator(".results-job").first.locator('[role="progressbar"]').first
    expect(progress).to_be_in_viewport()
    assert progress.evaluate(ON_TOP)
    running = page.locator('.variant[data-status="running"]')
    expect(running.first).to_be_in_viewport()
    dash.shot(page, "phone-progress")

    card = page.locator(".variant").first
    expect(card).to_have_attribute("data-status", "succeeded", timeout=60_000)
    card.locator("img.final").tap()  # the image itself opens the full-size view
    dialog = page.locator("#detail")
    expect(dialog).to_be_visible()
    wait_loaded(page)
    reuse = dialog.locator("#reuse")
    delete = dialog.locator("#delete")
    for button in (reuse, delete):
        button.scroll_into_view_if_needed()
        expect(button).to_be_in_viewport(ratio=1)  # wholly on screen, not cut at an edge
        found = button.bounding_box()
        assert found is not None and found["x"] >= 0 and found["x"] + found["width"] <= 390
    assert page.evaluate("document.querySelector('#detail .detail').scrollWidth") <= 390
    dash.shot(page, "phone-detail")


# ------------------------------------------------------------------ item 4: the feed


def test_the_feed_keeps_the_sessions_jobs_and_opens_full_size_images(dash: Dashboard) -> None:
    page = dash.signed_in(width=1440, height=1000)
    choose_offline(page, 2)
    page.fill("#prompt", "Feed: first, two teal moons")
    page.click("#generate")
    first = page.locator(".results-job").first
    expect(first.locator('.variant[data-status="succeeded"]')).to_have_count(2, timeout=60_000)
    first_id = first.get_attribute("data-job-id")

    choose_offline(page, 1)
    page.fill("#prompt", "Feed: second, a coral sun")
    page.click("#generate")
    jobs = page.locator(".results-job")
    expect(jobs).to_have_count(2)  # added, not replaced
    expect(jobs.nth(0).locator(".job-head .prompt")).to_have_text("Feed: second, a coral sun")
    expect(jobs.nth(1)).to_have_attribute("data-job-id", str(first_id))
    expect(jobs.nth(1).locator("img.final")).to_have_count(2)  # the earlier results stay
    expect(jobs.nth(0).locator('.variant[data-status="succeeded"]')).to_have_count(
        1, timeout=60_000
    )

    page.reload()  # the whole session comes back, newest first
    expect(jobs).to_have_count(2)
    expect(jobs.nth(1)).to_have_attribute("data-job-id", str(first_id))

    # Clicking an image opens it full size; the arrows step through the job's variants.
    with dash.api(dash.alice) as client:
        job = client.get(f"/api/v1/jobs/{first_id}").json()
    variants = [v["id"] for v in job["variants"]]
    jobs.nth(1).locator("img.final").first.click()
    image = page.locator("#detail #detail-image")
    expect(image).to_have_attribute("data-variant-id", variants[0])
    shown = wait_loaded(page)
    assert (shown["natural_width"], shown["natural_height"]) == (256, 256)  # not a thumbnail
    assert image.get_attribute("src") == job["variants"][0]["image"]["url"]
    page.keyboard.press("ArrowRight")
    expect(image).to_have_attribute("data-variant-id", variants[1])
    page.keyboard.press("ArrowRight")  # and around again
    expect(image).to_have_attribute("data-variant-id", variants[0])
    page.keyboard.press("ArrowLeft")
    expect(image).to_have_attribute("data-variant-id", variants[1])
    expect(page).to_have_url(re.compile(r"/\?job="))  # still in the studio
    page.keyboard.press("Escape")
    expect(jobs).to_have_count(2)


# ------------------------------------------------------------------ item 5: history


def test_history_tiles_read_well(dash: Dashboard) -> None:
    with dash.api(dash.alice) as client:
        total = client.get("/api/v1/jobs", params={"limit": 1}).json()["total"]
    for i in range(max(0, 40 - total)):  # more than one page of the gallery, below the rest
        body = {"prompt": f"Tiles filler {i}", "models": [MODEL], "size": "64x64"}
        dash.job(dash.alice, body, wait=False)
    pair_body = {"prompt": "Tiles: a pair", "models": [{"model": MODEL, "n": 2}], "size": "128x192"}
    pair = dash.job(dash.alice, pair_body)
    four_body = {"prompt": "Tiles: four", "models": [{"model": MODEL, "n": 4}], "size": "192x128"}
    four = dash.job(dash.alice, four_body)
    dash.emulator.state.task_seconds = 30.0
    stop_body = {"prompt": "Tiles: stopped", "models": [FLUX], "size": "256x256"}
    canceled = dash.job(dash.alice, stop_body, wait=False)
    with dash.api(dash.alice) as client:
        assert client.post(f"/api/v1/jobs/{canceled['id']}/cancel").status_code == 200
        poll(
            lambda: client.get(f"/api/v1/jobs/{canceled['id']}").json()["status"] == "canceled",
            what="the cancel",
        )
        total = client.get("/api/v1/jobs", params={"limit": 1}).json()["total"]
        poll(  # leave no queue behind for the next test
            lambda: (
                not any(
                    client.get("/api/v1/jobs", params={"status": status}).json()["items"]
                    for status in ("queued", "running")
                )
            ),
            timeout=120,
            what="the filler jobs",
        )
    assert total > 36

    page = dash.signed_in()
    page.goto("/history")
    expect(page.locator("#history-summary")).to_have_text(f"{total} jobs")  # exact, not 36+

    for job, count in ((pair, 2), (four, 4)):
        tile = page.locator(f'.tile[data-job-id="{job["id"]}"]')
        images = tile.locator(".mosaic img")
        expect(images).to_have_count(count)
        for img in images.all():
            img.scroll_into_view_if_needed()
            box = img.bounding_box()
            assert box is not None
            # Each image is a square cell of a grid, never a narrow strip.
            assert abs(box["width"] - box["height"]) <= 2, (job["prompt"], box)
            assert box["width"] >= 60, box

    stopped = page.locator(f'.tile[data-job-id="{canceled["id"]}"] .mosaic svg')
    stopped.scroll_into_view_if_needed()
    icon = stopped.bounding_box()
    assert icon is not None and icon["width"] <= 32 and icon["height"] <= 32, icon

    # No icon on the page is left to fill its box (the largest are the 40 px empty states).
    sizes = page.locator("svg.icon").evaluate_all(
        "els => els.map(e => Math.max(e.getBoundingClientRect().width,"
        " e.getBoundingClientRect().height))"
    )
    assert sizes and max(sizes) <= 40, sorted(sizes)[-5:]

    when = page.locator(f'.tile[data-job-id="{pair["id"]}"] time.when')
    assert when.get_attribute("datetime") == pair["created_at"]
    expect(when).to_have_text(re.compile(r"just now|min|hr|ago"))
    expect(when).not_to_have_text(re.compile(r"\d+/\d+/\d{4}"))
    assert re.search(r"20\d\d", when.get_attribute("title") or "")  # the full date on hover


def test_a_running_card_never_says_generating_beside_finished(dash: Dashboard) -> None:
    page = dash.signed_in()
    # The real card module, fed the progress frame the offline painter ends with.
    text = page.evaluate(
        """async () => {
          const { VariantCard } = await import("/static/js/cards.js");
          const card = new VariantCard({ id: "v", model: "m", status: "running", progress: 0.5,
            params: {}, started_at: new Date().toISOString() }, { index: 0 });
          document.body.append(card.node);
          const seen = [];
          const frames = [[0.5, "Painting"], [0.99, "Finished"], [1, "Finished"]];
          for (const [progress, message] of frames) {
            card.apply("variant.progress", { progress, message });
            seen.push(card.node.textContent);
          }
          card.node.remove();
          return seen;
        }"""
    )
    assert "Generating" in text[0] and "Painting" in text[0]
    for seen in text[1:]:
        assert not ("Generating" in seen and "Finished" in seen), seen
        assert "Saving" in seen, seen


def test_a_deleted_job_says_it_is_gone_and_an_unknown_page_is_a_404_page(
    dash: Dashboard,
) -> None:
    job = dash.job(dash.alice, {"prompt": "Soon gone", "models": [MODEL], "size": "64x64"})
    with dash.api(dash.alice) as client:
        assert client.delete(f"/api/v1/jobs/{job['id']}").status_code == 204
    page = dash.signed_in(allow=("status of 404",))
    page.goto(f"/history/{job['id']}")
    expect(page.locator("#job-gone")).to_be_visible()
    expect(page.locator("#job-gone")).to_contain_text("gone")
    expect(page.locator("#detail")).to_have_count(0)
    expect(page).to_have_url(re.compile(r"/history$"))

    answer = page.goto("/no/such/page")
    assert answer is not None and answer.status == 404
    assert answer.headers["content-type"].startswith("text/html")
    expect(page.locator("h1")).to_have_text("Page not found")
    expect(page.locator(".topbar")).to_be_visible()  # still the dashboard, signed in
    page.get_by_role("link", name="Open the studio").click()
    expect(page.locator("#prompt")).to_be_visible()

    # API callers keep their problem+json, whatever they accept.
    request = page.context.request
    for path, accept in (("/no/such/page", "application/json"), ("/api/v1/nope", "text/html")):
        answer_ = request.get(path, headers={"Accept": accept})
        assert answer_.status == 404
        assert answer_.headers["content-type"].startswith("application/problem+json"), path
