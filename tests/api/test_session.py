"""Dashboard sessions: a signed HttpOnly cookie instead of the token, and CSRF protection
on every unsafe request that relies on it."""

from __future__ import annotations

import stat
import time
from pathlib import Path

import httpx
import pytest

from easel.api.sessions import COOKIE, MAX_AGE_SECONDS, CsrfRejected, SessionKeys, load_secret
from support.client import MODEL
from support.server import create_token

from .conftest import Studio

JOB = {"prompt": "session probe", "models": [MODEL], "size": "64x64"}


def browser(studio: Studio) -> httpx.Client:
    """A client that behaves like the dashboard: cookies, no Authorization header."""
    return httpx.Client(base_url=studio.server.url, timeout=30)


def sign_in(client: httpx.Client, token: str) -> dict[str, str]:
    response = client.post("/api/v1/session", json={"token": token})
    assert response.status_code == 200, response.text
    body: dict[str, str] = response.json()
    return body


def test_sign_in_sets_a_strict_httponly_cookie(studio: Studio) -> None:
    with browser(studio) as client:
        response = client.post("/api/v1/session", json={"token": studio.alice})
        assert response.status_code == 200
        cookie = response.headers["set-cookie"]
        assert cookie.startswith(f"{COOKIE}=")
        for flag in ("HttpOnly", "SameSite=strict", "Path=/", f"Max-Age={MAX_AGE_SECONDS}"):
            assert flag.lower() in cookie.lower(), flag
        assert "secure" not in cookie.lower()  # plain http on loopback
        assert studio.alice not in cookie
        body = response.json()
        assert body["user"]["name"] == "alice" and body["auth"] == "cookie"
        assert body["csrf_token"]

        session = client.get("/api/v1/session").json()
        assert session["user"]["name"] == "alice"
        assert session["csrf_token"] == body["csrf_token"]
        assert client.get("/api/v1/jobs").status_code == 200


def test_who_is_signed_in(studio: Studio) -> None:
    with browser(studio) as client:
        assert client.get("/api/v1/session").json() == {
            "user": None,
            "auth": None,
            "csrf_token": None,
            "expires_at": None,
        }
        client.cookies.set(COOKIE, "forged.value")
        assert client.get("/api/v1/session").json()["user"] is None
        assert client.get("/api/v1/jobs").status_code == 401
    with studio.client(studio.bob) as bob:
        assert bob.get("/api/v1/session").json()["auth"] == "bearer"
    with studio.client("esl_wrong") as wrong:
        assert wrong.get("/api/v1/session").status_code == 401


def test_a_wrong_token_does_not_sign_in(studio: Studio) -> None:
    with browser(studio) as client:
        response = client.post("/api/v1/session", json={"token": "esl_wrong"})
        assert response.status_code == 401
        assert "set-cookie" not in response.headers
        assert "easel token create" in response.json()["hint"]


def test_unsafe_cookie_requests_need_the_csrf_token(studio: Studio) -> None:
    with browser(studio) as client:
        csrf = sign_in(client, studio.alice)["csrf_token"]
        refused = client.post("/api/v1/jobs", json=JOB)
        assert refused.status_code == 403
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.json()["type"].endswith("/csrf")
        assert "X-CSRF-Token" in refused.json()["hint"]
        forged = client.post("/api/v1/jobs", json=JOB, headers={"X-CSRF-Token": csrf[:-2] + "xx"})
        assert forged.status_code == 403
        assert client.put("/api/v1/presets/x", json={"name": "x"}).status_code == 403
        assert client.delete("/api/v1/session").status_code == 403
        accepted = client.post("/api/v1/jobs", json=JOB, headers={"X-CSRF-Token": csrf})
        assert accepted.status_code == 202
    # Another session's token does not fit this one.
    with browser(studio) as first, browser(studio) as second:
        first_csrf = sign_in(first, studio.alice)["csrf_token"]
        sign_in(second, studio.alice)
        mixed = second.post("/api/v1/jobs", json=JOB, headers={"X-CSRF-Token": first_csrf})
        assert mixed.status_code == 403


def test_bearer_requests_are_exempt(studio: Studio) -> None:
    with studio.client(studio.alice) as client:
        assert client.post("/api/v1/jobs", json=JOB).status_code == 202


def test_sign_in_from_another_origin_is_refused(studio: Studio) -> None:
    with browser(studio) as client:
        response = client.post(
            "/api/v1/session",
            json={"token": studio.alice},
            headers={"Origin": "https://evil.example"},
        )
        assert response.status_code == 403
        assert "set-cookie" not in response.headers
        same = client.post(
            "/api/v1/session", json={"token": studio.alice}, headers={"Origin": studio.server.url}
        )
        assert same.status_code == 200
        # A form post cannot sign in: the body must be JSON.
        form = client.post("/api/v1/session", data={"token": studio.alice})
        assert form.status_code == 422


def test_sign_out_forgets_the_cookie(studio: Studio) -> None:
    with browser(studio) as client:
        csrf = sign_in(client, studio.alice)["csrf_token"]
        response = client.delete("/api/v1/session", headers={"X-CSRF-Token": csrf})
        assert response.status_code == 204
        assert "max-age=0" in response.headers["set-cookie"].lower()
        assert client.get("/api/v1/session").json()["user"] is None
        assert client.get("/api/v1/jobs").status_code == 401


def test_a_copied_cookie_stops_working_after_sign_out(studio: Studio) -> None:
    """A cookie copied with its CSRF token (from another machine, a proxy log …) once kept
    working for 30 days after sign-out; the server now ends the session itself."""
    with browser(studio) as client, browser(studio) as thief:
        csrf = sign_in(client, studio.alice)["csrf_token"]
        thief.cookies.set(COOKIE, client.cookies[COOKIE])
        stolen = {"X-CSRF-Token": csrf}
        assert thief.get("/api/v1/jobs").status_code == 200
        assert thief.post("/api/v1/jobs", json=JOB, headers=stolen).status_code == 202

        assert client.delete("/api/v1/session", headers=stolen).status_code == 204

        assert thief.get("/api/v1/jobs").status_code == 401
        after = thief.post("/api/v1/jobs", json=JOB, headers=stolen)
        assert after.status_code == 401
        assert "session has ended" in after.json()["detail"]
        assert thief.get("/api/v1/session").json()["user"] is None


def test_sessions_are_listed_and_revoked_from_another_browser(studio: Studio) -> None:
    with browser(studio) as laptop, browser(studio) as phone:
        csrf = sign_in(laptop, studio.alice)["csrf_token"]
        phone.headers["User-Agent"] = "phone-browser"
        sign_in(phone, studio.alice)
        assert phone.get("/api/v1/jobs").status_code == 200

        listed = laptop.get("/api/v1/sessions").json()
        current = [s for s in listed if s["current"]]
        assert len(current) == 1 and len(listed) >= 2
        other = next(s for s in listed if s["user_agent"] == "phone-browser")
        assert not other["current"] and other["expires_at"] > other["created_at"]

        with studio.client(studio.bob) as bob:  # not bob's to see or end
            assert all(s["id"] != other["id"] for s in bob.get("/api/v1/sessions").json())
            assert bob.delete(f"/api/v1/sessions/{other['id']}").status_code == 404

        revoked = laptop.delete(f"/api/v1/sessions/{other['id']}", headers={"X-CSRF-Token": csrf})
        assert revoked.status_code == 204
        assert phone.get("/api/v1/jobs").status_code == 401
        assert laptop.get("/api/v1/jobs").status_code == 200
        assert other["id"] not in [s["id"] for s in laptop.get("/api/v1/sessions").json()]
        assert laptop.delete(f"/api/v1/sessions/{other['id']}", headers={"X-CSRF-Token": csrf})


def test_tokens_are_listed_and_revoking_one_ends_its_sessions(studio: Studio) -> None:
    spare = create_token(studio.server.data_dir, "alice")
    with browser(studio) as client, studio.client(studio.alice) as alice:
        sign_in(client, spare)
        tokens = alice.get("/api/v1/tokens").json()
        assert len(tokens) >= 2 and sum(t["current"] for t in tokens) == 1
        assert all(spare not in str(t) and studio.alice not in str(t) for t in tokens)
        spare_id = next(
            t["id"] for t in tokens if spare.startswith(t["prefix"]) and not t["current"]
        )
        with studio.client(studio.bob) as bob:
            assert bob.delete(f"/api/v1/tokens/{spare_id}").status_code == 404

        assert alice.delete(f"/api/v1/tokens/{spare_id}").status_code == 204
        assert client.get("/api/v1/jobs").status_code == 401
        with studio.client(spare) as revoked:
            assert revoked.get("/api/v1/jobs").status_code == 401
        assert spare_id not in [t["id"] for t in alice.get("/api/v1/tokens").json()]
        assert alice.get("/api/v1/jobs").status_code == 200


def test_the_secret_is_private(studio: Studio) -> None:
    with browser(studio) as client:
        sign_in(client, studio.alice)  # the key exists once a session was signed
    path = studio.server.data_dir / "secret.key"
    assert path.exists()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_dashboard_pages_carry_a_strict_csp(studio: Studio) -> None:
    with browser(studio) as client:
        for path in ("/", "/sign-in", "/history", "/history/abc", "/compare/abc", "/stats"):
            response = client.get(path)
            assert response.status_code == 200, path
            assert response.headers["content-type"].startswith("text/html")
            csp = response.headers["content-security-policy"]
            assert "default-src 'self'" in csp and "'unsafe-inline'" not in csp
        assert client.get("/static/js/app.js").headers["content-type"].startswith("text/javascript")
        assert client.get("/favicon.ico").status_code == 200
        assert "/" not in client.get("/openapi.json").json()["paths"]


# ------------------------------------------------------------------- SessionKeys, in-process


def test_keys_round_trip_and_reject_tampering(tmp_path: Path) -> None:
    keys = SessionKeys(load_secret(tmp_path))
    value = keys.issue(session_id="s1")
    claims = keys.read(value)
    assert claims is not None and claims.session_id == "s1"
    payload, _, signature = value.partition(".")
    assert keys.read(payload + "." + signature[::-1]) is None
    assert keys.read("x" + value) is None
    assert keys.read("") is None
    other = SessionKeys(b"another secret of enough length 0123456789")
    assert other.read(value) is None
    keys.check_csrf(claims, keys.csrf_token(claims))
    with pytest.raises(CsrfRejected):
        keys.check_csrf(claims, None)


def test_keys_expire(tmp_path: Path) -> None:
    keys = SessionKeys(load_secret(tmp_path))
    old = keys.issue(session_id="s1", now=time.time() - MAX_AGE_SECONDS - 1)
    assert keys.read(old) is None
    assert load_secret(tmp_path) == load_secret(tmp_path)
