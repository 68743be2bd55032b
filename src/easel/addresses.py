"""Which network addresses Easel may connect to for a URL it did not choose (SSRF).

Webhook targets (at registration and again at delivery) and provider result downloads
ask the same judge: `is_public`. An address is public only if it is globally reachable
unicast AND every IPv4 address embedded in it is too. IPv6 has many ways to carry an
IPv4 address, and a packet to such an address may end at the embedded one (through a
NAT64 gateway, a 6to4 or Teredo relay, or the host's own dual stack), so each is
unwrapped and judged:

* IPv4-mapped ``::ffff:a.b.c.d`` and IPv4-translated ``::ffff:0:a.b.c.d`` (RFC 4291, 2765)
* IPv4-compatible ``::a.b.c.d`` (RFC 4291, deprecated but still routed by some stacks)
* NAT64 ``64:ff9b::/96`` (RFC 6052) and the local-use ``64:ff9b:1::/48`` (RFC 8215) at
  every RFC 6052 position; the local-use prefix is never public in itself
* 6to4 ``2002:AABB:CCDD::/48`` (RFC 3056)
* Teredo ``2001:0:SSSS:SSSS:…:CCCC:CCCC`` (RFC 4380): the server and the client address,
  which Teredo stores with every bit inverted
* ISATAP interface ids ``…:0:5efe:a.b.c.d`` / ``…:200:5efe:a.b.c.d`` (RFC 5214)

The networks below are listed here, not only taken from Python's `ipaddress` flags,
because those flags changed between Python releases (64:ff9b:1::/48, for one, counts as
global on some). Sources: the IANA IPv4 and IPv6 Special-Purpose Address Registries.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_V4 = ipaddress.IPv4Network
_V6 = ipaddress.IPv6Network

NOT_PUBLIC_V4: tuple[ipaddress.IPv4Network, ...] = tuple(
    _V4(n)
    for n in (
        "0.0.0.0/8",  # "this network"
        "10.0.0.0/8",  # private
        "100.64.0.0/10",  # shared address space (carrier-grade NAT)
        "127.0.0.0/8",  # loopback
        "169.254.0.0/16",  # link-local, cloud metadata
        "172.16.0.0/12",  # private
        "192.0.0.0/24",  # IETF protocol assignments
        "192.0.2.0/24",  # documentation
        "192.88.99.0/24",  # 6to4 relay anycast (deprecated)
        "192.168.0.0/16",  # private
        "198.18.0.0/15",  # benchmarking
        "198.51.100.0/24",  # documentation
        "203.0.113.0/24",  # documentation
        "224.0.0.0/4",  # multicast
        "240.0.0.0/4",  # reserved, and the broadcast address
    )
)

NOT_PUBLIC_V6: tuple[ipaddress.IPv6Network, ...] = tuple(
    _V6(n)
    for n in (
        "::/128",  # unspecified
        "::1/128",  # loopback
        "64:ff9b:1::/48",  # NAT64 local use
        "100::/64",  # discard-only
        "2001::/23",  # IETF protocol assignments, Teredo among them
        "2001:db8::/32",  # documentation
        "3fff::/20",  # documentation
        "5f00::/16",  # segment routing SIDs
        "fc00::/7",  # unique local
        "fe80::/10",  # link-local
        "fec0::/10",  # site-local (deprecated)
        "ff00::/8",  # multicast
    )
)

_MAPPED = _V6("::ffff:0:0/96")
_TRANSLATED = _V6("::ffff:0:0:0/96")
_COMPATIBLE = _V6("::/96")
_NAT64 = _V6("64:ff9b::/96")
_NAT64_LOCAL = _V6("64:ff9b:1::/48")
_SIX_TO_FOUR = _V6("2002::/16")
_TEREDO = _V6("2001::/32")
_ISATAP_IDS = (0x00005EFE, 0x02005EFE)


def _v4(bits: int) -> ipaddress.IPv4Address:
    return ipaddress.IPv4Address(bits & 0xFFFFFFFF)


def _rfc6052(value: int) -> list[ipaddress.IPv4Address]:
    """The IPv4 address at each RFC 6052 position (prefix /32 … /96). Bits 64–71 (the
    "u" octet) are skipped, so the address is split around them for prefixes /40–/56."""
    found = []
    for prefix in (32, 40, 48, 56, 64, 96):
        if prefix == 96:
            found.append(_v4(value))
            continue
        if prefix == 64:
            found.append(_v4(value >> 24))
            continue
        before = 64 - prefix  # bits of the IPv4 address before the u octet
        high = (value >> (128 - prefix - before)) & ((1 << before) - 1)
        after = 32 - before
        low = (value >> (56 - after)) & ((1 << after) - 1)
        found.append(_v4((high << after) | low))
    return found


def embedded_ipv4(address: ipaddress.IPv6Address) -> tuple[ipaddress.IPv4Address, ...]:
    """Every IPv4 address the IPv6 address carries by a known scheme (often none)."""
    value = int(address)
    found: list[ipaddress.IPv4Address] = []
    if address in _MAPPED or address in _TRANSLATED or address in _COMPATIBLE:
        found.append(_v4(value))
    if address in _NAT64:
        found.append(_v4(value))
    if address in _NAT64_LOCAL:
        found.extend(_rfc6052(value))
    if address in _SIX_TO_FOUR:
        found.append(_v4(value >> 80))
    if address in _TEREDO:
        found.append(_v4(value >> 64))  # the Teredo server
        found.append(_v4(~value))  # the client, stored inverted
    if (value >> 32) & 0xFFFFFFFF in _ISATAP_IDS:
        found.append(_v4(value))
    return tuple(dict.fromkeys(found))


def _listed(address: IPAddress) -> bool:
    if isinstance(address, ipaddress.IPv4Address):
        return any(address in network for network in NOT_PUBLIC_V4)
    return any(address in network for network in NOT_PUBLIC_V6)


def _plain_public(address: IPAddress) -> bool:
    return address.is_global and not address.is_multicast and not _listed(address)


@lru_cache(maxsize=4096)
def non_public_reason(address: IPAddress) -> str | None:
    """Why the address must not be connected to on a user's behalf, or None if it may."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.scope_id:
            address = ipaddress.IPv6Address(address.compressed.split("%")[0])
        for inner in embedded_ipv4(address):
            if not _plain_public(inner):
                return f"{address} carries the IPv4 address {inner}"
    if not _plain_public(address):
        return f"{address} is not a public address"
    return None


def parse(address: str) -> IPAddress:
    """An address as getaddrinfo gives it, an IPv6 zone (``%eth0``) dropped."""
    return ipaddress.ip_address(address.split("%")[0])


def is_public(address: IPAddress | str) -> bool:
    """True when Easel may connect to the address for a URL it was given."""
    ip = parse(address) if isinstance(address, str) else address
    return non_public_reason(ip) is None
