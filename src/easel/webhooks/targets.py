"""Which URLs a webhook may call.

Only http(s), and only hosts whose every address is public: a user-supplied URL must
not reach the server's own loopback, the LAN or cloud metadata (SSRF). The check runs at
registration and again before each delivery, because DNS can change in between; the
delivery then connects to the address that was checked, not to a second lookup.
An admin can allow private targets (``EASEL_ALLOW_PRIVATE_WEBHOOKS``) for a trusted LAN.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from easel.errors import UserInputError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
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


def is_public(address: IPAddress) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


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
    addresses = sorted(
        {ipaddress.ip_address(a.split("%")[0]) for a in found}, key=lambda a: (a.version, str(a))
    )
    if not addresses:
        raise UserInputError(f"The webhook host {host} could not be resolved.", field=field)
    private = [a for a in addresses if not is_public(a)]
    if private and not allow_private:
        raise UserInputError(
            f"The webhook host {host} resolves to a private or loopback address "
            f"({private[0]}); Easel only calls public addresses.",
            field=field,
            hint="An admin can allow private targets with EASEL_ALLOW_PRIVATE_WEBHOOKS=true.",
        )
    return Target(url=url, scheme=scheme, host=host, port=port, address=str(addresses[0]))
