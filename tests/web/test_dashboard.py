"""The dashboard, used as a person would: sign in, generate, watch, reload, browse history,
compare and vote, presets, cancel, retry, stats; plus isolation, CSRF and the page's
promise to talk to no one but its own server."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from support.client import wait_for_job

from .conftest import FLUX, MODEL, Dashboard, poll

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def model_box(page: Page, model: str) -> Any:
    return page.locator(f'.model-option[data-model="{model}"] input[type="checkbox"]')


def model_count(page: Page, model: str) -> Any:
    return page.locator(f'.model-option[data-model="{model}"] input[type="number"]')


def choose(page: Page, models: dict[str, int], *, size: str = "256x256") -> None:
    for box in page.locator('.model-list input[type="checkbox"]:checked').all():
        box.uncheck()
    for model, n in models.items():
        model_box(page, model).check()
        model_count(page, model).fill(str(n))
    page.select_option("#shape", f"size:{size}")


def cards(page: Page, model: str | None = None) -> Any:
    selector = ".variant" + (f'[data-model="{model}"]' if model else "")
    return page.locator(selector)


def progress_log(page: Page) -> list[dict[str, Any]]:
    return list(page.evaluate("window.__progress"))


def current_job(page: Page) -> str:
    match = re.search(r"[?&]job=([0-9a-f]+)", page.url)
    assert match, page.url
    return match.group(1)


# ----------------------------------------------------------------------------- sign-in


def test_sign_in_with_token_sets_a_strict_httponly_cookie(dash: Dashboard) -> None:
    context = dash.context()
    page, watch = dash.page(context, allow=("status of 401",))
    page.goto("/history")
    expect(page).to_have_url(re.compile(r"/sign-in\?next=%2Fhistory$"))
    dash.shot(page, "sign-in")

    page.fill("#token", "esl_not-a-real-token")
    page.keyboard.press("Enter")
    expect(page.locator(".signin-card .alert")).to_contain_text("not valid")

    # Keyboard only: the field is focused after an error; type and press Enter.
    page.locator("#token").fill("")
    page.keyboard.type(dash.alice)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/history$"))
    expect(page.locator("#user-name")).to_have_text("alice")

    (cookie,) = [c for c in context.cookies() if c["name"] == "easel_session"]
    assert cookie["httpOnly"] is True
    assert cookie["sameSite"] == "Strict"
    assert cookie["secure"] is False  # plain http on loopback still works
    assert dash.alice not in cookie["value"]
    assert page.evaluate("document.cookie") == ""  # invisible to scripts

    page.click("#sign-out")
    expect(page).to_have_url(re.compile(r"/sign-in"))
    assert context.request.get("/api/v1/session").json()["user"] is None
    assert [c for c in context.cookies() if c["name"] == "easel_session"] == []
    watch.check()


# ----------------------------------------------------------------------------- studio


def test_generate_on_two_models_watch_progress_and_resume_after_reload(dash: Dashboard) -> None:
    dash.emulator.state.task_seconds = 4.0
    page = dash.signed_in(width=1440, height=1000)
    model_box(page, FLUX).wait_for()
    expect(page.locator(f'.model-option[data-model="{FLUX}"] .price')).to_have_text(
        "$0.0030 / image"
    )
    choose(page, {MODEL: 2, FLUX: 2})
    page.fill("#prompt", "A lighthouse on a cliff at sunset, orange sky")
    page.fill("#seed", "1234")
    page.locator("#prompt").press("Control+Enter")

    expect(cards(page)).to_have_count(4)
    expect(cards(page, MODEL)).to_have_count(2)
    expect(cards(page, FLUX)).to_have_count(2)
    job_id = current_job(page)

    # The hosted model's bars advance while it runs, before any of its images exist.
    def flux_moving() -> bool:
        return any(
            e["model"] == FLUX and e["status"] == "running" and 0 < e["value"] < 100
            for e in progress_log(page)
        )

    poll(flux_moving, what="a progress bar of the hosted model to advance")
    assert page.evaluate("window.__previews") > 0  # offline previews arrived as data: URLs
    dash.shot(page, "studio-progress")

    # Reload mid-generation: the cards come back from the job and the stream resumes.
    page.reload()
    expect(cards(page)).to_have_count(4)
    assert current_job(page) == job_id
    # The composer keeps what was typed and chosen.
    expect(page.locator("#prompt")).to_have_value("A lighthouse on a cliff at sunset, orange sky")
    expect(model_box(page, FLUX)).to_be_checked()
    expect(model_count(page, FLUX)).to_have_value("2")
    running = page.locator(f'.variant[data-model="{FLUX}"][data-status="running"]')
    expect(running.first).to_be_visible()
    poll(flux_moving, what="the bars to keep advancing after the reload")

    done = page.locator('.variant[data-status="succeeded"]')
    expect(done).to_have_count(4, timeout=20_000)
    for bar in page.locator('.variant [role="progressbar"]').all():
        assert bar.get_attribute("aria-valuenow") == "100"  # no bar left stuck
    expect(page.locator(".results-job .job-meta .status")).to_have_text("succeeded")
    for image in page.locator(".variant img.final").all():
        assert image.evaluate("img => img.complete && img.naturalWidth > 0")
    facts = cards(page, FLUX).first.locator(".facts")
    expect(facts).to_contain_text("$0.0030")
    expect(facts).to_contain_text(re.compile(r"\d+(\.\d)? s|\d+ ms"))
    dash.shot(page, "studio")

    with dash.api(dash.alice) as client:
        job = client.get(f"/api/v1/jobs/{job_id}").json()
    assert sorted(v["seed"] for v in job["variants"] if v["model"] == MODEL) == [1234, 1235]


def test_a_dropped_connection_catches_up_without_a_stuck_bar(dash: Dashboard) -> None:
    dash.emulator.state.task_seconds = 3.0
    # The cut stream and the reconnects while the server is down fail, as they must: the
    # kill can land as a reset, a cut chunked body, a socket closed under a request, or a
    # refused reconnect.
    page = dash.signed_in(
        allow=(
            "ERR_CONNECTION_REFUSED",
            "ERR_CONNECTION_RESET",
            "ERR_INCOMPLETE_CHUNKED_ENCODING",
            "ERR_SOCKET_NOT_CONNECTED",
        )
    )
    choose(page, {FLUX: 1})
    page.fill("#prompt", "Crash test: a paper boat on a pond")
    page.click("#generate")
    card = cards(page).first
    expect(card).to_have_attribute("data-status", "running")
    dash.server.kill()  # the stream drops mid-generation
    page.wait_for_timeout(500)
    expect(card).to_have_attribute("data-status", "running")
    dash.server.start()  # the engine resumes the remote task; the page reconnects
    expect(card).to_have_attribute("data-status", "succeeded", timeout=30_000)
    expect(card.locator('[role="progressbar"]')).to_have_attribute("aria-valuenow", "100")
    expect(card.locator("img.final")).to_be_visible()
    with dash.api(dash.alice) as client:
        assert wait_for_job(client, current_job(page))["status"] == "succeeded"


def test_cancel_a_running_variant_and_a_whole_job(dash: Dashboard) -> None:
    dash.emulator.state.task_seconds = 4.0
    page = dash.signed_in()
    choose(page, {FLUX: 2})
    page.fill("#prompt", "Cancel test: a slow green valley")
    page.click("#generate")
    first, second = cards(page).nth(0), cards(page).nth(1)
    expect(first).to_have_attribute("data-status", "running")
    first.get_by_role("button", name="Cancel this variant").click()
    expect(first).to_have_attribute("data-status", "canceled")
    expect(first.locator(".overlay.canceled")).to_be_visible()
    expect(second).to_have_attribute("data-status", "succeeded", timeout=20_000)
    expect(page.locator(".results-job .job-meta .status")).to_have_text("partial")

    choose(page, {FLUX: 1})
    page.fill("#prompt", "Cancel test: the whole job")
    page.click("#generate")
    # The feed keeps the first job below the new one.
    expect(page.locator(".results-job")).to_have_count(2)
    newest = page.locator(".results-job").first
    expect(newest.locator(".job-head .prompt")).to_have_text("Cancel test: the whole job")
    expect(newest.locator(".variant").first).to_have_attribute(
        "data-status", re.compile("queued|running")
    )
    newest.locator(".job-head").get_by_role("button", name="Cancel").click()
    expect(newest.locator(".variant").first).to_have_attribute("data-status", "canceled")
    expect(newest.locator(".job-meta .status")).to_have_text("canceled")
    with dash.api(dash.alice) as client:
        job = client.get(f"/api/v1/jobs/{current_job(page)}").json()
    assert job["status"] == "canceled"


def test_a_failing_model_says_why_and_retry_works(dash: Dashboard) -> None:
    page = dash.signed_in()
    dash.emulator.inject("moderation", "create")
    choose(page, {FLUX: 1})
    page.fill("#prompt", "Retry test: a stormy sea")
    page.click("#generate")
    card = cards(page).first
    expect(card).to_have_attribute("data-status", "failed")
    expect(card.locator(".overlay.failed")).to_contain_text("flagged as sensitive")
    expect(card.locator(".error-code")).to_have_text("content-rejected")
    dash.shot(page, "studio-failure")

    card.get_by_role("button", name="Retry").click()
    expect(card).to_have_attribute("data-status", "succeeded", timeout=20_000)
    expect(card.locator("img.final")).to_be_visible()
    expect(page.locator(".results-job .job-meta .status")).to_have_text("succeeded")


# ----------------------------------------------------------------------------- history


def all_images(dash: Dashboard) -> set[str]:
    shas: set[str] = set()
    with dash.api(dash.alice) as client:
        before = None
        while True:
            page = client.get("/api/v1/jobs", params={"limit": 200, "before": before}).json()
            for job in page["items"]:
                shas |= {v["image"]["sha256"] for v in job["variants"] if v["image"]}
            if not page["next_cursor"]:
                return shas
            before = page["next_cursor"]


def test_history_finds_every_image_after_a_restart_filters_and_reuses(dash: Dashboard) -> None:
    compared = dash.job(
        dash.alice,
        {
            "prompt": "Zeppelin over violet dunes",
            "models": [{"model": MODEL, "n": 2}, FLUX],
            "size": "256x256",
            "seed": 77,
        },
    )
    themes = (
        "teal waves",
        "a neon city at night",
        "snowy peaks under an aurora",
        "golden dunes at sunset",
        "coral circles and triangles",
        "a misty forest lake",
    )
    for i in range(40):  # more than one page of the gallery
        body = {
            "prompt": f"Sketch {i}: {themes[i % len(themes)]}",
            "models": [MODEL],
            "size": "128x128",
        }
        dash.job(dash.alice, body, wait=False)
    with dash.api(dash.alice) as client:
        poll(
            lambda: (
                not client.get("/api/v1/jobs", params={"status": "queued"}).json()["items"]
                and not client.get("/api/v1/jobs", params={"status": "running"}).json()["items"]
            ),
            timeout=60,
            what="the bulk jobs",
        )
    expected = all_images(dash)

    dash.server.stop()
    dash.server.start()

    page = dash.signed_in()
    page.get_by_role("link", name="History", exact=True).click()
    expect(page.locator(".tile").first).to_be_visible()
    dash.shot(page, "history")
    while not page.locator(".loading-row", has_text="That's everything").is_visible():
        page.mouse.wheel(0, 4000)
        page.wait_for_timeout(150)
    shown = set(
        page.locator(".tile img[data-sha]").evaluate_all("els => els.map(e => e.dataset.sha)")
    )
    assert shown == expected
    lazy = page.locator(".tile img[data-sha]").first.get_attribute("loading")
    assert lazy == "lazy"

    page.fill("#filter-q", "zeppelin")
    expect(page.locator(".tile")).to_have_count(1)
    expect(page).to_have_url(re.compile(r"q=zeppelin"))
    page.fill("#filter-q", "")
    page.select_option("#filter-model", FLUX)
    expect(page.locator(".tile").first).to_be_visible()
    with dash.api(dash.alice) as client:
        flux_jobs = len(
            client.get("/api/v1/jobs", params={"model": FLUX, "limit": 200}).json()["items"]
        )
    expect(page.locator(".tile")).to_have_count(flux_jobs)
    page.select_option("#filter-model", "")
    page.check("#filter-favorite")
    expect(page.locator(".loading-row")).to_contain_text("Nothing matches")
    page.uncheck("#filter-favorite")

    # The detail view: full image, parameters, favourite, then reuse the settings.
    page.fill("#filter-q", "zeppelin")
    expect(page.locator(".tile")).to_have_count(1)
    page.locator(".tile").first.click()
    dialog = page.locator("#detail")
    expect(dialog).to_be_visible()
    expect(page).to_have_url(re.compile(f"/history/{compared['id']}"))
    image = dialog.locator("#detail-image")
    expect(image).to_be_visible()
    page.wait_for_function(  # the full image loads, not only its box
        "() => { const img = document.querySelector('#detail #detail-image');"
        " return img !== null && img.complete && img.naturalWidth > 0; }"
    )
    facts = dialog.locator(".facts-list")
    expect(facts).to_contain_text("Easel Procedural")
    expect(facts).to_contain_text("77")
    expect(facts).to_contain_text("256 × 256")
    expect(dialog.locator("#detail-download")).to_have_attribute(
        "href", re.compile("/api/v1/images/")
    )
    dialog.locator("#detail-favorite").click()
    expect(dialog.locator("#detail-favorite")).to_have_attribute("aria-pressed", "true")
    dash.shot(page, "history-detail")
    dialog.locator("#reuse").click()

    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator("#prompt")).to_have_value("Zeppelin over violet dunes")
    expect(page.locator("#seed")).to_have_value("77")
    expect(model_box(page, FLUX)).to_be_checked()
    expect(model_count(page, MODEL)).to_have_value("2")
    expect(page.locator("#shape")).to_have_value("size:256x256")
    with dash.api(dash.alice) as client:
        assert client.get(f"/api/v1/jobs/{compared['id']}").json()["favorite"] is True


def test_delete_from_the_detail_view(dash: Dashboard) -> None:
    job = dash.job(dash.alice, {"prompt": "Doomed quokka", "models": [MODEL], "size": "64x64"})
    page = dash.signed_in()
    page.goto(f"/history/{job['id']}")
    dialog = page.locator("#detail")
    expect(dialog).to_be_visible()
    dialog.locator("#delete").click()
    page.get_by_role("button", name="Delete", exact=True).last.click()
    expect(dialog).to_be_hidden()
    expect(page).to_have_url(re.compile(r"/history$"))
    expect(page.locator(f'.tile[data-job-id="{job["id"]}"]')).to_have_count(0)
    with dash.api(dash.alice) as client:
        assert client.get(f"/api/v1/jobs/{job['id']}").status_code == 404


# ----------------------------------------------------------------------------- compare


def test_compare_side_by_side_and_vote(dash: Dashboard) -> None:
    job = dash.job(
        dash.alice,
        {
            "prompt": "Compare: a red fox in snow",
            "models": [{"model": MODEL, "n": 2}, FLUX],
            "size": "256x256",
        },
    )
    page = dash.signed_in()
    page.get_by_role("link", name="Compare", exact=True).click()
    page.locator(f'.job-row[data-job-id="{job["id"]}"]').click()
    columns = page.locator(".compare-column")
    expect(columns).to_have_count(2)
    expect(columns.nth(0)).to_have_attribute("data-model", MODEL)
    expect(columns.nth(1).locator("header .sub")).to_contain_text("$0.0030 total")
    expect(columns.nth(0).locator(".variant")).to_have_count(2)
    for card in page.locator(".compare-column .variant").all():
        expect(card.locator(".facts .elapsed")).to_be_visible()
        expect(card.locator(".facts .cost")).to_be_visible()

    flux_card = columns.nth(1).locator(".variant").first
    flux_card.get_by_role("button", name="Pick").click()
    expect(flux_card).to_have_class(re.compile("is-winner"))
    expect(flux_card.locator(".winner-badge")).to_be_visible()
    leader = page.locator(f'#leaderboard li[data-model="{FLUX}"]')
    expect(leader).to_contain_text("1 win")
    expect(page.locator("#leaderboard li").first).to_have_attribute("data-model", FLUX)
    dash.shot(page, "compare")

    with dash.api(dash.alice) as client:
        winner = client.get(f"/api/v1/jobs/{job['id']}/winner").json()
        board = {s["model"]: s for s in client.get("/api/v1/leaderboard").json()}
    flux_variant = next(v for v in job["variants"] if v["model"] == FLUX)
    assert winner == {
        "job_id": job["id"],
        "variant_id": flux_variant["id"],
        "model": FLUX,
        "row": None,
        "column": None,
    }
    assert board[FLUX]["wins"] >= 1 and board[MODEL]["contests"] >= 1


# ----------------------------------------------------------------------------- presets


def test_create_edit_apply_and_delete_a_preset(dash: Dashboard) -> None:
    page = dash.signed_in()
    page.get_by_role("link", name="Presets", exact=True).click()
    page.fill("#preset-form-name", "Square drafts")
    page.locator(f'.check-list input[value="{MODEL}"]').check()
    page.fill("#preset-form-n", "3")
    page.select_option("#preset-form-shape", "size:256x256")
    page.fill("#preset-form-seed", "42")
    page.click("#preset-form-save")
    preset = page.locator('.preset[data-name="Square drafts"]')
    expect(preset).to_contain_text("3 each")

    preset.get_by_role("button", name="Edit Square drafts").click()
    expect(page.locator("#preset-form-name")).to_have_value("Square drafts")
    page.fill("#preset-form-name", "Square trio")
    page.click("#preset-form-save")
    expect(page.locator('.preset[data-name="Square trio"]')).to_contain_text("seed 42")
    expect(page.locator('.preset[data-name="Square drafts"]')).to_have_count(0)
    page.evaluate("window.scrollTo(0, 0)")
    dash.shot(page, "presets")

    page.get_by_role("link", name="Studio", exact=True).click()
    page.select_option("#preset", label="Square trio")
    expect(model_count(page, MODEL)).to_have_value("3")
    expect(page.locator("#seed")).to_have_value("42")
    expect(page.locator("#shape")).to_have_value("size:256x256")
    page.fill("#prompt", "Preset test: three small moons")
    page.click("#generate")
    expect(cards(page)).to_have_count(3)
    expect(page.locator('.variant[data-status="succeeded"]')).to_have_count(3)
    with dash.api(dash.alice) as client:
        job = client.get(f"/api/v1/jobs/{current_job(page)}").json()
    assert [v["seed"] for v in job["variants"]] == [42, 43, 44]

    # Save the studio's settings as a preset from the studio itself.
    page.click("#save-preset")
    page.fill("#preset-name", "From the studio")
    page.click("#preset-save")
    expect(page.locator("#preset option", has_text="From the studio")).to_have_count(1)

    page.get_by_role("link", name="Presets", exact=True).click()
    page.locator('.preset[data-name="Square trio"]').get_by_role(
        "button", name="Delete Square trio"
    ).click()
    page.get_by_role("button", name="Delete", exact=True).last.click()
    expect(page.locator('.preset[data-name="Square trio"]')).to_have_count(0)
    with dash.api(dash.alice) as client:
        names = [p["name"] for p in client.get("/api/v1/presets").json()]
    assert "From the studio" in names
    assert "Square trio" not in names and "Square drafts" not in names


# ----------------------------------------------------------------------------- stats


def test_stats_table_and_charts(dash: Dashboard) -> None:
    dash.job(
        dash.alice, {"prompt": "Stats: a teal kite", "models": [MODEL, FLUX], "size": "256x256"}
    )
    page = dash.signed_in()
    page.get_by_role("link", name="Stats", exact=True).click()
    with dash.api(dash.alice) as client:
        rows = client.get("/api/v1/stats/models").json()
        samples = client.get("/api/v1/stats/durations").json()
    table = page.locator("#model-stats tbody tr")
    expect(table).to_have_count(len(rows))
    flux_row = page.locator(f'#model-stats tr[data-model="{FLUX}"]')
    expect(flux_row).to_contain_text("FLUX.1 [schnell]")
    dots = page.locator("#duration-chart circle.dot")
    expect(dots).to_have_count(sum(len(s["samples_ms"]) for s in samples))
    expect(page.locator("#duration-chart line.median")).to_have_count(len(samples))
    expect(page.locator("#spend-chart rect.bar")).to_have_count(30)
    expect(page.locator("#kpi-spend")).to_contain_text("$")
    dash.shot(page, "stats")

    page.get_by_role("button", name="Switch to dark theme").click()
    assert page.evaluate("document.documentElement.dataset.theme") == "dark"
    dash.shot(page, "stats-dark")
    page.reload()
    expect(page.locator("#model-stats")).to_be_visible()
    assert page.evaluate("document.documentElement.dataset.theme") == "dark"  # remembered


def test_phone_width_dark_theme(dash: Dashboard) -> None:
    # Its own data, so every page has content to lay out (an empty page cannot overflow)
    # and the test passes alone or in any order.
    long_prompt = "Phone: " + "a lighthouse on a cliff above a stormy sea at dusk, " * 4
    dash.job(dash.alice, {"prompt": long_prompt, "models": [MODEL, FLUX], "size": "256x256"})
    with dash.api(dash.alice) as client:
        preset = {"name": "Phone preset " + "x" * 60, "models": [MODEL], "params": {"n": 1}}
        created = client.post("/api/v1/presets", json=preset)
        assert created.status_code == 201, created.text
        preset_id = created.json()["id"]
    page = dash.signed_in(width=390, height=844, dark=True)
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(13, 13, 17)"  # the dark theme follows the system
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    dash.shot(page, "phone-studio")
    for link, ready in (
        ("History", ".tile"),
        ("Stats", "#model-stats tbody tr"),
        ("Compare", ".job-row"),
        ("Presets", ".preset"),
    ):
        page.get_by_role("link", name=link, exact=True).click()
        page.locator(ready).first.wait_for()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, link
    page.get_by_role("link", name="History", exact=True).click()
    page.locator(".tile").first.wait_for()
    dash.shot(page, "phone-history")
    with dash.api(dash.alice) as client:  # leave the presets page as other tests expect it
        assert client.delete(f"/api/v1/presets/{preset_id}").status_code == 204


# ----------------------------------------------------------------------------- security


def test_a_second_user_sees_none_of_the_first_users_work(dash: Dashboard) -> None:
    job = dash.job(
        dash.alice, {"prompt": "Alice's private garden", "models": [MODEL], "size": "64x64"}
    )
    image = job["variants"][0]["image"]
    # The deep link below asks for alice's job and is answered 404, as it must be.
    page = dash.signed_in(dash.bob, allow=("status of 404",))
    expect(page.locator("#user-name")).to_have_text("bob")
    page.get_by_role("link", name="History", exact=True).click()
    expect(page.locator(".loading-row")).to_contain_text("No images yet")
    expect(page.locator(".tile")).to_have_count(0)
    page.get_by_role("link", name="Compare", exact=True).click()
    expect(page.locator(".empty")).to_contain_text("No comparisons yet")
    expect(page.locator("#leaderboard")).to_have_count(0)
    page.get_by_role("link", name="Stats", exact=True).click()
    expect(page.locator(".empty")).to_contain_text("No numbers yet")
    page.get_by_role("link", name="Presets", exact=True).click()
    expect(page.locator(".preset-list .empty")).to_be_visible()

    request = page.context.request
    assert request.get(f"/api/v1/jobs/{job['id']}").status == 404
    assert request.get(image["url"]).status == 404
    assert request.get(image["thumbnail_url"]).status == 404
    assert request.get("/api/v1/jobs", params={"q": "garden"}).json()["items"] == []

    page.goto(f"/history/{job['id']}")  # a deep link to alice's job: nothing shows
    expect(page.locator("#detail")).to_have_count(0)
    expect(page).to_have_url(re.compile(r"/history$"))


def test_cookie_requests_need_the_csrf_token(dash: Dashboard) -> None:
    page = dash.signed_in()
    request = page.context.request
    body = {"prompt": "CSRF probe", "models": [MODEL], "size": "64x64"}

    refused = request.post("/api/v1/jobs", data=body)
    assert refused.status == 403
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["type"].endswith("/csrf")
    wrong = request.post("/api/v1/jobs", data=body, headers={"X-CSRF-Token": "forged"})
    assert wrong.status == 403
    assert request.delete("/api/v1/session").status == 403  # sign-out is protected too

    csrf = request.get("/api/v1/session").json()["csrf_token"]
    accepted = request.post("/api/v1/jobs", data=body, headers={"X-CSRF-Token": csrf})
    assert accepted.status == 202

    # Signing in from another origin is refused; bearer calls need no CSRF token.
    foreign = request.post(
        "/api/v1/session", data={"token": dash.alice}, headers={"Origin": "http://evil.test"}
    )
    assert foreign.status == 403
    with dash.api(dash.alice) as client:
        assert client.post("/api/v1/jobs", json=body).status_code == 202

    # The dashboard pages carry a strict CSP; nothing loads from elsewhere.
    response = request.get("/")
    csp = response.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "img-src 'self' data: blob:" in csp
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp
    assert response.headers["x-content-type-options"] == "nosniff"
