"""Model lifecycles in the dashboard, in a real browser against a real server and the
OpenAI emulator: a deprecated model shows its shutdown date wherever it is picked, a
retired one is nowhere, and a preset naming one says so and offers the replacement.
Also: the studio starts from the user's default models, and admins see the vendor check."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from easel.config import Settings
from easel.db.engine import Database
from easel.db.repos import presets as preset_repo
from easel.db.repos import users as user_repo
from emulators.openai import OpenAIEmulator
from support.client import MODEL
from support.server import ServerProcess

from .conftest import Dashboard, checked, running_dashboard

pytestmark = pytest.mark.browser

DEPRECATED = "openai/gpt-image-1.5"
RETIRED = ("openai/gpt-image-1", "openai/dall-e-3", "openai/dall-e-2")


def save_old_preset(data_dir: Path, token: str, name: str, models: list[str]) -> None:
    """A preset saved back when its models were served (the API now refuses them)."""

    async def save() -> None:
        db = Database(Settings(data_dir=data_dir, environ={}).resolved_database_url)
        try:
            async with db.transaction() as session:
                user = await user_repo.user_for_token(session, token=token)
                assert user is not None
                await preset_repo.create_preset(
                    session, user_id=user.id, name=name, models=models, params={"n": 1}
                )
        finally:
            await db.dispose()

    asyncio.run(save())


@pytest.fixture(scope="module")
def studio(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dashboard]:
    """Before gpt-image-1.5's shutdown date; "bob" is the admin, the studio's first user."""
    emulator = OpenAIEmulator().start()
    env = {**emulator.easel_env(), "EASEL_TODAY": "2026-11-27"}

    def presets(server: ServerProcess, alice: str, admin: str) -> None:
        save_old_preset(server.data_dir, alice, "Old look", ["openai/gpt-image-1"])
        save_old_preset(server.data_dir, alice, "Old mix", [MODEL, "openai/dall-e-3"])

    root = tmp_path_factory.mktemp("lifecycle")
    try:
        with running_dashboard(
            root, emulator, env, users=("alice", "admin"), prepare=presets
        ) as dash:
            yield dash
    finally:
        emulator.stop()


@pytest.fixture
def dash(studio: Dashboard) -> Iterator[Dashboard]:
    yield from checked(studio)


def test_the_picker_shows_shutdown_dates_and_never_a_retired_model(dash: Dashboard) -> None:
    page = dash.signed_in()
    option = page.locator(f'.model-option[data-model="{DEPRECATED}"]')
    badge = option.locator(".lifecycle")
    expect(badge).to_have_attribute("data-shutdown", "2026-12-01")
    expect(badge).to_contain_text("Shuts down")
    expect(badge).to_contain_text("2026")
    assert "GPT Image 2.6 Sunburst" in (badge.get_attribute("title") or "")
    expect(
        page.locator('.model-option[data-model="openai/gpt-image-2.6-sunburst"] .lifecycle')
    ).to_have_count(0)
    for retired in RETIRED:
        expect(page.locator(f'[data-model="{retired}"]')).to_have_count(0)
        expect(page.locator(f'input[value="{retired}"]')).to_have_count(0)
    option.evaluate("node => node.scrollIntoView({ block: 'center' })")
    option.screenshot(path=str(dash.shots / "studio-deprecated-model.png"))

    page.get_by_role("link", name="Presets", exact=True).click()
    form_option = page.locator(
        ".check-list label", has=page.locator(f'input[value="{DEPRECATED}"]')
    )
    expect(form_option.locator(".lifecycle")).to_have_attribute("data-shutdown", "2026-12-01")
    for retired in RETIRED:
        expect(page.locator(f'.check-list input[value="{retired}"]')).to_have_count(0)


def test_a_preset_naming_a_retired_model_offers_the_replacement(dash: Dashboard) -> None:
    # The module saved "Old look" and "Old mix" before their models were retired.
    page = dash.signed_in()

    # The studio's preset picker: applying it says so and offers the replacement.
    page.select_option("#preset", label="Old mix")
    notice = page.locator("#preset-notice")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("DALL·E 3 was shut down on 2026-05-12")
    expect(
        page.locator(f'.model-option[data-model="{MODEL}"] input[type="checkbox"]')
    ).to_be_checked()
    notice.get_by_role("button", name="Use GPT Image 2.6 Flare").click()
    expect(
        page.locator(
            '.model-option[data-model="openai/gpt-image-2.6-flare"] input[type="checkbox"]'
        )
    ).to_be_checked()
    expect(notice).to_be_hidden()

    # The presets page: the card says so; one click swaps in the replacement.
    page.get_by_role("link", name="Presets", exact=True).click()
    card = page.locator('.preset[data-name="Old look"]')
    expect(card.locator(".notice")).to_contain_text("GPT Image 1 was shut down on 2026-10-23")
    dash.shot(page, "presets-retired-model")
    card.get_by_role("button", name="Use GPT Image 2.5 Sunburst instead").click()
    expect(card.locator(".notice")).to_have_count(0)
    expect(card).to_contain_text("GPT Image 2.5 Sunburst")
    with dash.api(dash.alice) as client:
        saved = {p["name"]: p for p in client.get("/api/v1/presets").json()}
    assert saved["Old look"]["models"] == ["openai/gpt-image-2.5-sunburst"]
    assert saved["Old look"]["notices"] == []
    assert [n["model"] for n in saved["Old mix"]["notices"]] == ["openai/dall-e-3"]


def test_the_studio_starts_from_the_users_default_models(dash: Dashboard) -> None:
    flare = "openai/gpt-image-2.6-flare"
    with dash.api(dash.alice) as client:
        client.put("/api/v1/me/defaults", json={"models": [flare]}).raise_for_status()
    page = dash.signed_in()
    checked = page.locator('.model-option input[type="checkbox"]:checked')
    expect(checked).to_have_count(1)
    expect(checked).to_have_attribute("value", flare)

    page.locator(f'.model-option[data-model="{MODEL}"] input[type="checkbox"]').check()
    page.click("#save-defaults")
    expect(page.locator(".toast")).to_contain_text("Default models")
    with dash.api(dash.alice) as client:
        assert client.get("/api/v1/me/defaults").json()["models"] == [MODEL, flare]


def test_admins_see_the_vendor_check_on_the_stats_page(dash: Dashboard) -> None:
    page = dash.signed_in(dash.bob)  # bob is the admin here
    page.get_by_role("link", name="Stats", exact=True).click()
    check = page.locator("#catalog-check")
    expect(check).to_contain_text("Not checked yet")
    openai = dash.emulator
    assert isinstance(openai, OpenAIEmulator)
    openai.serve("gpt-image-3")
    try:
        page.click("#check-models")
        openai_block = check.locator('.check-vendor[data-provider="openai"]')
        expect(openai_block).to_contain_text(
            "gpt-image-3: served by OpenAI, not in Easel's catalog"
        )
        expect(openai_block).to_contain_text("openai/gpt-image-1.5 shuts down on 2026-12-01")
        expect(check.locator('.check-vendor[data-provider="replicate"]')).to_contain_text(
            "No API key"
        )
    finally:
        openai.withdraw("gpt-image-3")
    dash.shot(page, "stats-catalog-check")

    other = dash.signed_in()  # alice is not an admin
    other.get_by_role("link", name="Stats", exact=True).click()
    expect(other.locator(".page-head h1")).to_have_text("Stats")
    expect(other.locator("#catalog-check")).to_have_count(0)
