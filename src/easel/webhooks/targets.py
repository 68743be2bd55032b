"""Which URLs a webhook may call.

Only http(s), and only hosts whose every address is public: a user-supplied URL must
not reach the server's own loopback, the LAN or cloud metadata (SSRF); `easel.addresses`
judges each address, IPv4 embedded in IPv6 included. The check runs at
registration and again before each delivery, because DNS can change in between; the
delivery then connects to the address that was checked, not to a second lookup.
An admin can allow private targets (``EASEL_ALLOW_PRIVATE_WEBHOOKS``) for a trusted LAN.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from easel.addresses import non_public_reason, parse
from easel.errors import UserInputError

Resolver = Callable[[str, int], Awaitable[list[str]]]
MAX_URL_LENGTH = 2000


@dataclass(frozen=True)
class Target:
    url: str
    scheme: str
    host: str
    port: int
    address: str
    """The checked address to connect to."""


async def system_resolver(host: str, port: int) -> list[str]:
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


def _split(url: str, field: str) -> tuple[str, str, int]:
    if len(url) > MAX_URL_LENGTH:
        raise UserInputError(
            f"The webhook URL is longer than {MAX_URL_LENGTH} characters.", field=field
        )
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise UserInputError(f"{url!r} is not a valid URL.", field=field) from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UserInputError(
            f"Webhook URLs must be http:// or https:// URLs with a host; got {url!r}.",
            field=field,
            hint="For example https://example.com/hooks/easel.",
        )
    return parts.scheme, parts.hostname, port or (443 if parts.scheme == "https" else 80)


async def check_target(
    url: str, *, allow_private: bool, resolver: Resolver = system_resolver, field: str = "url"
) -> Target:
    """The target to connect to, or a UserInputError (naming ``field``) saying why the
    URL is refused."""
    scheme, host, port = _split(url, field)
    try:
        found = await resolver(host, port)
    except OSError:
        found = []
    addresses = sorted({parse(a) for a in found}, key=lambda a: (a.version, str(a)))
    if not addresses:
        raise UserInputError(f"The webhook host {host} could not be resolved.", field=field)
    reasons = [r for r in map(non_public_reason, addresses) if r is not None]
    if reasons and not allow_private:
        raise UserInputError(
            f"The webhook host {host} resolves to a private or loopback address "
            f"({reasons[0]}); Easel only calls public addresses.",
            field=field,
            hint="An admin can allow private targets with EASEL_ALLOW_PRIVATE_WEBHOOKS=true.",
        )
    return Target(url=url, scheme=scheme, host=host, port=port, address=str(addresses[0]))
