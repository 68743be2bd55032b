"""SSRF through webhook targets: one table of hostile and benign addresses, judged the same
way at registration (the judge, the account webhook API, a job's webhook_url) and again
at delivery, where a refused target must never be connected to.

IPv6 forms that embed an IPv4 address (IPv4-compatible, NAT64, 6to4, Teredo, ISATAP …)
were once taken for public addresses; each is here with a private IPv4 inside.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from easel.addresses import embedded_ipv4, is_public
from easel.config import Settings
from easel.db.engine import Database
from easel.engine.download import check_url
from easel.errors import InvalidOutput, UserInputError
from easel.webhooks.delivery import Dispatcher, Message
from easel.webhooks.signing import new_secret
from easel.webhooks.targets import check_target, system_resolver
from support.client import MODEL

from .conftest import Easel, running_easel

# Host names the table's resolver answers (tests never use real DNS).
NAMES: dict[str, list[str]] = {
    "metadata.example": ["169.254.169.254"],
    "internal.example": ["10.0.0.7"],
    "mixed.example": ["93.184.215.14", "10.0.0.1"],
    "mapped.example": ["::ffff:127.0.0.1"],
    "compatible.example": ["::a9fe:a9fe"],
    "nat64.example": ["64:ff9b::a9fe:a9fe"],
    "sixtofour.example": ["2002:c0a8:101::1"],
    "teredo.example": ["2001:0:4136:e378:8000:63bf:80ff:fffe"],
    "linklocal.example": ["fe80::1%2"],
    "hooks.example": ["93.184.215.14"],
    "dual.example": ["93.184.215.14", "2606:4700:4700::1111"],
    "nat64-public.example": ["64:ff9b::5db8:d70e"],
}

HOSTILE = [
    # IPv4 in its many spellings (glibc reads all of them as 127.0.0.1)
    "http://127.0.0.1/hook",
    "http://127.1/hook",
    "http://2130706433/hook",
    "http://0x7f000001/hook",
    "http://0177.0.0.1/hook",
    "http://0x7f.0.0.1/hook",
    "http://127.255.255.254:8080/hook",
    "http://0.0.0.0/hook",
    "http://0/hook",
    "http://localhost/hook",
    "http://user@127.0.0.1/hook",
    "http://hooks.example.com@127.0.0.1/hook",
    # private, shared, link-local and reserved IPv4
    "http://10.0.0.1/hook",
    "http://172.16.0.1/hook",
    "http://172.31.255.255/hook",
    "http://192.168.1.1/hook",
    "http://169.254.169.254/latest/meta-data",
    "http://100.64.0.1/hook",
    "http://198.18.0.1/hook",
    "http://192.0.0.8/hook",
    "http://192.0.2.1/hook",
    "http://224.0.0.1/hook",
    "http://240.0.0.1/hook",
    "http://255.255.255.255/hook",
    # plain IPv6 that is not public
    "http://[::1]/hook",
    "http://[::]/hook",
    "http://[fe80::1]/hook",
    "http://[fc00::1]/hook",
    "http://[fd12:3456:789a::1]/hook",
    "http://[fec0::1]/hook",
    "http://[ff02::1]/hook",
    "http://[100::1]/hook",
    "http://[2001:db8::1]/hook",
    # IPv4-mapped and IPv4-translated
    "http://[::ffff:127.0.0.1]/hook",
    "http://[::ffff:7f00:1]/hook",
    "http://[::ffff:169.254.169.254]/hook",
    "http://[::ffff:10.0.0.1]/hook",
    "http://[::ffff:0:7f00:1]/hook",
    "http://[::ffff:0:a9fe:a9fe]/hook",
    # IPv4-compatible
    "http://[::127.0.0.1]/hook",
    "http://[::a9fe:a9fe]/hook",
    "http://[::a00:1]/hook",
    "http://[::c0a8:101]/hook",
    # NAT64, well-known and local-use prefixes
    "http://[64:ff9b::7f00:1]/hook",
    "http://[64:ff9b::a9fe:a9fe]/hook",
    "http://[64:ff9b::a00:1]/hook",
    "http://[64:ff9b::192.168.0.1]/hook",
    "http://[64:ff9b:1::a00:1]/hook",
    "http://[64:ff9b:1:a00:0:100::]/hook",
    "http://[64:ff9b:1::5db8:d70e]/hook",
    # 6to4
    "http://[2002:7f00:1::]/hook",
    "http://[2002:a9fe:a9fe::]/hook",
    "http://[2002:a00:1::1]/hook",
    "http://[2002:c0a8:101::]/hook",
    # Teredo: a private client (stored inverted) or server
    "http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/hook",
    "http://[2001:0:a00:1::1]/hook",
    # ISATAP interface ids on a public prefix
    "http://[2a00:1450::5efe:a9fe:a9fe]/hook",
    "http://[2a00:1450::200:5efe:7f00:1]/hook",
    # names that resolve to hostile addresses
    "https://metadata.example/hook",
    "https://internal.example/hook",
    "https://mixed.example/hook",
    "https://mapped.example/hook",
    "https://compatible.example/hook",
    "https://nat64.example/hook",
    "https://sixtofour.example/hook",
    "https://teredo.example/hook",
    "https://linklocal.example/hook",
]

BENIGN = [
    "https://93.184.215.14/hook",
    "http://8.8.8.8/hook",
    "https://1.1.1.1:8443/hook",
    "http://11.0.0.1/hook",
    "http://100.63.255.255/hook",
    "http://100.128.0.1/hook",
    "http://172.32.0.1/hook",
    "http://192.169.0.1/hook",
    "http://169.255.0.1/hook",
    "https://[2606:4700:4700::1111]/hook",
    "https://[2001:4860:4860::8888]/hook",
    "https://[2a00:1450:4001:800::200e]/hook",
    "https://[::ffff:8.8.8.8]/hook",
    "https://[64:ff9b::5db8:d70e]/hook",
    "https://[64:ff9b::808:808]/hook",
    "https://[2002:5db8:d70e::1]/hook",
    "https://hooks.example/hook",
    "https://dual.example/hook",
    "https://nat64-public.example/hook",
]

LITERALS = [u for u in HOSTILE + BENIGN if not u.split("/")[2].endswith(".example")]


async def table_resolver(host: str, port: int) -> list[str]:
    if host in NAMES:
        return NAMES[host]
    return await system_resolver(host, port)  # literals: no DNS query is made


def test_the_table_is_large_enough() -> None:
    assert len(HOSTILE) + len(BENIGN) >= 60
    assert len(set(HOSTILE + BENIGN)) == len(HOSTILE) + len(BENIGN)


@pytest.mark.parametrize("url", HOSTILE)
async def test_hostile_targets_are_refused_at_registration(url: str) -> None:
    with pytest.raises(UserInputError) as refused:
        await check_target(url, allow_private=False, resolver=table_resolver)
    assert "private or loopback" in refused.value.message or "resolved" in refused.value.message


@pytest.mark.parametrize("url", BENIGN)
async def test_benign_targets_are_accepted_at_registration(url: str) -> None:
    target = await check_target(url, allow_private=False, resolver=table_resolver)
    assert is_public(target.address)


def _dispatcher(tmp_path: Path, calls: list[httpx.Request]) -> Dispatcher:
    def receiver(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(204)

    settings = Settings(data_dir=tmp_path, environ={"HOME": str(tmp_path)})
    return Dispatcher(
        settings=settings,
        db=Database(settings.resolved_database_url),
        resolver=table_resolver,
        transport=httpx.MockTransport(receiver),
    )


async def test_delivery_refuses_every_hostile_target_and_sends_to_benign_ones(
    tmp_path: Path,
) -> None:
    """At delivery the address is judged again and the request pinned to it: a hostile
    target is never called; a benign one is called at the address that was checked."""
    calls: list[httpx.Request] = []
    dispatcher = _dispatcher(tmp_path, calls)
    try:
        for url in HOSTILE:
            attempt = await dispatcher.send(Message("d1", "u1", url, {"a": 1}, new_secret()))
            assert attempt.error and attempt.error.startswith("refused"), url
            assert attempt.status_code is None
        assert calls == []
        for url in BENIGN:
            attempt = await dispatcher.send(Message("d2", "u1", url, {"a": 1}, new_secret()))
            assert attempt.status_code == 204 and attempt.error is None, (url, attempt)
            sent = calls.pop()
            assert is_public(sent.url.host), (url, sent.url)
            assert sent.headers["host"] == httpx.URL(url).netloc.decode()
    finally:
        await dispatcher.aclose()


def test_embedded_ipv4_is_found_at_every_known_position() -> None:
    cases = {
        "::ffff:10.1.2.3": "10.1.2.3",
        "::ffff:0:a01:203": "10.1.2.3",
        "::a01:203": "10.1.2.3",
        "64:ff9b::a01:203": "10.1.2.3",
        "64:ff9b:1:a01:2:300::": "10.1.2.3",  # RFC 6052 /48: split around the u octet
        "2002:a01:203::1": "10.1.2.3",
        "2001:0:4136:e378:8000:63bf:f5fe:fdfc": "10.1.2.3",  # Teredo client, inverted
        "2a00:1450::5efe:a01:203": "10.1.2.3",
    }
    for v6, v4 in cases.items():
        found = embedded_ipv4(ipaddress.IPv6Address(v6))
        assert ipaddress.IPv4Address(v4) in found, (v6, found)
    assert embedded_ipv4(ipaddress.IPv6Address("2606:4700:4700::1111")) == ()


@pytest.fixture(scope="module")
def easel(data_dir: Path) -> Iterator[Easel]:
    with running_easel(data_dir) as running:  # private targets not allowed
        yield running


def test_the_api_refuses_hostile_literals_for_account_and_job_webhooks(easel: Easel) -> None:
    """The same judge behind the HTTP API, with the server's own resolver. Accepted
    account webhooks are removed at once and no job is made, so nothing is ever sent."""
    with easel.client(easel.other_token) as http:
        for url in LITERALS:
            account = http.post("/api/v1/webhooks", json={"url": url})
            if url in BENIGN:
                assert account.status_code == 201, (url, account.text)
                assert http.delete(f"/api/v1/webhooks/{account.json()['id']}").status_code == 204
                continue
            assert account.status_code == 422, (url, account.text)
            assert account.headers["content-type"] == "application/problem+json"
            job = http.post(
                "/api/v1/jobs", json={"prompt": "a fox", "models": [MODEL], "webhook_url": url}
            )
            assert job.status_code == 422, (url, job.text)
            assert job.json()["field"] == "webhook_url"
        assert http.get("/api/v1/jobs").json()["items"] == []


@pytest.mark.parametrize(
    "host", ["::127.0.0.1", "64:ff9b::a9fe:a9fe", "2002:a00:1::1", "::ffff:0:7f00:1", "10.0.0.1"]
)
async def test_result_downloads_ask_the_same_judge(host: str) -> None:
    """A provider's result URL is refused when its host resolves to a non-public address,
    by the same rule as webhooks (here the host is listed as a result host on purpose)."""
    url = f"https://[{host}]/image.png" if ":" in host else f"https://{host}/image.png"
    with pytest.raises(InvalidOutput, match="private address"):
        await check_url(url, trusted_hosts=[], result_hosts=[host])
    await check_url(
        "https://[2606:4700:4700::1111]/image.png",
        trusted_hosts=[],
        result_hosts=["2606:4700:4700::1111"],
    )
