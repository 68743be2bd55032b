"""Share links over HTTP against a real server: made, listed and revoked with a token,
opened without one; expiry by the server's clock; `/v1` answering share links under
``EASEL_V1_SHARE_LINKS`` so the OpenAI SDK gets a URL any client can fetch."""

from __future__ import annotations

import io
import re
import secrets
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest
from PIL import Image

from support.client import MODEL, wait_for_job
from support.server import ServerProcess, create_token

from .conftest import Studio


@pytest.fixture(scope="module")
def sharing_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """A server whose /v1 answers share links, and which collects unreferenced images at
    once (so a deleted job's image is really gone)."""
    data_dir: Path = tmp_path_factory.mktemp("shares") / "data"
    env = {
        "EASEL_V1_SHARE_LINKS": "true",
        "EASEL_ORPHAN_GRACE_SECONDS": "0",
        "EASEL_COLLECT_INTERVAL_SECONDS": "0.2",
    }
    server = ServerProcess(data_dir, env=env)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def studio(sharing_server: ServerProcess) -> Studio:
    """Two users of their own per test, so each test's share lists hold only its links
    whatever order the tests run in."""
    suffix = secrets.token_hex(4)
    data_dir = sharing_server.data_dir
    return Studio(
        sharing_server,
        create_token(data_dir, f"alice-{suffix}"),
        create_token(data_dir, f"bob-{suffix}"),
    )


def _job(client: httpx.Client, prompt: str, **extra: Any) -> dict[str, Any]:
    body = {"prompt": prompt, "models": [MODEL], "size": "160x96", **extra}
    created = client.post("/api/v1/jobs", json=body)
    assert created.status_code == 202, created.text
    return wait_for_job(client, created.json()["id"])


def _share(client: httpx.Client, kind: str, target: str, **extra: Any) -> dict[str, Any]:
    made = client.post("/api/v1/shares", json={"target": {"kind": kind, "id": target}, **extra})
    assert made.status_code == 201, made.text
    return dict(made.json())


def _anonymous(studio: Studio) -> httpx.Client:
    return httpx.Client(timeout=30)  # absolute URLs, and no token of any kind


def test_an_image_link_works_without_a_token_until_revoked(studio: Studio) -> None:
    with studio.client(studio.alice) as alice, studio.client(studio.bob) as bob:
        job = _job(alice, "a lighthouse on a cliff")
        image = job["variants"][0]["image"]
        link = _share(alice, "image", image["sha256"])
        assert re.fullmatch(rf"{studio.server.url}/s/[A-Za-z0-9_-]{{43}}", link["url"])
        assert link["kind"] == "image" and link["target_url"] == image["url"]
        assert link["expires_at"] is None

        with _anonymous(studio) as anyone:
            assert anyone.get(studio.server.url + image["url"]).status_code == 401
            shown = anyone.get(link["url"])
            assert shown.status_code == 200, shown.text
            assert shown.content == alice.get(image["url"]).content
            assert shown.headers["content-type"] == "image/png"
            assert shown.headers["x-content-type-options"] == "nosniff"
            # Caches must ask again each time, so revoking takes effect everywhere at once.
            assert shown.headers["cache-control"] == "public, no-cache"
            assert Image.open(io.BytesIO(shown.content)).size == (160, 96)
            again = anyone.get(link["url"], headers={"If-None-Match": shown.headers["etag"]})
            assert again.status_code == 304
            assert anyone.head(link["url"]).status_code == 200

            listed = alice.get("/api/v1/shares").json()
            assert [s["id"] for s in listed] == [link["id"]]
            assert "url" not in listed[0] and link["url"].rsplit("/", 1)[1] not in str(listed)
            assert bob.get("/api/v1/shares").json() == []
            assert bob.delete(f"/api/v1/shares/{link['id']}").status_code == 404
            assert anyone.get(link["url"]).status_code == 200

            assert alice.delete(f"/api/v1/shares/{link['id']}").status_code == 204
            gone = anyone.get(link["url"])
            assert gone.status_code == 404
            assert gone.headers["content-type"] == "application/problem+json"
            assert "revoked" in gone.json()["detail"]
            # Even a client that kept the ETag is told the link is gone, not 304.
            stale = anyone.get(link["url"], headers={"If-None-Match": shown.headers["etag"]})
            assert stale.status_code == 404
            page = anyone.get(link["url"], headers={"Accept": "text/html"})
            assert page.status_code == 404 and "does not work" in page.text
        assert alice.delete(f"/api/v1/shares/{link['id']}").status_code == 404
        assert alice.get("/api/v1/shares").json() == []
        # The image itself is untouched.
        assert alice.get(image["url"]).status_code == 200


def test_a_job_link_shows_a_read_only_page_until_the_job_is_deleted(studio: Studio) -> None:
    prompt = 'two <b>boats</b> & a "harbour"'
    with studio.client(studio.alice) as alice:
        job = _job(alice, prompt, n=2, seed=11)
        other = _job(alice, "a different picture")
        link = _share(alice, "job", job["id"])
        image_link = _share(alice, "image", job["variants"][0]["image"]["sha256"])
        with _anonymous(studio) as anyone:
            page = anyone.get(link["url"], headers={"Accept": "text/html"})
            assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
            csp = page.headers["content-security-policy"]
            assert "default-src 'none'" in csp and "script" not in csp
            assert page.headers["referrer-policy"] == "no-referrer"
            assert "two &lt;b&gt;boats&lt;/b&gt; &amp; a &quot;harbour&quot;" in page.text
            assert "<b>boats" not in page.text
            models = alice.get("/api/v1/models").json()
            name = next(m["name"] for m in models if m["id"] == MODEL)
            assert f'<p id="models">{name} · shared from Easel</p>' in page.text
            assert not re.search(r"<(script|form|button|input)\b", page.text)
            sources = re.findall(r'<img src="([^"]+)"', page.text)
            assert len(sources) == 2
            for source, variant in zip(sources, job["variants"], strict=True):
                shown = anyone.get(studio.server.url + source)
                assert shown.status_code == 200
                assert shown.content == alice.get(variant["image"]["url"]).content
            # The token opens this job's images only.
            foreign = sources[0].rsplit("/", 1)[0] + "/" + other["variants"][0]["image"]["sha256"]
            assert anyone.get(studio.server.url + foreign).status_code == 404
            # An image link cannot be used as a job page's to reach other images.
            sideways = f"{image_link['url']}/images/{job['variants'][1]['image']['sha256']}"
            assert anyone.get(sideways).status_code == 404

            assert alice.delete(f"/api/v1/jobs/{job['id']}").status_code == 204
            assert anyone.get(link["url"], headers={"Accept": "text/html"}).status_code == 404
            assert anyone.get(studio.server.url + sources[0]).status_code == 404
            assert anyone.get(image_link["url"]).status_code == 404
            assert alice.get("/api/v1/shares").json() == []
            # The same image made again does not bring the old link back.
            again = _job(alice, prompt, n=2, seed=11)
            assert again["variants"][0]["image"]["sha256"] == job["variants"][0]["image"]["sha256"]
            assert anyone.get(image_link["url"]).status_code == 404


def test_links_expire_by_the_servers_clock(studio: Studio) -> None:
    with studio.client(studio.alice) as alice:
        sha = _job(alice, "an hourglass")["variants"][0]["image"]["sha256"]
        lasting = _share(alice, "image", sha, expires_in=3600)
        brief = _share(alice, "image", sha, expires_in=1)
        made = datetime.fromisoformat(brief["created_at"])
        assert (datetime.fromisoformat(brief["expires_at"]) - made).total_seconds() == 1
        with _anonymous(studio) as anyone:
            answers = []
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                answers.append(anyone.get(brief["url"]).status_code)
                if answers[-1] == 404:
                    break
                time.sleep(0.2)
            # Served while it lasted (if the first request came in time), then gone for good.
            assert answers[-1] == 404 and set(answers) <= {200, 404}, answers
            assert anyone.get(brief["url"]).status_code == 404
            assert anyone.get(lasting["url"]).status_code == 200
        assert [s["id"] for s in alice.get("/api/v1/shares").json()] == [lasting["id"]]
        assert alice.delete(f"/api/v1/shares/{brief['id']}").status_code == 404


def test_bad_share_requests_are_explained(studio: Studio) -> None:
    with studio.client(studio.alice) as alice:
        sha = _job(alice, "a red kite")["variants"][0]["image"]["sha256"]
        cases: list[tuple[dict[str, Any], int, str]] = [
            ({"target": {"kind": "video", "id": sha}}, 422, "target.kind"),
            ({"target": {"kind": "image", "id": sha}, "expires_in": 0}, 422, "expires_in"),
            ({"target": {"kind": "image", "id": sha}, "expires_in": 10**9}, 422, "expires_in"),
            ({"target": {"kind": "image", "id": ""}}, 422, "target.id"),
            ({"target": {"kind": "image", "id": "f" * 64}}, 404, "target.id"),
            ({"target": {"kind": "job", "id": "nope"}}, 404, "target.id"),
            ({}, 422, "target"),
        ]
        for body, status, field in cases:
            answer = alice.post("/api/v1/shares", json=body)
            assert answer.status_code == status, (body, answer.text)
            problem = answer.json()
            assert answer.headers["content-type"] == "application/problem+json"
            assert field in problem["detail"] or problem.get("field") == field, problem
        kind = alice.post("/api/v1/shares", json={"target": {"kind": "video", "id": sha}})
        assert "'image'" in kind.text and "'job'" in kind.text
        assert alice.get("/api/v1/shares", params={"limit": 0}).status_code == 422
        with _anonymous(studio) as anyone:
            assert anyone.get(f"{studio.server.url}/s/{'x' * 500}").status_code == 404
            assert anyone.post(f"{studio.server.url}/api/v1/shares", json={}).status_code == 401


def test_v1_answers_share_links_the_openai_sdk_can_show(studio: Studio) -> None:
    with openai.OpenAI(
        base_url=f"{studio.server.url}/v1", api_key=studio.alice, max_retries=0
    ) as sdk:
        answer = sdk.images.generate(
            model=MODEL, prompt="a teal boat", n=2, size="128x96", response_format="url"
        )
        # A streamed answer's completed event carries a share link too.
        events = list(
            sdk.images.generate(model=MODEL, prompt="a teal boat", size="96x96", stream=True)
        )
    completed = [e for e in events if e.type == "image_generation.completed"]
    assert len(completed) == 1 and completed[0].model_extra
    assert answer.data and len(answer.data) == 2
    urls = [item.url or "" for item in answer.data] + [str(completed[0].model_extra["url"])]
    assert all(url.startswith(f"{studio.server.url}/s/") for url in urls), urls
    with _anonymous(studio) as anyone:
        pictures = [anyone.get(url) for url in urls]
    assert all(p.status_code == 200 for p in pictures)
    sizes = [Image.open(io.BytesIO(p.content)).size for p in pictures]
    assert sizes == [(128, 96), (128, 96), (96, 96)]
    with studio.client(studio.alice) as alice:
        listed = alice.get("/api/v1/shares").json()
    assert len(listed) >= 3 and {s["kind"] for s in listed} == {"image"}
