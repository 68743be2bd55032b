"""Ctrl-C in `easel generate`, in a real terminal of 100x30: it asks nothing, cancels the
job it started (no further variant starts) and says so; with --detach the job is left
to finish. Embedded on a data dir and against a server."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import httpx

from support.server import ServerProcess, create_token
from support.terminal import SLOW_OFFLINE, finish, spawn

from .test_cli import easel

JOB_ID = r"([0-9a-f]{28})"
# Offline concurrency is 2: of three variants at most two run, the third waits its turn.
THREE_SLOW = ("a slow lighthouse", "-n", "3", "--size", "256x256")


def _interrupt_when_running(child: Any) -> None:
    child.expect(r" [1-9][0-9]?% ")  # a variant's progress bar has moved: it is running
    child.sendintr()  # what the terminal sends on Ctrl-C


def _assert_canceled_before_the_third_started(job: dict[str, Any]) -> None:
    assert job["status"] == "canceled", job
    assert [v["status"] for v in job["variants"]] == ["canceled"] * 3
    never_started = [v for v in job["variants"] if v["started_at"] is None]
    assert never_started, "every variant started: the cancel came too late to show anything"
    assert all(v["image"] is None for v in job["variants"])


def test_ctrl_c_cancels_the_embedded_job(tmp_path: Path) -> None:
    data, out = tmp_path / "data", tmp_path / "out"
    env = {**SLOW_OFFLINE, "EASEL_DATA_DIR": str(data)}
    child = spawn("generate", *THREE_SLOW, "--out", str(out), cwd=tmp_path, env=env)
    _interrupt_when_running(child)
    child.expect(f"Canceled job {JOB_ID}")
    job_id = child.match.group(1)
    status, rest = finish(child)
    assert status == 130
    assert "Traceback" not in rest and "?" not in rest.strip()  # asks nothing

    shown = easel("show", job_id, "--json", "--data-dir", str(data), cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    _assert_canceled_before_the_third_started(json.loads(shown.stdout))
    assert not out.exists() or not list(out.iterdir())


def test_ctrl_c_cancels_the_job_on_the_server(tmp_path: Path) -> None:
    data = tmp_path / "data"
    server = ServerProcess(data, env=SLOW_OFFLINE)
    server.start()
    try:
        token = create_token(data, "hana")
        env = {"EASEL_TOKEN": token}
        child = spawn(
            "generate", *THREE_SLOW, "--server", server.url, "--out", "out", cwd=tmp_path, env=env
        )
        _interrupt_when_running(child)
        child.expect(f"Canceled job {JOB_ID}")
        job_id = child.match.group(1)
        status, _ = finish(child)
        assert status == 130
        headers = {"Authorization": f"Bearer {token}"}
        job = httpx.get(f"{server.url}/api/v1/jobs/{job_id}", headers=headers).json()
        _assert_canceled_before_the_third_started(job)
        # The server's log shows no variant started after the cancel.
        events = httpx.get(
            f"{server.url}/api/v1/jobs/{job_id}/events", headers=headers, timeout=30
        ).text
        types = re.findall(r'"type": ?"([a-z._]+)"', events)
        canceled_at = types.index("variant.canceled")
        assert "variant.started" not in types[canceled_at:]
    finally:
        server.stop()


def test_detach_leaves_the_job_to_finish_and_says_how_to_follow_it(tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = {**SLOW_OFFLINE, "EASEL_DATA_DIR": str(data)}
    child = spawn("generate", *THREE_SLOW, "--detach", cwd=tmp_path, env=env)
    _interrupt_when_running(child)
    child.expect(f"Job {JOB_ID} is left unfinished")
    job_id = child.match.group(1)
    status, rest = finish(child)
    assert status == 130
    assert f"easel show {job_id}" in " ".join(rest.split())
    left = json.loads(easel("show", job_id, "--json", cwd=tmp_path, env=env).stdout)
    assert left["status"] in ("queued", "running")
    assert not any(v["status"] == "canceled" for v in left["variants"])

    # A server on the data dir picks it up and finishes it.
    server = ServerProcess(
        data, env={"EASEL_PROVIDERS__OFFLINE__OPTIONS__STAGE_PAUSE_SECONDS": "0"}
    )
    server.start()
    try:
        token = create_token(data, "admin")
        headers = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=server.url, headers=headers, timeout=60) as client:
            with client.stream("GET", f"/api/v1/jobs/{job_id}/events") as stream:
                for line in stream.iter_lines():
                    if '"job.finished"' in line:
                        break
            job = client.get(f"/api/v1/jobs/{job_id}").json()
    finally:
        server.stop()
    assert job["status"] == "succeeded", job
