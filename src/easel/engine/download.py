"""Fetching a provider's result URL: streamed, capped, and only from the provider's hosts.

A result URL comes from a remote API's answer, so it is treated as untrusted input:
it may only point at a host the provider serves results from (or the base URL the
operator configured), a host reached by name must not resolve to a private address,
and the body is streamed into a staging file with a byte cap, never held whole in memory.
"""

from __future__ import annotations

import asyncio
import binascii
import socket
from collections.abc import Collection
from urllib.parse import urlsplit

import httpx

from easel import payloads
from easel.addresses import is_public
from easel.errors import InvalidOutput, ProviderTimeout, ProviderUnavailable
from easel.providers.base import ImageBytes
from easel.storage.staging import StagedFile, Staging, TooLarge

_NOT_IMAGES = ("application/json", "application/xml", "application/problem+json")


def host_matches(host: str, patterns: Collection[str]) -> bool:
    host = host.lower().rstrip(".")
    for pattern in patterns:
        pattern = pattern.lower()
        if pattern.startswith("*."):
            if host.endswith(pattern[1:]) or host == pattern[2:]:
                return True
        elif host == pattern:
            return True
    return False


def _is_private(address: str) -> bool:
    return not is_public(address)


async def _resolves_private(host: str, port: int) -> bool:
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError:
        return False  # the request itself will fail with a clear error
    return any(_is_private(str(info[4][0])) for info in infos)


def _split_data_url(url: str) -> tuple[str, str]:
    """(MIME type, base64 payload) of a ``data:`` URL."""
    header, _, payload = url.partition(",")
    if not header.startswith("data:") or ";base64" not in header:
        raise InvalidOutput("The provider returned a data: URL that is not base64.")
    return header[5:].split(";")[0] or "application/octet-stream", payload


def decode_data_url(url: str) -> ImageBytes:
    """A small base64 ``data:`` URL (a reference image in a request) as bytes."""
    mime, payload = _split_data_url(url)
    try:
        return ImageBytes(payloads.b64decode(payload), mime)
    except binascii.Error as exc:
        raise InvalidOutput("The provider returned a data: URL with broken base64.") from exc


async def stage_data_url(url: str, staging: Staging, max_bytes: int) -> StagedFile:
    """Decode a result's base64 ``data:`` URL into a staged file, a piece at a time."""
    mime, payload = _split_data_url(url)
    return await staging.write_base64(payload, mime, max_bytes)


async def check_url(
    url: str, *, trusted_hosts: Collection[str], result_hosts: Collection[str]
) -> None:
    """Refuse URLs that do not point at the provider. ``trusted_hosts`` are the operator's
    configured base URLs (loopback allowed); ``result_hosts`` are the vendor's public hosts."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.scheme not in ("https", "http") or not host:
        raise InvalidOutput(f"The provider returned a result URL Easel cannot fetch: {url[:80]}")
    if host_matches(host, trusted_hosts):
        return
    if parts.scheme != "https" or not host_matches(host, result_hosts):
        raise InvalidOutput(
            f"The provider returned a result on {host}, which is not one of its result hosts; "
            "Easel refused to fetch it."
        )
    if await _resolves_private(host, parts.port or 443):
        raise InvalidOutput(f"The result host {host} resolves to a private address; refused.")


async def fetch(
    http: httpx.AsyncClient,
    url: str,
    *,
    trusted_hosts: Collection[str],
    result_hosts: Collection[str],
    max_bytes: int,
    timeout: float,
    staging: Staging,
) -> StagedFile:
    """Download ``url`` into a staged file (see the module docstring)."""
    if url.startswith("data:"):
        return await stage_data_url(url, staging, max_bytes)
    await check_url(url, trusted_hosts=trusted_hosts, result_hosts=result_hosts)
    try:
        async with (
            http.stream("GET", url, timeout=timeout, follow_redirects=False) as response,
            staging.writer(max_bytes) as writer,
        ):
            if response.status_code in (403, 404, 410):
                raise InvalidOutput(
                    f"The result URL answered {response.status_code}: it has expired or was "
                    "removed before Easel could download it.",
                    retryable=False,
                )
            if response.status_code >= 400:
                raise ProviderUnavailable(
                    f"Downloading the result failed with HTTP {response.status_code}.",
                    status_code=response.status_code,
                )
            declared = int(response.headers.get("content-length") or 0)
            if declared > max_bytes:
                raise InvalidOutput(f"The result is {declared} bytes; the limit is {max_bytes}.")
            mime = response.headers.get("content-type", "").split(";")[0].strip()
            async for chunk in response.aiter_bytes():
                await writer.write(chunk)
            if declared and writer.size < declared:
                raise InvalidOutput("The result download was cut short.")
            _refuse_pages(mime, writer.size)
    except TooLarge:
        raise InvalidOutput(f"The result is larger than the {max_bytes}-byte limit.") from None
    except httpx.TimeoutException as exc:
        raise ProviderTimeout("Downloading the result timed out.", retryable=True) from exc
    except httpx.TransportError as exc:
        raise ProviderUnavailable(f"Downloading the result failed: {exc}.") from exc
    return StagedFile(writer.path, writer.size, mime or "application/octet-stream")


def _refuse_pages(mime: str, size: int) -> None:
    if mime.startswith("text/") or mime in _NOT_IMAGES:
        # A result host answering with a page (a sign-in wall, an error) will not fix
        # itself on the next request; say so instead of failing on undecodable bytes.
        raise InvalidOutput(
            f"The result URL served {mime} ({size:,} bytes), not an image.",
            hint="Retry the variant; if it happens again, check the provider's status page.",
            retryable=False,
        )
