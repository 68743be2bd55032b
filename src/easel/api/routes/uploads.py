"""``POST /api/v1/uploads``: a user's own image, for operations on it.

The multipart body is parsed as it arrives and the file part written straight to a
staging file, refused with 413 the moment it passes ``EASEL_MAX_UPLOAD_BYTES``; the
image is checked and thumbnailed in a worker thread, never on the event loop.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request
from pydantic import BaseModel
from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header

from easel.api.deps import CurrentUser, ServicesDep
from easel.api.limits import body_limit
from easel.errors import TooLarge, UserInputError
from easel.storage import staging as staging_module
from easel.storage.staging import StagedFile, Staging
from easel.storage.uploads import store_upload
from easel.urls import image_path, thumbnail_path

if TYPE_CHECKING:
    from python_multipart.multipart import MultipartCallbacks

router = APIRouter(tags=["uploads"])

_FIELD = b"file"
_OVERHEAD = 64 * 1024
"""Bytes of multipart framing and other fields allowed beside the file itself."""
_HINT = "Send the image as multipart/form-data in a field named file."


class UploadOut(BaseModel):
    sha256: str
    size_bytes: int
    mime_type: str
    width: int
    height: int
    url: str
    thumbnail_url: str


_BODY: dict[str, Any] = {
    **body_limit("max_upload_body_bytes"),
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {
                            "type": "string",
                            "format": "binary",
                            "description": "A PNG, JPEG or WebP image.",
                        }
                    },
                }
            }
        },
    },
}


@router.post("/uploads", status_code=201, response_model=UploadOut, openapi_extra=_BODY)
async def upload(request: Request, user: CurrentUser, services: ServicesDep) -> UploadOut:
    """Upload an image (PNG, JPEG or WebP) you can then use by its sha256. It is served
    at ``url`` to you alone, and removed after a day unless a job uses it."""
    limit = services.settings.max_upload_bytes
    staged = await _receive(request, services.staging, limit)
    image = await store_upload(
        db=services.db, keeper=services.keeper, user_id=user.id, staged=staged
    )
    return UploadOut(
        sha256=image.sha256,
        size_bytes=image.size_bytes,
        mime_type=image.mime_type,
        width=image.width,
        height=image.height,
        url=image_path(image.sha256),
        thumbnail_url=thumbnail_path(image.sha256),
    )


class _FilePart:
    """Callbacks for python-multipart: keep the ``file`` part's data, skip the rest."""

    def __init__(self) -> None:
        self.pieces: list[bytes] = []
        self.found = False
        self.done = False
        self._field = b""
        self._value = b""
        self._headers: dict[bytes, bytes] = {}
        self._in_file = False

    def callbacks(self) -> MultipartCallbacks:
        return {
            "on_part_begin": self._begin,
            "on_header_field": self._header_field,
            "on_header_value": self._header_value,
            "on_header_end": self._header_end,
            "on_headers_finished": self._headers_finished,
            "on_part_data": self._data,
            "on_part_end": self._end,
        }

    def _header_field(self, data: bytes, start: int, end: int) -> None:
        self._field += data[start:end]

    def _header_value(self, data: bytes, start: int, end: int) -> None:
        self._value += data[start:end]

    def _begin(self) -> None:
        self._headers, self._in_file = {}, False

    def _header_end(self) -> None:
        self._headers[self._field.lower()] = self._value
        self._field = self._value = b""

    def _headers_finished(self) -> None:
        _, options = parse_options_header(self._headers.get(b"content-disposition", b""))
        self._in_file = options.get(b"name") == _FIELD and not self.found
        self.found = self.found or self._in_file

    def _data(self, data: bytes, start: int, end: int) -> None:
        if self._in_file:
            self.pieces.append(data[start:end])

    def _end(self) -> None:
        if self._in_file:
            self.done = True
        self._in_file = False


async def _receive(request: Request, staging: Staging, limit: int) -> StagedFile:
    content_type, options = parse_options_header(request.headers.get("content-type"))
    boundary = options.get(b"boundary")
    if content_type != b"multipart/form-data" or not boundary:
        raise UserInputError("The upload is not multipart/form-data.", field="file", hint=_HINT)
    part = _FilePart()
    parser = MultipartParser(boundary, part.callbacks())
    received = 0
    try:
        async with staging.writer(limit) as writer:
            async for chunk in request.stream():
                received += len(chunk)
                if received > limit + _OVERHEAD:
                    raise staging_module.TooLarge(limit)
                parser.write(chunk)
                for piece in part.pieces:
                    await writer.write(piece)
                part.pieces.clear()
            if not part.done:
                raise UserInputError("The upload holds no file.", field="file", hint=_HINT)
    except staging_module.TooLarge:
        raise TooLarge(
            f"The file is larger than the upload limit of {limit:,} bytes.",
            field="file",
            hint="Send a smaller image, or raise EASEL_MAX_UPLOAD_BYTES on the server.",
        ) from None
    except MultipartParseError as exc:
        raise UserInputError(f"The upload is not valid multipart: {exc}", hint=_HINT) from None
    return StagedFile(writer.path, writer.size, "application/octet-stream")
