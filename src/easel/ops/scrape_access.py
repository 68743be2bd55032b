"""Who may scrape metrics, on the API's ``/metrics`` and a worker's metrics listener
alike: anyone with the metrics token when one is set, otherwise only callers on this
machine."""

from __future__ import annotations

import hmac
import ipaddress

from starlette.requests import Request

from easel.api.deps import bearer_token
from easel.errors import Forbidden, Unauthorized


def authorize_scrape(request: Request, token: str) -> None:
    if token:
        given = bearer_token(request) or ""
        if not hmac.compare_digest(given.encode(), token.encode()):
            raise Unauthorized(
                "Scraping metrics needs the metrics token.",
                hint="Send Authorization: Bearer <EASEL_METRICS_TOKEN>.",
            )
        return
    if not _from_loopback(request):
        raise Forbidden(
            "Metrics are open only to callers on this machine.",
            hint="Set EASEL_METRICS_TOKEN and scrape with it as a bearer token.",
        )


def _from_loopback(request: Request) -> bool:
    # Through a proxy on the same machine every caller would look local: a forwarded
    # request never counts as one.
    if "x-forwarded-for" in request.headers or "forwarded" in request.headers:
        return False
    host = request.client.host if request.client else ""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
