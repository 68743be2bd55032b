"""Setting up: what `easel serve` says on a new data dir, what `easel db upgrade` reports,
and the start-up of the quick commands (which modules they load, not how long they take:
the times are in bench/bench_cli_startup.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pexpect
import pytest

from support.server import free_port
from support.terminal import spawn

from .test_cli import easel

HEAVY = ("fastapi", "uvicorn", "alembic", "sqlalchemy", "easel.services", "easel.engine.worker")
SDKS = ("openai", "anthropic", "google.genai", "replicate", "byteplussdkarkruntime")


def _imported(args: list[str], cwd: Path) -> set[str]:
    probe = (
        "import runpy, sys\n"
        f"sys.argv = ['easel', *{args!r}]\n"
        "try:\n    runpy.run_module('easel', run_name='__main__')\n"
        "except SystemExit as exit:\n    assert not exit.code, exit.code\n"
        "print('\\nloaded:' + ' '.join(sys.modules))\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("EASEL_")}
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return set(done.stdout.rsplit("loaded:", 1)[1].split())


@pytest.mark.parametrize(
    ("args", "absent"),
    [
        (["--help"], (*HEAVY, *SDKS, "pydantic", "httpx", "numpy")),
        (["models"], (*HEAVY, *SDKS)),
        (["jobs"], ("fastapi", "uvicorn", "numpy", "easel.services", *SDKS)),
    ],
    ids=["help", "models", "jobs"],
)
def test_quick_commands_leave_heavy_modules_alone(
    tmp_path: Path, args: list[str], absent: tuple[str, ...]
) -> None:
    # A current database first, so `easel jobs` has nothing to migrate.
    assert easel("db", "upgrade", cwd=tmp_path).returncode == 0
    loaded = _imported(args, tmp_path)
    assert not loaded & set(absent), sorted(loaded & set(absent))
    if args == ["jobs"]:
        assert "alembic" not in loaded  # the database was current: no migration machinery


def test_db_upgrade_says_what_it_did(tmp_path: Path) -> None:
    first = easel("db", "upgrade", "--data-dir", "fresh", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("Created the database (schema ")
    assert "up to date" not in first.stdout
    again = easel("db", "upgrade", "--data-dir", "fresh", cwd=tmp_path)
    assert again.stdout.startswith("The database is up to date (schema ")


def test_first_start_message_fits_80_columns_and_the_cli_is_the_same_user(tmp_path: Path) -> None:
    port = free_port()
    env = {"EASEL_DATA_DIR": str(tmp_path / "data")}
    child = spawn("serve", "--port", str(port), cwd=tmp_path, env=env)
    child.setwinsize(24, 80)
    try:
        child.expect("makes more tokens")
        said = str(child.before).replace("\r", "")
        token = next(word for word in said.split() if word.startswith("esl_"))
        lines = said.splitlines()
        assert all(len(line) <= 80 for line in lines), lines
        # Sentences end at line ends, not mid-phrase.
        assert "Its API token, shown only this once:" in lines
        assert f"    {token}" in lines
        child.expect("Uvicorn running")
        headers = {"Authorization": f"Bearer {token}"}
        me = httpx.get(f"http://127.0.0.1:{port}/api/v1/me", headers=headers, timeout=30)
        assert me.status_code == 200 and me.json()["name"] == "admin"
        # The README's tour: the CLI without --server, on the same data dir, works as that
        # same user, so its job is in the history the token (and the dashboard) sees.
        made = easel("generate", "a tour lighthouse", "--size", "128x128", cwd=tmp_path, env=env)
        assert made.returncode == 0, made.stderr
        jobs = httpx.get(f"http://127.0.0.1:{port}/api/v1/jobs", headers=headers, timeout=30)
        assert [j["prompt"] for j in jobs.json()["items"]] == ["a tour lighthouse"]
    finally:
        child.sendintr()
        child.expect(pexpect.EOF)
        child.close()
