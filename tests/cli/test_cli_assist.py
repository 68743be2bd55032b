"""`easel describe` and `easel suggest`, run as a user runs them: text printed as it
streams, embedded on the data dir or against a server (local files uploaded first)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from PIL import Image

from emulators._text import DESCRIBE_REPLY
from emulators.anthropic import AnthropicEmulator
from support.server import ServerProcess, create_token

from .test_cli import easel


def _picture(path: Path) -> Path:
    Image.radial_gradient("L").convert("RGB").resize((300, 100)).save(path)
    return path


def test_embedded_describe_and_suggest_print_the_text(tmp_path: Path) -> None:
    data, picture = tmp_path / "data", _picture(tmp_path / "ref.png")
    described = easel("describe", str(picture), "--data-dir", str(data), cwd=tmp_path)
    assert described.returncode == 0, described.stderr
    assert "Palette:" in described.stdout and "Prompt:" in described.stdout
    assert "3:1" in described.stdout and "offline/assistant" in described.stderr
    suggested = easel("suggest", "a fox in snow", "-n", "2", "--data-dir", str(data), cwd=tmp_path)
    assert suggested.returncode == 0, suggested.stderr
    assert (
        suggested.stdout.startswith("1. a fox in snow") and "\n2. a fox in snow" in suggested.stdout
    )
    wrong = easel("suggest", "x", "-m", "nobody/none", "--data-dir", str(data), cwd=tmp_path)
    assert wrong.returncode == 1 and "Unknown assistant model" in wrong.stderr
    assert "Traceback" not in wrong.stderr


def test_describe_against_a_server_prints_words_as_they_arrive(tmp_path: Path) -> None:
    picture = _picture(tmp_path / "ref.png")
    with AnthropicEmulator() as claude:
        claude.delta_interval = 0.04  # about 2.6 s for the whole answer
        server = ServerProcess(tmp_path / "data", env=claude.easel_env())
        server.start()
        try:
            token = create_token(tmp_path / "data", "carol")
            clean = {k: v for k, v in os.environ.items() if not k.startswith("EASEL_")}
            command = ["describe", str(picture), "--server", server.url]
            process = subprocess.Popen(
                [sys.executable, "-m", "easel", *command, "-m", "anthropic/claude-sonnet-5-5"],
                cwd=tmp_path,
                env={**clean, "EASEL_TOKEN": token},
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
            assert process.stdout is not None
            first = process.stdout.read(9)  # "Subject: "
            first_at = time.monotonic()
            rest, errors = process.communicate(timeout=60)
        finally:
            server.stop()
    assert process.returncode == 0, errors.decode()
    assert (first + rest).decode() == DESCRIBE_REPLY
    assert first_at < claude.traffic.finished[-1], "the first words waited for the end"
    assert "anthropic/claude-sonnet-5-5" in errors.decode() and "$0.0" in errors.decode()
