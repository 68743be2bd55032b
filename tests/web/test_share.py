"""Share links in a real browser: made from the detail view (and copied), opened in a
fresh browser that never signed in, revoked on the Settings page, then 404 at once."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from .conftest import MODEL, Dashboard

pytestmark = [pytest.mark.browser, pytest.mark.slow]

GONE = ("status of 404",)  # the revoked link's refused request


def make_link(dash: Dashboard, page: Page, job_id: str, *, kind: str) -> tuple[str, str]:
    """Open the job's detail view, make a link to ``kind`` there; the link, and what the
    dialog said about copying it."""
    page.goto(f"/history/{job_id}")
    page.locator("#detail #detail-share").click()
    dialog = page.locator("#share-dialog")
    dialog.locator(f'input[name="share-kind"][value="{kind}"]').check()
    dialog.locator("#share-create").click()
    field = dialog.locator("#share-url")
    expect(field).to_be_visible()
    note = dialog.locator("#share-copied")
    expect(note).to_have_text(re.compile("Copied to the clipboard|Copy it from here"))
    url, said = field.input_value(), note.inner_text()
    dash.shot(page, f"share-{kind}-dialog")
    dialog.get_by_role("button", name="Done").click()
    expect(dialog).to_have_count(0)
    page.keyboard.press("Escape")
    expect(page.locator("#detail")).to_have_count(0)
    return url, said


def test_a_shared_image_shows_without_signing_in_until_revoked(dash: Dashboard) -> None:
    job = dash.job(
        dash.alice, {"prompt": "a small blue boat on a lake", "models": [MODEL], "size": "320x200"}
    )
    sha = job["variants"][0]["image"]["sha256"]
    page = dash.signed_in()
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=dash.url)
    url, said = make_link(dash, page, job["id"], kind="image")
    assert re.fullmatch(rf"{re.escape(dash.url)}/s/[A-Za-z0-9_-]{{43}}", url), url
    assert said == "Copied to the clipboard."
    assert page.evaluate("navigator.clipboard.readText()") == url

    # A browser that never signed in: the API's URL is refused, the link shows the image,
    # opened directly and as an <img> in another page.
    stranger, _ = dash.page(dash.context(), allow=GONE)
    assert stranger.context.request.get(f"/api/v1/images/{sha}").status == 401
    opened = stranger.goto(url)
    assert opened is not None and opened.status == 200
    assert opened.headers["content-type"] == "image/png"
    size = stranger.evaluate(
        "() => { const i = document.querySelector('img');"
        " return [i.naturalWidth, i.naturalHeight]; }"
    )
    assert size == [320, 200]
    stranger.goto("/sign-in")
    stranger.evaluate(
        "url => { const i = document.createElement('img'); i.id = 'embedded'; i.src = url;"
        " document.body.append(i); }",
        url,
    )
    stranger.wait_for_function(
        "() => { const i = document.getElementById('embedded');"
        " return i.complete && i.naturalWidth === 320; }"
    )

    # Revoked on the Settings page…
    page.click('[data-nav="settings"]')
    row = page.locator("#share-list tr[data-kind='image']")
    expect(row).to_have_count(1)
    expect(row.locator("img.share-thumb")).to_have_attribute(
        "src", f"/api/v1/images/{sha}/thumbnail"
    )
    dash.shot(page, "settings-share-links")
    row.get_by_role("button", name=re.compile("Revoke")).click()
    page.get_by_role("button", name="Revoke", exact=True).last.click()
    expect(row).to_have_count(0)
    expect(page.locator(".toast").last).to_contain_text("Link revoked")

    # …and the same browser gets 404 at once, reloading or fetching.
    gone = stranger.goto(url)
    assert gone is not None and gone.status == 404
    expect(stranger.locator("h1")).to_have_text("This link does not work")
    assert stranger.context.request.get(url).status == 404


def test_a_shared_job_page_is_read_only(dash: Dashboard) -> None:
    job = dash.job(
        dash.alice,
        {"prompt": "two lighthouses at dusk", "models": [MODEL], "n": 2, "size": "256x160"},
    )
    page = dash.signed_in()
    url, _ = make_link(dash, page, job["id"], kind="job")

    stranger, _ = dash.page(dash.context())
    opened = stranger.goto(url)
    assert opened is not None and opened.status == 200
    expect(stranger.locator("#prompt")).to_have_text("two lighthouses at dusk")
    images = stranger.locator("figure img")
    expect(images).to_have_count(2)
    for index in range(2):
        expect(images.nth(index)).to_have_js_property("naturalWidth", 256)
    expect(stranger.locator("button, input, form, script, a")).to_have_count(0)
    dash.shot(stranger, "shared-job-page")
