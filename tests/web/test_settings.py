"""The Settings page: a person sees the browsers signed in as them and their API tokens,
and can sign another browser out; that browser is signed out on its next request."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from .conftest import Dashboard

pytestmark = [pytest.mark.browser, pytest.mark.slow]

UNAUTHORIZED = ("status of 401",)  # the signed-out browser's refused request


def session_ids(dash: Dashboard) -> set[str]:
    with dash.api(dash.alice) as client:
        return {s["id"] for s in client.get("/api/v1/sessions").json()}


def signed_in_session(dash: Dashboard, *, width: int = 1280, height: int = 860) -> tuple[Page, str]:
    """A new browser signed in as alice, and the id of its server-side session."""
    before = session_ids(dash)
    page = dash.signed_in(allow=UNAUTHORIZED, width=width, height=height)
    (session_id,) = session_ids(dash) - before
    return page, session_id


def open_settings(page: Page) -> None:
    page.click('[data-nav="settings"]')
    expect(page).to_have_url(re.compile(r"/settings$"))
    expect(page.locator("h1")).to_have_text("Settings")


def test_sign_another_browser_out_from_settings(dash: Dashboard) -> None:
    phone, phone_session = signed_in_session(dash, width=390, height=844)
    laptop, laptop_session = signed_in_session(dash)
    open_settings(laptop)

    mine = laptop.locator(f'#session-list tr[data-session-id="{laptop_session}"]')
    expect(mine).to_have_attribute("data-current", "true")
    expect(mine).to_contain_text("This browser")
    row = laptop.locator(f'#session-list tr[data-session-id="{phone_session}"]')
    expect(row).to_have_attribute("data-current", "false")
    expect(laptop.locator('#token-list tr[data-current="true"]')).to_have_count(1)
    dash.shot(laptop, "settings")

    row.get_by_role("button").click()
    laptop.get_by_role("button", name="Sign out", exact=True).last.click()
    expect(row).to_have_count(0)
    expect(laptop.locator(".toast").last).to_contain_text("Signed out that browser")
    assert phone_session not in session_ids(dash)

    # The phone finds out on its next request, and lands on the sign-in page.
    phone.click('[data-nav="history"]')
    expect(phone).to_have_url(re.compile(r"/sign-in"))
    expect(phone.locator("#token")).to_be_visible()
    assert phone.context.request.get("/api/v1/jobs").status == 401

    # The laptop is still signed in.
    laptop.click('[data-nav="history"]')
    expect(laptop).to_have_url(re.compile(r"/history$"))


def test_signing_this_browser_out_from_settings(dash: Dashboard) -> None:
    page, session_id = signed_in_session(dash)
    open_settings(page)
    page.locator(f'#session-list tr[data-session-id="{session_id}"]').get_by_role("button").click()
    page.get_by_role("button", name="Sign out", exact=True).last.click()
    expect(page).to_have_url(re.compile(r"/sign-in"))
    assert page.context.request.get("/api/v1/session").json()["user"] is None
    assert session_id not in session_ids(dash)
