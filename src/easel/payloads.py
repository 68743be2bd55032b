"""Base64 and JSON at the sizes images come in.

A GPT image answer is a 3 MB PNG as 4 MB of base64 inside JSON. With the standard
library, decoding that base64 costs about 10 ms of CPU, encoding it again for a /v1
answer 3.5 ms and writing the answer's JSON another 10 ms; pybase64 (SIMD) and orjson
do each in a tenth of that or less. Small payloads (secrets, signatures, cookies) keep
the standard library.
"""

from __future__ import annotations

from typing import Any

import orjson
import pybase64


def b64encode(data: bytes) -> str:
    return pybase64.b64encode_as_string(data)


def b64decode(text: str | bytes) -> bytes:
    """Strict: anything but the base64 alphabet and its padding raises
    `binascii.Error`."""
    return pybase64.b64decode(text, validate=True)


def json_loads(data: bytes | str) -> Any:
    """Raises `json.JSONDecodeError` (orjson's error is one) on malformed input."""
    return orjson.loads(data)


def json_dumps(value: Any) -> bytes:
    """Compact UTF-8 JSON."""
    return orjson.dumps(value)
