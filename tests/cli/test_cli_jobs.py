"""`easel jobs|show|cancel|download` with full ids and unique prefixes, `--json` on the
listing commands, and input errors as one line before anything is queued; in a real
terminal of 100x30 where a person would read the output."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from support.server import ServerProcess, create_token
from support.terminal import SLOW_OFFLINE, run_in_terminal

from .test_cli import easel


def _generate(data: Path, cwd: Path, prompt: str, *more: str) -> str:
    made = easel(
        "generate", prompt, "--size", "128x128", "--out", "made", "--data-dir", str(data), *more,
        cwd=cwd,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    return made.stdout.split("job ")[-1].split(":")[0]


def _jobs(data: Path, cwd: Path) -> list[dict[str, object]]:
    listed = easel("jobs", "--json", "--data-dir", str(data), cwd=cwd)
    assert listed.returncode == 0, listed.stderr
    return list(json.loads(listed.stdout))


def test_show_download_and_json_take_full_ids_and_unique_prefixes(tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = _generate(data, tmp_path, "a paper lantern", "-n", "2")
    second = _generate(data, tmp_path, "a copper kettle")
    assert [j["id"] for j in _jobs(data, tmp_path)] == [second, first]

    # The table in a 100-column terminal shows each id whole.
    status, table = run_in_terminal("jobs", "--data-dir", str(data), cwd=tmp_path)
    assert status == 0 and first in table and second in table

    prefix = next(first[:n] for n in range(1, 29) if not second.startswith(first[:n]))
    status, shown = run_in_terminal("show", prefix, "--data-dir", str(data), cwd=tmp_path)
    assert status == 0, shown
    assert first in shown and "a paper lantern" in shown and shown.count("succeeded") >= 2
    as_json = json.loads(
        easel("show", prefix, "--json", "--data-dir", str(data), cwd=tmp_path).stdout
    )
    assert as_json["id"] == first and len(as_json["variants"]) == 2

    out = tmp_path / "downloads"
    got = easel("download", prefix, "--out", str(out), "--data-dir", str(data), cwd=tmp_path)
    assert got.returncode == 0, got.stderr
    saved = sorted(out.iterdir())
    assert [p.name for p in saved] == sorted(p.name for p in (tmp_path / "made").glob(f"{first}-*"))
    assert all(p.read_bytes() == (tmp_path / "made" / p.name).read_bytes() for p in saved)

    models = json.loads(easel("models", "--json", "--data-dir", str(data), cwd=tmp_path).stdout)
    assert any(m["id"] == "offline/procedural" and m["available"] for m in models)


REFS = [
    ("0", "Several job ids start with 0"),
    ("fff", "No job id starts with fff. See `easel jobs`."),
    ("not-an-id", "'not-an-id' is not a job id: ids are 28 hex digits"),
]


def test_a_job_reference_that_names_no_single_job_is_one_line(tmp_path: Path) -> None:
    data = tmp_path / "data"
    for prompt in ("a lantern", "a kettle"):
        _generate(data, tmp_path, prompt)
    for command, (ref, says) in zip(("show", "cancel", "download"), REFS, strict=True):
        status, output = run_in_terminal(command, ref, "--data-dir", str(data), cwd=tmp_path)
        assert status == 1
        assert says in " ".join(output.split())
        assert len(output.strip().splitlines()) == 1 and "Traceback" not in output


def test_cancel_a_running_job_then_a_finished_one(tmp_path: Path) -> None:
    data = tmp_path / "data"
    server = ServerProcess(data, env=SLOW_OFFLINE)
    server.start()
    try:
        token = create_token(data, "admin")
        headers = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=server.url, headers=headers, timeout=30) as client:
            body = {"prompt": "a slow windmill", "models": ["offline/procedural"], "n": 3}
            running, waiting = (client.post("/api/v1/jobs", json=body).json()["id"] for _ in "ab")
            env = {"EASEL_TOKEN": token}
            status, said = run_in_terminal(
                "cancel", running[:20], "--server", server.url, cwd=tmp_path, env=env
            )
            assert status == 0, said
            assert f"Canceled job {running} (canceled)" in said
            job = client.get(f"/api/v1/jobs/{running}").json()
            assert [v["status"] for v in job["variants"]] == ["canceled"] * 3
            status, again = run_in_terminal(
                "cancel", running, "--server", server.url, cwd=tmp_path, env=env
            )
            assert status == 0 and "already finished (canceled); nothing to cancel" in again
    finally:
        server.stop()
    # With the server gone, the CLI cancels the other job straight in the data dir,
    # as the same user (`admin` is the embedded default).
    status, said = run_in_terminal("cancel", waiting, "--data-dir", str(data), cwd=tmp_path)
    assert status == 0 and f"Canceled job {waiting}" in said, said
    shown = json.loads(
        easel("show", waiting, "--json", "--data-dir", str(data), cwd=tmp_path).stdout
    )
    assert shown["status"] == "canceled"


ERRORS = [
    (["x", "--size", "banana"], "--size 'banana' is not valid: give WIDTHxHEIGHT in pixels"),
    (["x", "-n", "0"], "-n 0 is not valid: allowed: 1 to 16."),
    (["   "], "The prompt is missing or blank"),
    (["x", "--out", "a-file"], "--out a-file is a file; give a folder"),
    (["x", "-m", "offline/procedurl"], "Did you mean offline/procedural?"),
    (["x", "-m", "nope/never"], "Unknown model 'nope/never'. Allowed: offline/procedural, "),
    (["x", "--size", "8x8"], "each side in 64..2048 px; width is 8"),
]


@pytest.mark.parametrize(("args", "says"), ERRORS, ids=[" ".join(a) for a, _ in ERRORS])
def test_generate_input_errors_are_one_line_before_anything_is_queued(
    tmp_path: Path, args: list[str], says: str
) -> None:
    data = tmp_path / "data"
    (tmp_path / "a-file").write_text("keep me")
    status, output = run_in_terminal("generate", *args, "--data-dir", str(data), cwd=tmp_path)
    assert status == 1
    lines = [line for line in output.splitlines() if line.strip()]
    assert len(lines) == 1, output  # one line (the terminal may fold it, it is not broken)
    assert says in lines[0] and lines[0].startswith("Error: ")
    assert "Traceback" not in output
    assert (tmp_path / "a-file").read_text() == "keep me"
    if data.exists():
        assert _jobs(data, tmp_path) == []
