"""HTTP helpers shared by hosted providers: sending requests and mapping failures.

Adapters call `send()`; it turns transport failures and HTTP error statuses into the
`ProviderError` tree once, so every adapter reports a bad key, no credit, throttling or
a refusal the same way. An adapter passes `classify` to recognise its vendor's own error
bodies (a moderation code inside a 400, say) before the generic mapping applies.
"""

from __future__ import annotations

import binascii
import email.utils
import json
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httpx
from pydantic import BaseModel, ValidationError

from easel import payloads
from easel.errors import (
    ContentRejected,
    InvalidOutput,
    ProviderAuthError,
    ProviderError,
    ProviderQuotaError,
    ProviderTimeout,
    ProviderUnavailable,
    RateLimited,
    UnsupportedRequest,
)

M = TypeVar("M", bound=BaseModel)

Classifier = Callable[[httpx.Response, str], ProviderError | None]
"""Looks at an error response (and its message) and returns a specific error, or None."""


def retry_after_seconds(headers: Mapping[str, str]) -> float | None:
    """``retry-after-ms``, then ``Retry-After`` as seconds or an HTTP date."""
    millis = headers.get("retry-after-ms")
    if millis:
        try:
            return max(0.0, float(millis) / 1000)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        parsed = email.utils.parsedate_to_datetime(value)
        return max(0.0, parsed.timestamp() - time.time()) if parsed else None


def error_message(response: httpx.Response) -> str:
    """The most useful human text in an error body, whatever its shape."""
    try:
        body = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return response.text.strip()[:300] or response.reason_phrase
    return _find_message(body) or response.text.strip()[:300]


def _find_message(body: Any) -> str | None:
    if isinstance(body, str):
        return body
    if isinstance(body, list):
        return "; ".join(m for m in (_find_message(b) for b in body) if m) or None
    if not isinstance(body, dict):
        return None
    for key in ("message", "detail", "error", "errors", "title", "status_message"):
        if key in body:
            found = _find_message(body[key])
            if found:
                return found
    return None


def map_error(
    response: httpx.Response, provider: str, classify: Classifier | None = None
) -> ProviderError:
    """Translate an HTTP error response into Easel's error tree."""
    status = response.status_code
    message = error_message(response)
    if classify is not None:
        specific = classify(response, message)
        if specific is not None:
            return specific
    said = f"{provider} said: {message}" if message else f"{provider} answered HTTP {status}"
    if status in (401, 403):
        return ProviderAuthError(
            f"{provider} rejected the API key ({status}). {said}",
            hint="Check the key in your environment or .env file.",
            status_code=status,
        )
    if status == 402:
        return ProviderQuotaError(
            f"{provider} has no credit left for this account. {said}",
            hint="Add credit or a payment method in the provider's billing page.",
            status_code=status,
        )
    if status == 429:
        return RateLimited(
            f"{provider} is rate limiting requests. {said}",
            retry_after=retry_after_seconds(response.headers),
            status_code=status,
        )
    if status in (408, 504):
        return ProviderTimeout(f"{provider} timed out ({status}).", status_code=status)
    if status >= 500:
        return ProviderUnavailable(
            f"{provider} had a server error ({status}). {said}",
            status_code=status,
            retry_after=retry_after_seconds(response.headers),
        )
    if status == 422 and "safety" in message.lower():
        return ContentRejected(
            f"{provider} refused the prompt. {said}",
            hint="Rephrase the prompt.",
            status_code=status,
        )
    return UnsupportedRequest(
        f"{provider} refused the request ({status}). {said}", status_code=status
    )


@contextmanager
def transport_errors(provider: str) -> Iterator[None]:
    """Turn httpx's timeouts and connection failures into Easel's errors."""
    try:
        yield
    except httpx.TimeoutException as exc:
        raise ProviderTimeout(f"{provider} did not answer in time.") from exc
    except httpx.TransportError as exc:
        raise ProviderUnavailable(f"Could not reach {provider}: {exc}.") from exc


async def send(
    http: httpx.AsyncClient,
    method: str,
    url: str,
    *,
    provider: str,
    classify: Classifier | None = None,
    **kwargs: Any,
) -> httpx.Response:
    """Send a request; return the response when it succeeded, raise a ProviderError if not."""
    with transport_errors(provider):
        response = await http.request(method, url, **kwargs)
    if response.status_code >= 400:
        raise map_error(response, provider, classify)
    return response


def json_body(response: httpx.Response, provider: str) -> Any:
    """The response's JSON, or an InvalidOutput naming what came back instead."""
    try:
        return payloads.json_loads(response.content)
    except json.JSONDecodeError as exc:  # orjson's, bad UTF-8 included
        kind = response.headers.get("content-type", "unknown content")
        raise InvalidOutput(
            f"{provider} returned a malformed answer ({kind}) that is not valid JSON."
        ) from exc


def parse_json(response: httpx.Response, model_type: type[M], provider: str) -> M:
    """The response's JSON read as `model_type`, or an InvalidOutput naming the first misfit."""
    try:
        return model_type.model_validate(json_body(response, provider))
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "body"
        raise InvalidOutput(
            f"{provider} answered in an unexpected shape ({where}: {first['msg']})."
        ) from exc


def decode_image(data: str, source: str) -> bytes:
    """Strict base64 image bytes; `source` names who sent them in the InvalidOutput."""
    try:
        return payloads.b64decode(data)
    except binascii.Error as exc:
        raise InvalidOutput(f"{source} returned an image with broken base64.") from exc


def api_url(url: object, base_url: str, provider: str, hosts: tuple[str, ...] = ()) -> str:
    """A follow-up URL the vendor sent, checked before the key goes with it: it must be on
    the configured base URL's scheme and host, or an https host ending in one of `hosts`."""
    if isinstance(url, str):
        parts = urlsplit(url)
        if parts[:2] == urlsplit(base_url)[:2]:
            return url
        if parts.scheme == "https" and (parts.hostname or "").endswith(hosts):
            return url
    raise InvalidOutput(f"{provider} answered with a task URL off its API hosts: {url!r}.")
