"""The `easel` command, run as a user runs it: in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
from PIL import Image

from support.server import ServerProcess


def easel(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("EASEL_")}
    return subprocess.run(
        [sys.executable, "-m", "easel", *args],
        cwd=cwd,
        env={**clean, "COLUMNS": "200", **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_embedded_generate_saves_images_and_history(tmp_path: Path) -> None:
    data = tmp_path / "data"
    result = easel(
        "generate",
        "a teal whale under a full moon",
        "-n",
        "2",
        "--size",
        "320x240",
        "--seed",
        "9",
        "--out",
        str(tmp_path / "out"),
        "--data-dir",
        str(data),
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr + result.stdout
    files = sorted((tmp_path / "out").glob("*.png"))
    assert len(files) == 2
    assert all(Image.open(f).size == (320, 240) for f in files)
    assert "succeeded" in result.stdout

    history = easel("jobs", "--data-dir", str(data), cwd=tmp_path)
    assert history.returncode == 0 and "teal whale" in history.stdout
    models = easel("models", "--data-dir", str(data), cwd=tmp_path)
    assert "offline/procedural" in models.stdout and "OPENAI_API_KEY" in models.stdout


def test_generate_against_a_server_with_a_new_token(tmp_path: Path) -> None:
    data = tmp_path / "data"
    server = ServerProcess(data)
    server.start()
    try:
        created = easel("token", "create", "--user", "frank", "--data-dir", str(data), cwd=tmp_path)
        assert created.returncode == 0, created.stderr
        token = created.stdout.strip()
        assert token.startswith("esl_")
        env = {"EASEL_TOKEN": token}
        result = easel(
            "generate",
            "two foxes in snow",
            "-n",
            "2",
            "--size",
            "256x256",
            "--out",
            str(tmp_path / "out"),
            "--server",
            server.url,
            cwd=tmp_path,
            env=env,
        )
        assert result.returncode == 0, result.stderr + result.stdout
        assert len(list((tmp_path / "out").glob("*.png"))) == 2
        listed = easel("jobs", "--server", server.url, cwd=tmp_path, env=env)
        assert "two foxes in snow" in listed.stdout
    finally:
        server.stop()


def test_clear_errors_without_tracebacks(tmp_path: Path) -> None:
    bad_model = easel(
        "generate", "x", "-m", "nope/never", "--data-dir", str(tmp_path / "d"), cwd=tmp_path
    )
    assert bad_model.returncode == 1
    assert "Unknown model 'nope/never'" in bad_model.stderr
    assert "Traceback" not in bad_model.stderr
    no_token = easel("jobs", "--server", "http://127.0.0.1:9", cwd=tmp_path)
    assert no_token.returncode == 1 and "EASEL_TOKEN" in no_token.stderr
    unreachable = easel(
        "jobs", "--server", "http://127.0.0.1:9", cwd=tmp_path, env={"EASEL_TOKEN": "esl_x"}
    )
    assert unreachable.returncode == 1 and "Cannot reach" in unreachable.stderr


def test_models_show_lifecycles_and_generate_uses_the_users_defaults(tmp_path: Path) -> None:
    from emulators.openai import OpenAIEmulator
    from support.server import create_token

    with OpenAIEmulator() as emulator:
        env = {**emulator.easel_env(), "EASEL_TODAY": "2026-11-27"}
        listing = easel("models", "--data-dir", str(tmp_path / "local"), cwd=tmp_path, env=env)
        assert listing.returncode == 0, listing.stderr
        row = next(line for line in listing.stdout.splitlines() if "openai/gpt-image-1.5 " in line)
        assert "shuts down 2026-12-01" in row
        assert "openai/dall-e-3" not in listing.stdout and "openai/gpt-image-2 " in listing.stdout

        data = tmp_path / "data"
        server = ServerProcess(data, env=env)
        server.start()
        try:
            token = create_token(data, "frank")
            headers = {"Authorization": f"Bearer {token}"}
            chosen = {"models": ["openai/gpt-image-2.6-flare"]}
            httpx.put(
                f"{server.url}/api/v1/me/defaults", json=chosen, headers=headers
            ).raise_for_status()
            result = easel(
                "generate",
                "a kite over dunes",
                "--out",
                str(tmp_path / "out"),
                "--server",
                server.url,
                cwd=tmp_path,
                env={"EASEL_TOKEN": token},
            )
        finally:
            server.stop()
    assert result.returncode == 0, result.stderr + result.stdout
    assert emulator.state.creations["gpt-image-2.6-flare"] == 1
    assert len(list((tmp_path / "out").glob("*.png"))) == 1


def test_token_list_and_revoke_end_a_token_and_its_sessions(tmp_path: Path) -> None:
    data = tmp_path / "data"
    server = ServerProcess(data)
    server.start()
    try:
        made = [
            easel(
                "token",
                "create",
                "--user",
                "gail",
                "--label",
                f"t{i}",
                "--data-dir",
                str(data),
                cwd=tmp_path,
            ).stdout.strip()
            for i in range(2)
        ]
        listed = easel("token", "list", "--user", "gail", "--data-dir", str(data), cwd=tmp_path)
        assert listed.returncode == 0, listed.stderr
        assert "t0" in listed.stdout and "t1" in listed.stdout
        assert all(token not in listed.stdout for token in made)
        with httpx.Client(base_url=server.url) as browser:
            assert browser.post("/api/v1/session", json={"token": made[0]}).status_code == 200
            assert browser.get("/api/v1/jobs").status_code == 200
            with httpx.Client(
                base_url=server.url, headers={"Authorization": f"Bearer {made[1]}"}
            ) as api:
                mine = api.get("/api/v1/tokens").json()
            first = next(t["id"] for t in mine if t["label"] == "t0")
            assert first in listed.stdout

            revoked = easel("token", "revoke", first, "--data-dir", str(data), cwd=tmp_path)
            assert revoked.returncode == 0, revoked.stderr
            assert browser.get("/api/v1/jobs").status_code == 401
        for token, status in zip(made, (401, 200), strict=True):
            headers = {"Authorization": f"Bearer {token}"}
            assert httpx.get(f"{server.url}/api/v1/jobs", headers=headers).status_code == status
        again = easel("token", "revoke", first, "--data-dir", str(data), cwd=tmp_path)
        assert again.returncode == 1 and "no token" in again.stderr
        remaining = easel("token", "list", "--data-dir", str(data), cwd=tmp_path).stdout
        assert "t1" in remaining and "t0" not in remaining
    finally:
        server.stop()
