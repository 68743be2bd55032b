"""Debian's Chromium for the browser tests: never a downloaded browser.

Without /usr/bin/chromium the browser tests skip with the reason; under CI=true a missing
browser is a failure (`.ci/run` installs it), so CI can never pass by skipping.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("EASEL_TEST_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def require_chromium() -> Path:
    if CHROMIUM.exists():
        return CHROMIUM
    reason = f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}; CI must run the browser tests.")
    pytest.skip(reason)
