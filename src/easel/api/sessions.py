"""Browser sessions: a signed cookie that stands in for the API token, plus CSRF tokens.

The dashboard signs in once with an API token (`POST /api/v1/session`). The server keeps
a row in the ``sessions`` table (user, the API token used, created, last seen, expires,
revoked) and answers with an HttpOnly, SameSite=Strict cookie holding that session's id
and a random nonce, signed with HMAC-SHA256 under a key kept in ``<data_dir>/secret.key``.
Every request checks the row, so signing out, revoking the session from another browser,
or deleting the API token ends it at once, even for a copy of the cookie.

A cookie is an ambient credential, so every unsafe request that relies on it must carry
``X-CSRF-Token``: an HMAC of the session nonce under a second derived key. The page gets it
from ``GET``/``POST /api/v1/session`` and sends it with each POST, PUT and DELETE. A
cross-site attacker can neither read it nor make the browser send it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from starlette.requests import Request

from easel.errors import UserInputError

COOKIE = "easel_session"
CSRF_HEADER = "x-csrf-token"
MAX_AGE_SECONDS = 30 * 24 * 3600
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
SECRET_FILE = "secret.key"


def cookie_options(request: Request) -> dict[str, Any]:
    """How the session cookie is set and deleted: the same attributes both times."""
    return {
        "path": "/",
        "httponly": True,
        "samesite": "strict",
        "secure": request.url.scheme == "https",
    }


class CsrfRejected(UserInputError):
    code = "csrf"
    status = 403


@dataclass(frozen=True)
class SessionClaims:
    session_id: str
    nonce: str
    issued_at: int


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def load_secret(data_dir: Path) -> bytes:
    """The data dir's signing secret, created (mode 0600) on first use.

    A new secret is written to a private temporary file and linked into place, so two
    processes starting together agree on one complete secret."""
    path = data_dir / SECRET_FILE
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        temporary = data_dir / f".{SECRET_FILE}.{secrets.token_hex(6)}"
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32) + "\n")
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass  # another process made it first; use theirs
        finally:
            temporary.unlink()
    secret = path.read_text().strip()
    if len(secret) < 32:
        raise ValueError(f"{path} holds no usable secret; delete it to make a new one.")
    return secret.encode()


class SessionKeys:
    """Issues and checks session cookies and CSRF tokens under one secret."""

    def __init__(self, secret: bytes) -> None:
        self._sign_key = hmac.new(secret, b"easel session cookie", hashlib.sha256).digest()
        self._csrf_key = hmac.new(secret, b"easel csrf token", hashlib.sha256).digest()

    def issue(self, *, session_id: str, now: float | None = None) -> str:
        claims = {
            "s": session_id,
            "n": secrets.token_urlsafe(16),
            "i": int(now if now is not None else time.time()),
        }
        payload = _b64(json.dumps(claims, separators=(",", ":")).encode())
        return f"{payload}.{self._signature(payload)}"

    def read(self, value: str, *, now: float | None = None) -> SessionClaims | None:
        """The claims of a genuine, unexpired cookie; None for anything else."""
        payload, _, signature = value.partition(".")
        if not payload or not hmac.compare_digest(signature, self._signature(payload)):
            return None
        try:
            raw = json.loads(_unb64(payload))
            claims = SessionClaims(str(raw["s"]), str(raw["n"]), int(raw["i"]))
        except (ValueError, KeyError, TypeError):
            return None
        age = (now if now is not None else time.time()) - claims.issued_at
        return claims if 0 <= age < MAX_AGE_SECONDS else None

    def csrf_token(self, claims: SessionClaims) -> str:
        return _b64(hmac.new(self._csrf_key, claims.nonce.encode(), hashlib.sha256).digest())

    def check_csrf(self, claims: SessionClaims, header: str | None) -> None:
        if not header or not hmac.compare_digest(header, self.csrf_token(claims)):
            raise CsrfRejected(
                "This request came with the session cookie but without a valid CSRF token.",
                hint="Send the csrf_token from GET /api/v1/session as the X-CSRF-Token "
                "header, or authenticate with 'Authorization: Bearer <token>'.",
            )

    def _signature(self, payload: str) -> str:
        return _b64(hmac.new(self._sign_key, payload.encode(), hashlib.sha256).digest())
