"""Paths outside the API: a browser gets the dashboard's 404 page for a path that is no
page, and every API caller keeps its problem+json, whatever it accepts."""

from __future__ import annotations

import pytest

from .conftest import Studio

HTML = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"  # as browsers send


def test_a_browser_gets_the_dashboards_404_page(studio: Studio) -> None:
    with studio.client() as client:
        answer = client.get("/no/such/page", headers={"Accept": HTML})
        assert answer.status_code == 404
        assert answer.headers["content-type"].startswith("text/html")
        assert '<script type="module" src="/static/js/app.js">' in answer.text
        assert "script-src 'self'" in answer.headers["content-security-policy"]
        assert client.get("/history", headers={"Accept": HTML}).status_code == 200


@pytest.mark.parametrize(
    ("method", "path", "accept"),
    [
        ("GET", "/no/such/page", "application/json"),
        ("GET", "/no/such/page", "*/*"),
        ("POST", "/no/such/page", HTML),
        ("GET", "/api/v1/no-such-thing", HTML),
        ("GET", "/static/js/no-such-module.js", HTML),
    ],
)
def test_everything_else_keeps_its_problem_answer(
    studio: Studio, method: str, path: str, accept: str
) -> None:
    with studio.client() as client:
        answer = client.request(method, path, headers={"Accept": accept})
    assert answer.status_code in (404, 405), (path, answer.status_code)
    assert answer.headers["content-type"].startswith("application/problem+json"), path
