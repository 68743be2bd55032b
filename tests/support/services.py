"""Which external services the tests may use, and how a missing one is reported.

On a developer machine without PostgreSQL the tests that need it skip with the reason;
under CI=true a skipped service test is a failure, so CI can never pass by skipping.
"""

from __future__ import annotations

import os
import socket

import pytest

POSTGRES_HOST = os.environ.get("EASEL_TEST_PG_HOST", "127.0.0.1")
POSTGRES_PORT = int(os.environ.get("EASEL_TEST_PG_PORT", "5432"))
POSTGRES_USER = os.environ.get("EASEL_TEST_PG_USER", "postgres")


def reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def require_service(name: str, host: str, port: int) -> None:
    if reachable(host, port):
        return
    reason = f"{name} is not reachable on {host}:{port}"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}; CI must run every service test.")
    pytest.skip(reason)
