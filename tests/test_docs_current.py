"""Generated documentation must not drift from the code it describes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_provider_table_in_the_docs_matches_the_catalog() -> None:
    table = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "providers_table.py")],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout.strip()
    docs = (ROOT / "docs" / "providers.md").read_text()
    assert table in docs, (
        "docs/providers.md is out of date: run `.venv/bin/python scripts/providers_table.py` "
        "and paste its table there."
    )
