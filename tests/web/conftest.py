"""The dashboard in a real browser: Debian's Chromium driven by Playwright, against a real
server process with the offline model and an emulated Replicate (a real HTTP provider
whose generations take a few seconds and report progress, and that can be made to fail).

Every page a test opens is watched: a console error, an uncaught exception or a request
to anywhere but the server fails the test.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Request,
    sync_playwright,
)

from emulators._base import Emulator
from emulators.replicate import ReplicateEmulator
from support.browser import CHROMIUM_ARGS, require_chromium
from support.client import MODEL, wait_for_job
from support.server import ServerProcess, create_token

FLUX = "replicate/flux-schnell"
# Records every change of a progress bar and every preview image, surviving reloads.
PROGRESS_PROBE = """
window.__progress = [];
window.__previews = 0;
new MutationObserver((records) => {
  for (const r of records) {
    if (r.type === "attributes" && r.target.getAttribute("role") === "progressbar") {
      const card = r.target.closest("[data-variant-id]");
      if (card) window.__progress.push({
        id: card.dataset.variantId, model: card.dataset.model,
        status: card.dataset.status, value: Number(r.target.getAttribute("aria-valuenow")),
      });
    }
    for (const node of r.addedNodes || []) {
      if (node.nodeType === 1 && node.matches("img.preview")) window.__previews += 1;
    }
  }
}).observe(document, { subtree: true, childList: true, attributes: true,
                       attributeFilter: ["aria-valuenow"] });
"""


@dataclass
class Watch:
    """What a page did that it must not: console errors, exceptions, foreign requests."""

    origin: str
    errors: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    allowed: list[str] = field(default_factory=list)

    def console(self, message: ConsoleMessage) -> None:
        if message.type == "error" and not any(a in message.text for a in self.allowed):
            self.errors.append(f"console: {message.text}")

    def page_error(self, error: Exception) -> None:
        self.errors.append(f"pageerror: {error}")

    def request(self, request: Request) -> None:
        self.requests.append(request.url)
        if not request.url.startswith((self.origin + "/", "data:", "blob:")):
            self.foreign.append(request.url)

    def check(self) -> None:
        assert self.foreign == [], f"requests left the origin: {self.foreign}"
        assert self.errors == [], f"the page logged errors: {self.errors}"


@dataclass
class Dashboard:
    server: ServerProcess
    emulator: Emulator
    alice: str
    bob: str
    browser: Browser
    shots: Path
    watches: list[Watch] = field(default_factory=list)
    contexts: list[BrowserContext] = field(default_factory=list)

    @property
    def url(self) -> str:
        return self.server.url

    def api(self, token: str) -> httpx.Client:
        return httpx.Client(
            base_url=self.url, headers={"Authorization": f"Bearer {token}"}, timeout=30
        )

    def context(
        self, *, width: int = 1280, height: int = 860, dark: bool = False, touch: bool = False
    ) -> BrowserContext:
        """A fresh context; ``touch`` makes it a phone (touch screen, coarse pointer)."""
        context = self.browser.new_context(
            viewport={"width": width, "height": height},
            color_scheme="dark" if dark else "light",
            base_url=self.url,
            has_touch=touch,
            is_mobile=touch,
        )
        context.add_init_script(PROGRESS_PROBE)
        context.set_default_timeout(15_000)
        self.contexts.append(context)
        return context

    def page(self, context: BrowserContext, *, allow: tuple[str, ...] = ()) -> tuple[Page, Watch]:
        page = context.new_page()
        watch = Watch(self.url, allowed=list(allow))
        page.on("console", watch.console)
        page.on("pageerror", watch.page_error)
        page.on("request", watch.request)
        self.watches.append(watch)
        return page, watch

    def signed_in(
        self,
        token: str | None = None,
        *,
        width: int = 1280,
        height: int = 860,
        dark: bool = False,
        touch: bool = False,
        allow: tuple[str, ...] = (),
    ) -> Page:
        """A fresh browser context signed in through the sign-in page, on the studio."""
        context = self.context(width=width, height=height, dark=dark, touch=touch)
        page, _ = self.page(context, allow=allow)
        page.goto("/sign-in")
        page.fill("#token", token or self.alice)
        page.click("#sign-in")
        page.wait_for_selector("#prompt")
        return page

    def shot(self, page: Page, name: str, *, full_page: bool = False) -> None:
        page.wait_for_timeout(350)  # let entry animations settle
        page.screenshot(path=str(self.shots / f"{name}.png"), full_page=full_page)

    def job(self, token: str, body: dict[str, Any], *, wait: bool = True) -> dict[str, Any]:
        with self.api(token) as client:
            created = client.post("/api/v1/jobs", json=body)
            assert created.status_code == 202, created.text
            job_id = created.json()["id"]
            if wait:
                return wait_for_job(client, job_id)
            return dict(client.get(f"/api/v1/jobs/{job_id}").json())


@contextmanager
def running_dashboard(
    root: Path,
    emulator: Emulator,
    env: dict[str, str],
    *,
    users: tuple[str, str] = ("alice", "bob"),
    prepare: Callable[[ServerProcess, str, str], None] | None = None,
) -> Iterator[Dashboard]:
    """A server on ``root`` with two users' tokens, and Chromium to drive it; ``prepare``
    runs after the tokens exist and before the browser starts."""
    chromium = require_chromium()
    shots = Path(os.environ.get("EASEL_SCREENSHOT_DIR") or root / "screenshots")
    shots.mkdir(parents=True, exist_ok=True)
    server = ServerProcess(root / "data", env=env)
    server.start()
    try:
        first, second = (create_token(server.data_dir, user) for user in users)
        if prepare is not None:
            prepare(server, first, second)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
            dash = Dashboard(server, emulator, first, second, browser, shots)
            try:
                yield dash
            finally:
                for context in dash.contexts:
                    context.close()
                browser.close()
    finally:
        server.stop()


def checked(dashboard: Dashboard) -> Iterator[Dashboard]:
    """The dashboard for one test; afterwards every page the test opened must be clean."""
    dashboard.watches.clear()
    yield dashboard
    for context in dashboard.contexts:
        context.close()
    dashboard.contexts.clear()
    for watch in dashboard.watches:
        watch.check()


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dashboard]:
    emulator = ReplicateEmulator()
    emulator.start()
    env = {
        **emulator.easel_env(),
        # Replicate's create holds the answer for up to half the timeout (Prefer: wait);
        # a short one makes the engine poll, so progress shows while the task runs.
        "EASEL_PROVIDERS__REPLICATE__TIMEOUT_SECONDS": "2",
        "EASEL_POLL_INTERVAL_SECONDS": "0.2",
    }
    try:
        with running_dashboard(tmp_path_factory.mktemp("dashboard"), emulator, env) as dash:
            yield dash
    finally:
        emulator.stop()


@pytest.fixture
def dash(dashboard: Dashboard) -> Iterator[Dashboard]:
    """The module's dashboard; after each test, every page it opened must be clean."""
    dashboard.emulator.state.task_seconds = 1.0
    yield from checked(dashboard)


def poll(condition: Callable[[], Any], *, timeout: float = 20.0, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


__all__ = ["FLUX", "MODEL", "Dashboard", "checked", "poll", "running_dashboard"]
