"""Images handed to an assistant outside the HTTP API (MCP tools, the CLI): a sha256, the
URL of an Easel image, base64 (or a data: URL), or raw bytes. Anything not already the
caller's is stored as their upload first, with the upload checks, so every run reads the
caller's own images the same way."""

from __future__ import annotations

import re

from easel.errors import InvalidOutput, UserInputError
from easel.services import Services
from easel.storage.uploads import store_upload

SHA256 = re.compile(r"^[0-9a-f]{64}$")
IMAGE_URL = re.compile(r"/api/v1/images/(?P<sha>[0-9a-f]{64})(?:/thumbnail)?/?(?:[?#].*)?$")
DATA_URL = re.compile(r"^data:(?P<mime>image/[\w.+-]+);base64,", re.I)


async def _store(services: Services, user_id: str, data: bytes | str) -> str:
    limit = services.settings.max_upload_bytes
    try:
        if isinstance(data, bytes):
            if len(data) > limit:
                raise InvalidOutput(f"The image is larger than the {limit:,}-byte limit.")
            staged = await services.staging.write(data, "application/octet-stream")
        else:
            staged = await services.staging.write_base64(data, "application/octet-stream", limit)
    except InvalidOutput as exc:
        raise UserInputError(
            exc.message.replace("The provider returned broken", "Broken"),
            field="images",
            hint="Give a sha256, an Easel image URL, or a whole PNG, JPEG or WebP as base64.",
        ) from None
    image = await store_upload(
        db=services.db, keeper=services.keeper, user_id=user_id, staged=staged
    )
    return image.sha256


async def image_sha(services: Services, user_id: str, ref: str | bytes) -> str:
    """The sha256 naming ``ref`` among the caller's images (stored as an upload if new)."""
    if isinstance(ref, bytes):
        return await _store(services, user_id, ref)
    text = ref.strip()
    if SHA256.match(text):
        return text
    found = IMAGE_URL.search(text)
    if found:
        return found["sha"]
    return await _store(services, user_id, DATA_URL.sub("", text, count=1))
