"""Image files, served with ETag and immutable caching (their address is their hash)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import StreamingResponse

from easel.api.deps import CurrentUser, ServicesDep
from easel.db.repos import images as image_repo
from easel.errors import NotFound

router = APIRouter(prefix="/images", tags=["images"])

CACHE = "private, max-age=31536000, immutable"


async def _serve(
    request: Request, sha256: str, user_id: str, services: ServicesDep, *, thumbnail: bool
) -> Response:
    async with services.db.session() as session:
        image = await image_repo.image_for_user(session, user_id=user_id, sha256=sha256)
    if image is None:
        raise NotFound(f"No image {sha256}.")
    etag = f'"{sha256}{"-t" if thumbnail else ""}"'
    headers = {"ETag": etag, "Cache-Control": CACHE}
    if etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    key = image.thumbnail_key if thumbnail else image.storage_key
    mime = "image/webp" if thumbnail else image.mime_type
    if not thumbnail:
        ext = mime.split("/")[1]
        headers["Content-Disposition"] = f'inline; filename="easel-{sha256[:12]}.{ext}"'
    try:
        first = await services.store.get(key) if thumbnail else None
    except KeyError:
        raise NotFound(f"The file of image {sha256} is missing from storage.") from None
    if first is not None:
        return Response(first, media_type=mime, headers=headers)
    headers["Content-Length"] = str(image.size_bytes)
    return StreamingResponse(services.store.stream(key), media_type=mime, headers=headers)


@router.get("/{sha256}", response_class=Response)
async def get_image(
    sha256: str, request: Request, user: CurrentUser, services: ServicesDep
) -> Response:
    """The original image file, with its generation record embedded (PNG)."""
    return await _serve(request, sha256, user.id, services, thumbnail=False)


@router.get("/{sha256}/thumbnail", response_class=Response)
async def get_thumbnail(
    sha256: str, request: Request, user: CurrentUser, services: ServicesDep
) -> Response:
    """A WebP thumbnail, at most 384 px on its long side."""
    return await _serve(request, sha256, user.id, services, thumbnail=True)
