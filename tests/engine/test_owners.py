"""Telling a dead local worker from a live or remote one."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

from easel.engine.owners import is_dead_local_worker, new_worker_id


def test_a_worker_of_an_exited_process_is_dead() -> None:
    child = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    owner = f"{socket.gethostname()}:{int(child.stdout)}:abc123"
    assert is_dead_local_worker(owner)


def test_live_remote_and_malformed_owners_are_not_dead() -> None:
    assert not is_dead_local_worker(new_worker_id())  # this very process
    assert not is_dead_local_worker(f"{socket.gethostname()}:{os.getppid()}:x")  # alive
    assert not is_dead_local_worker("another-host:999999:x")  # not ours to judge
    assert not is_dead_local_worker("garbage")
