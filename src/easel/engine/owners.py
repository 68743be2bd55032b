"""Worker identities, and telling that the process behind one has died.

A worker's id is ``host:pid:random``. When a server restarts after a crash, the variants
its previous process held are still leased; waiting for those leases to lapse would stall
them for the lease time. A lease held by a process of this host that no longer exists can
be taken back at once. (A reused pid only makes the reconciler wait for the lease, as it
would for another host's worker.)
"""

from __future__ import annotations

import os
import secrets
import socket


def new_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists, under another user
    return True


def is_dead_local_worker(owner: str) -> bool:
    """True when ``owner`` names a worker process of this host that has exited."""
    host, _, rest = owner.partition(":")
    pid_text = rest.partition(":")[0]
    if host != socket.gethostname() or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    return pid != os.getpid() and not _alive(pid)
