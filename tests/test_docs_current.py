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


def test_sources_cite_vendor_documentation_not_notes_kept_elsewhere() -> None:
    # Spelled in pieces so this file does not trip over itself.
    banned = ("PROTOCOLS" + ".md", "LANDSCAPE" + ".md", "../" + "shared", "/work/" + "shared")
    found = []
    for folder in ("src", "tests", "docs", "scripts", "bench"):
        for path in (ROOT / folder).rglob("*"):
            if path.suffix not in {".py", ".md", ".js", ".css", ".html", ".toml", ".txt"}:
                continue
            text = path.read_text(errors="replace")
            found += [f"{path.relative_to(ROOT)}: {b}" for b in banned if b in text]
    readme = (ROOT / "README.md").read_text()
    found += [f"README.md: {b}" for b in banned if b in readme]
    assert found == [], "cite the vendor's documentation or SDK instead"
