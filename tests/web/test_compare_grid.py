"""Compare grids in the browser, with the offline engine alone (no provider keys): build a
styles × seeds grid and a prompts × seeds grid on the compare page, see the labelled
rows and columns with the right image in each cell, and pick a row's winner, which
stays picked after a reload."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from emulators.replicate import ReplicateEmulator
from support.client import MODEL, wait_for_job

from .conftest import Dashboard, checked, running_dashboard

pytestmark = [pytest.mark.browser, pytest.mark.slow]
SIZE = "256x256"


@pytest.fixture(scope="module")
def offline_only(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dashboard]:
    """A studio with no provider configured: the offline engine is all there is. (The
    emulator is never started; nothing points Easel at it.) Keys in the environment are
    blanked: a module fixture starts before the per-test environment guard."""
    keys = {
        name: ""
        for name in os.environ
        if name.endswith(("_API_KEY", "_API_TOKEN")) or name == "FAL_KEY"
    }
    with running_dashboard(tmp_path_factory.mktemp("grid"), ReplicateEmulator(), keys) as dash:
        yield dash


@pytest.fixture
def dash(offline_only: Dashboard) -> Iterator[Dashboard]:
    yield from checked(offline_only)


def open_compare(dash: Dashboard, *, allow: tuple[str, ...] = ()) -> Page:
    page = dash.signed_in(allow=allow)
    page.get_by_role("link", name="Compare", exact=True).click()
    expect(page.locator("#grid-builder")).to_be_visible()
    return page


def grid_job_id(page: Page) -> str:
    expect(page).to_have_url(re.compile(r"/compare/[0-9a-f]+$"))
    return page.url.rsplit("/", 1)[1]


def plain_image(dash: Dashboard, **spec: Any) -> str:
    """The image URL of a one-image job with these settings: what the cell must show."""
    job = dash.job(dash.alice, {"models": [MODEL], "size": SIZE, **spec})
    (variant,) = job["variants"]
    return str(variant["image"]["url"])


def cell(page: Page, row: int, column: int) -> Any:
    return page.locator(f'#compare-grid td.grid-cell[data-row="{row}"][data-column="{column}"]')


def all_done(page: Page, count: int) -> None:
    expect(page.locator('#compare-grid .variant[data-status="succeeded"]')).to_have_count(
        count, timeout=60_000
    )


def offline_wins(dash: Dashboard) -> int:
    with dash.api(dash.alice) as client:
        board = client.get("/api/v1/leaderboard").json()
        assert [m["id"] for m in client.get("/api/v1/models").json() if m["available"]] == [MODEL]
    return next((s["wins"] for s in board if s["model"] == MODEL), 0)


def test_styles_by_seeds_grid_labelled_and_a_row_winner_survives_reload(
    dash: Dashboard,
) -> None:
    wins_before = offline_wins(dash)
    page = open_compare(dash)
    page.fill("#grid-prompt", "a small blue boat on a lake")
    page.select_option("#grid-model", MODEL)
    page.select_option("#grid-size", SIZE)
    page.select_option("#grid-x-axis", "seed")
    page.fill("#grid-x-seeds", "11, 12, 13")
    page.select_option("#grid-y-axis", "style")
    page.locator('#grid-y-values input[value="watercolor"]').check()
    page.locator('#grid-y-values input[value="mosaic"]').check()
    expect(page.locator("#grid-count")).to_have_text("6 cells · 6 images")
    page.click("#grid-run")
    job_id = grid_job_id(page)

    heads = page.locator("#compare-grid th.grid-col-head")
    expect(heads).to_have_text(["seed 11", "seed 12", "seed 13"])
    expect(page.locator("#compare-grid .grid-row-head .row-label")).to_have_text(
        ["watercolor", "mosaic"]
    )
    expect(page.locator("#compare-grid .grid-corner")).to_have_text("Style ╲ Seed")
    all_done(page, 6)

    # Each cell shows the image its row and column stand for (the offline engine is
    # deterministic, so a plain job with the same settings makes the same file).
    for row, style in enumerate(["watercolor", "mosaic"]):
        for column, seed in ((0, 11), (2, 13)):
            expected = plain_image(
                dash, prompt="a small blue boat on a lake", style=style, seed=seed
            )
            expect(cell(page, row, column).locator("img.final")).to_have_attribute("src", expected)

    winner = cell(page, 1, 2).locator(".variant")
    winner.get_by_role("button", name="Pick").click()
    expect(winner).to_have_class(re.compile("is-winner"))
    mosaic_head = page.locator('#compare-grid tr[data-row="1"] .row-winner')
    expect(mosaic_head).to_have_text("Best: seed 13")
    expect(page.locator(f'#leaderboard li[data-model="{MODEL}"]')).to_contain_text(
        f"{wins_before + 1} win"
    )
    dash.shot(page, "compare-grid")

    page.reload()
    all_done(page, 6)
    expect(cell(page, 1, 2).locator(".variant")).to_have_class(re.compile("is-winner"))
    expect(page.locator('#compare-grid tr[data-row="1"] .row-winner')).to_have_text("Best: seed 13")
    expect(page.locator('#compare-grid tr[data-row="0"] .row-winner')).to_have_text("")
    expect(page.locator("#compare-grid .variant.is-winner")).to_have_count(1)
    with dash.api(dash.alice) as client:
        job = client.get(f"/api/v1/jobs/{job_id}").json()
        picked = client.get(f"/api/v1/jobs/{job_id}/winner", params={"row": 1}).json()
    (expected_id,) = [
        v["id"]
        for v in job["variants"]
        if v["cell"] == {"column": 2, "row": 1, "column_label": "seed 13", "row_label": "mosaic"}
    ]
    assert picked["variant_id"] == expected_id

    # The grid is listed among the comparisons, titled by its axes.
    page.get_by_role("link", name="All comparisons").click()
    expect(page.locator(f'.job-row[data-job-id="{job_id}"]')).to_contain_text("Grid: Seed × Style")


def test_prompts_by_seeds_grid_gives_each_row_its_prompt(dash: Dashboard) -> None:
    prompts = ["a red lighthouse on a stormy sea", "a cat sleeping on a windowsill"]
    page = open_compare(dash, allow=("status of 422",))  # the refused seed, on purpose
    page.select_option("#grid-size", SIZE)
    page.select_option("#grid-y-axis", "prompt")
    expect(page.locator("#grid-prompt")).to_be_hidden()
    page.fill("#grid-y-prompts", "\n".join(prompts))
    page.select_option("#grid-x-axis", "seed")
    page.fill("#grid-x-seeds", "5, banana")
    page.click("#grid-run")
    problem = page.locator("#grid-builder .alert")
    expect(problem).to_contain_text("seeds are whole numbers")
    page.fill("#grid-x-seeds", "5, 6")
    expect(page.locator("#grid-count")).to_have_text("4 cells · 4 images")
    dash.shot(page, "compare-grid-builder")
    page.click("#grid-run")
    job_id = grid_job_id(page)

    expect(page.locator("#compare-grid .grid-row-head .row-label")).to_have_text(prompts)
    all_done(page, 4)
    expected = plain_image(dash, prompt=prompts[1], seed=6)
    expect(cell(page, 1, 1).locator("img.final")).to_have_attribute("src", expected)
    with dash.api(dash.alice) as client:
        job = wait_for_job(client, job_id)
    assert job["grid"]["y"]["values"] == prompts

    # History's detail view names the cell and the prompt the image was made from.
    page.goto(f"/history/{job_id}")
    facts = page.locator("#detail dl")
    expect(facts).to_contain_text(f"Grid cell{prompts[0]} · seed 5")
    expect(facts).to_contain_text(f"Prompt{prompts[0]}")
