"""The runnable examples of docs/integrations.md, run as a user would, against a server."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from support.server import free_port

from .conftest import Easel, running_easel

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"


@pytest.fixture(scope="module")
def easel(data_dir: Path) -> Iterator[Easel]:
    with running_easel(data_dir, {"EASEL_ALLOW_PRIVATE_WEBHOOKS": "true"}) as running:
        yield running


def run_example(name: str, easel: Easel, cwd: Path, *args: str) -> str:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("EASEL_")},
        "EASEL_URL": easel.url,
        "EASEL_TOKEN": easel.token,
        "EASEL_DATA_DIR": str(easel.server.data_dir),
    }
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / name), *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_openai_sdk_example(easel: Easel, tmp_path: Path) -> None:
    out = run_example("openai_sdk.py", easel, tmp_path, "a green kite")
    assert "offline/procedural" in out and "saved easel-openai.png" in out
    assert Image.open(tmp_path / "easel-openai.png").size == (512, 512)
    lines = out.splitlines()
    assert "image_generation.partial_image" in lines
    assert lines[-1] == "image_generation.completed"


@pytest.mark.parametrize("transport", ["http", "stdio"])
def test_mcp_client_example(easel: Easel, tmp_path: Path, transport: str) -> None:
    args = ["--stdio"] if transport == "stdio" else []
    out = run_example("mcp_client.py", easel, tmp_path, *args, "a blue kite")
    assert "progress 100/100" in out and ": 1 image(s)" in out
    assert "url: " in out


def test_webhook_receiver_example(easel: Easel, tmp_path: Path) -> None:
    port = free_port()
    with easel.client() as http:
        secret = http.get("/api/v1/webhooks/secret").json()["secret"]
        receiver = subprocess.Popen(
            [
                sys.executable,
                str(EXAMPLES / "webhook_receiver.py"),
                "--port",
                str(port),
                "--count",
                "1",
            ],
            env={**os.environ, "EASEL_WEBHOOK_SECRET": secret},
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert receiver.stdout is not None
            assert receiver.stdout.readline().startswith("listening")
            job = http.post(
                "/api/v1/jobs",
                json={
                    "prompt": "a yellow kite",
                    "models": ["offline/procedural"],
                    "size": "64x64",
                    "webhook_url": f"http://127.0.0.1:{port}/hook",
                },
            ).json()
            out, _ = receiver.communicate(timeout=60)
        finally:
            if receiver.poll() is None:
                receiver.kill()
                receiver.wait(5)
    assert f"verified job.finished job={job['id']}" in out
    deadline = time.monotonic() + 10
    with easel.client() as http:
        while (
            found := http.get("/api/v1/webhooks/deliveries", params={"job_id": job["id"]}).json()
        )[0]["status"] != "delivered":
            assert time.monotonic() < deadline, found
            time.sleep(0.1)
