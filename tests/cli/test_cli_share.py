"""`easel share`, run as a user runs it: embedded on a data dir, and against a server; the
printed link opens without a token once the studio is served."""

from __future__ import annotations

import re
from pathlib import Path

import httpx

from support.server import ServerProcess, create_token

from .test_cli import easel


def test_share_prints_links_that_open_without_a_token(tmp_path: Path) -> None:
    data = tmp_path / "data"
    made = easel(
        "generate", "a red kite over a hill", "--size", "192x128", "--out", str(tmp_path),
        "--data-dir", str(data), cwd=tmp_path,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr + made.stdout
    match = re.search(r"job (\w+): succeeded", made.stdout)
    assert match, made.stdout
    embedded = easel("share", match.group(1), "--data-dir", str(data), cwd=tmp_path)
    assert embedded.returncode == 0, embedded.stderr
    page_link = embedded.stdout.strip()
    assert re.fullmatch(r"http://127\.0\.0\.1:8000/s/[A-Za-z0-9_-]{43}", page_link), page_link
    assert "until revoked" in embedded.stderr

    server = ServerProcess(data)
    server.start()
    try:
        token = create_token(data, "admin")
        with httpx.Client(base_url=server.url, timeout=30) as anyone:
            page = anyone.get(page_link.removeprefix("http://127.0.0.1:8000"))
            assert page.status_code == 200 and "a red kite over a hill" in page.text
            source = re.search(r'<img src="([^"]+)"', page.text)
            assert source and anyone.get(source.group(1)).headers["content-type"] == "image/png"
            sha = source.group(1).rsplit("/", 1)[1]

        env = {"EASEL_TOKEN": token}
        remote = easel(
            "share", sha, "--expires", "3600", "--server", server.url, cwd=tmp_path, env=env
        )
        assert remote.returncode == 0, remote.stderr
        image_link = remote.stdout.strip()
        assert image_link.startswith(f"{server.url}/s/") and "until 20" in remote.stderr
        with httpx.Client(timeout=30) as anyone:
            assert anyone.get(image_link).headers["content-type"] == "image/png"

        wrong = easel("share", "no-such-job", "--server", server.url, cwd=tmp_path, env=env)
        assert wrong.returncode == 1 and "No job no-such-job." in wrong.stderr
        assert "Traceback" not in wrong.stderr and wrong.stdout == ""
    finally:
        server.stop()
