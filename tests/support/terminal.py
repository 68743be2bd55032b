"""The `easel` command in a real terminal: a pseudo-terminal of a fixed size, as a person
runs it (progress bars drawn, Ctrl-C sent as the terminal sends it)."""

from __future__ import annotations

import os
import re
import signal
import sys
from pathlib import Path

import pexpect

COLUMNS, ROWS = 100, 30
_CONTROL = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07|\r")
SLOW_OFFLINE = {"EASEL_PROVIDERS__OFFLINE__OPTIONS__STAGE_PAUSE_SECONDS": "2"}
"""The offline engine pausing two seconds after each of its stages: a variant runs long
enough to be interrupted."""


def _interruptible() -> None:
    """Ctrl-C reaches the command as it would in a terminal, even when the tests run in
    the background (a shell starts background jobs with SIGINT ignored)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def spawn(*args: str, cwd: Path, env: dict[str, str] | None = None) -> pexpect.spawn:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("EASEL_", "COLUMNS"))}
    return pexpect.spawn(
        sys.executable,
        ["-m", "easel", *args],
        cwd=str(cwd),
        env={**clean, "TERM": "xterm-256color", **(env or {})},
        dimensions=(ROWS, COLUMNS),
        encoding="utf-8",
        codec_errors="replace",
        timeout=90,
        preexec_fn=_interruptible,
    )


def finish(child: pexpect.spawn) -> tuple[int, str]:
    """Wait for the command to end; its exit status and the text it wrote (colours and
    cursor moves taken out)."""
    child.expect(pexpect.EOF)
    child.close()
    status = child.exitstatus if child.exitstatus is not None else -1
    return int(status), _CONTROL.sub("", str(child.before))


def run_in_terminal(*args: str, cwd: Path, env: dict[str, str] | None = None) -> tuple[int, str]:
    return finish(spawn(*args, cwd=cwd, env=env))
