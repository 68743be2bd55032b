"""Image files, served with ETag and immutable caching (their address is their hash).

A file is opened before the answer starts, so a file missing from storage (or of the
wrong size) answers ``410`` problem+json and is logged as data loss, never a ``200`` with
a short body. A read failing half-way ends the connection without the end of the body,
which every HTTP client reports as an error.

SVG files are served sandboxed: the browser runs no script in them and loads nothing
they point at, even when one is opened directly.
"""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request, Response
from fastapi.responses import StreamingResponse

from easel.api.deps import CurrentUser, ServicesDep
from easel.db.repos import images as image_repo
from easel.db.tables import Image
from easel.errors import NotFound
from easel.services import Services
from easel.storage.base import StoredObject
from easel.storage.sniff import EXTENSIONS

log = logging.getLogger(__name__)
router = APIRouter(prefix="/images", tags=["images"])

CACHE = "private, max-age=31536000, immutable"
SVG_POLICY = "sandbox; default-src 'none'; style-src 'unsafe-inline'"


class FileGone(NotFound):
    code = "file-gone"
    status = 410


async def _serve(
    request: Request, sha256: str, user_id: str, services: ServicesDep, *, thumbnail: bool
) -> Response:
    async with services.db.session() as session:
        image = await image_repo.image_for_user(session, user_id=user_id, sha256=sha256)
    if image is None:
        raise NotFound(f"No image {sha256}.")
    return await serve_image(request, image, services, thumbnail=thumbnail, cache=CACHE)


async def serve_image(
    request: Request, image: Image, services: Services, *, thumbnail: bool, cache: str
) -> Response:
    """The image's file (or thumbnail) with its type, ``nosniff``, SVG sandboxed, and the
    caching ``cache`` allows; a ``304`` when the client already has it."""
    sha256 = image.sha256
    etag = f'"{sha256}{"-t" if thumbnail else ""}"'
    headers = {"ETag": etag, "Cache-Control": cache, "X-Content-Type-Options": "nosniff"}
    if etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    key = image.thumbnail_key if thumbnail else image.storage_key
    mime = "image/webp" if thumbnail else image.mime_type
    if not thumbnail:
        ext = EXTENSIONS.get(mime, "bin")
        headers["Content-Disposition"] = f'inline; filename="easel-{sha256[:12]}.{ext}"'
        if mime == "image/svg+xml":
            headers["Content-Security-Policy"] = SVG_POLICY
    opened = await _open(services, image, key, thumbnail=thumbnail)
    headers["Content-Length"] = str(opened.size)
    return StreamingResponse(opened.chunks, media_type=mime, headers=headers)


async def _open(services: Services, image: Image, key: str, *, thumbnail: bool) -> StoredObject:
    what = "thumbnail" if thumbnail else "original"
    try:
        opened = await services.store.open(key)
    except KeyError:
        log.error(
            "DATA LOSS: the %s of image %s (%s) is missing from storage", what, image.sha256, key
        )
        raise _gone(image.sha256, what) from None
    if not thumbnail and opened.size != image.size_bytes:
        await opened.chunks.aclose()
        log.error(
            "DATA LOSS: the original of image %s (%s) is %d bytes in storage, not %d",
            image.sha256,
            key,
            opened.size,
            image.size_bytes,
        )
        raise _gone(image.sha256, what)
    return opened


def _gone(sha256: str, what: str) -> FileGone:
    return FileGone(
        f"The {what} file of image {sha256} is missing from storage.",
        hint="The server log records the loss; regenerate the image with a new job.",
    )


@router.get("/{sha256}", response_class=Response)
async def get_image(
    sha256: str, request: Request, user: CurrentUser, services: ServicesDep
) -> Response:
    """The original image file, with its generation record embedded."""
    return await _serve(request, sha256, user.id, services, thumbnail=False)


@router.get("/{sha256}/thumbnail", response_class=Response)
async def get_thumbnail(
    sha256: str, request: Request, user: CurrentUser, services: ServicesDep
) -> Response:
    """A WebP thumbnail, at most 384 px on its long side."""
    return await _serve(request, sha256, user.id, services, thumbnail=True)
