"""Uploads and serving image files over real HTTP: limits, ownership, missing files,
failures half-way through a response, and SVG served sandboxed.

The server runs in this process (uvicorn on a loopback port) so a test can reach its
image store: delete a file under it, or swap in a store that fails mid-read.
"""

from __future__ import annotations

import asyncio
import io
import os
import struct
import threading
import time
import zlib
from collections.abc import AsyncGenerator, Coroutine, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
import uvicorn
from PIL import Image

from easel.api.app import create_app
from easel.config import Settings
from easel.db.repos import images as image_repo
from easel.db.repos import users as user_repo
from easel.errors import StorageError
from easel.services import Services
from easel.storage.base import ImageStore, StoredObject
from easel.storage.images import RASTER_TYPES, Limits
from support.server import create_token, free_port

T = TypeVar("T")


@dataclass
class Live:
    url: str
    services: Services
    loop: asyncio.AbstractEventLoop
    alice: str
    bob: str

    def client(self, token: str) -> httpx.Client:
        return httpx.Client(
            base_url=self.url, headers={"Authorization": f"Bearer {token}"}, timeout=30
        )

    def run(self, work: Coroutine[Any, Any, T]) -> T:
        """Run ``work`` on the server's event loop (where its database engines live)."""
        return asyncio.run_coroutine_threadsafe(work, self.loop).result(30)


@pytest.fixture
def live(tmp_path: Path) -> Iterator[Live]:
    settings = Settings(
        data_dir=tmp_path / "data",
        max_upload_bytes=300_000,
        orphan_grace_seconds=0,
        upload_grace_seconds=3600,
        environ={"HOME": str(tmp_path)},
    )
    app = create_app(settings)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_until_complete, args=(server.serve(),), daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.02)
    try:
        alice = create_token(settings.data_dir, "alice")
        bob = create_token(settings.data_dir, "bob")
        yield Live(f"http://127.0.0.1:{port}", app.state.services, loop, alice, bob)
    finally:
        server.should_exit = True
        thread.join(15)
        loop.close()


def _png(size: tuple[int, int] = (320, 200)) -> bytes:
    out = io.BytesIO()
    Image.linear_gradient("L").resize(size).convert("RGB").save(out, "PNG")
    return out.getvalue()


def _upload(client: httpx.Client, data: bytes, name: str = "photo.png") -> httpx.Response:
    return client.post("/api/v1/uploads", files={"file": (name, data, "image/png")})


def test_an_upload_is_stored_as_sent_and_served_to_its_owner_only(live: Live) -> None:
    data = _png()
    with live.client(live.alice) as alice, live.client(live.bob) as bob:
        answer = _upload(alice, data)
        assert answer.status_code == 201, answer.text
        body = answer.json()
        assert body["size_bytes"] == len(data)
        assert (body["mime_type"], body["width"], body["height"]) == ("image/png", 320, 200)
        served = alice.get(body["url"])
        assert served.status_code == 200 and served.content == data
        assert served.headers["x-content-type-options"] == "nosniff"
        thumb = alice.get(body["thumbnail_url"])
        assert thumb.headers["content-type"] == "image/webp" and thumb.content[8:12] == b"WEBP"
        assert bob.get(body["url"]).status_code == 404
        assert bob.get(body["thumbnail_url"]).status_code == 404
        assert _upload(alice, data).json()["sha256"] == body["sha256"]  # the same file once


@pytest.mark.parametrize(
    ("data", "status", "says"),
    [
        (b"x" * 400_000, 413, "EASEL_MAX_UPLOAD_BYTES"),
        (b"<html><body>not an image</body></html>", 422, "text/html"),
        (b"", 422, "empty"),
        (_png()[:500], 422, "damaged image/png"),
    ],
)
def test_bad_uploads_are_refused_saying_why(
    live: Live, data: bytes, status: int, says: str
) -> None:
    with live.client(live.alice) as alice:
        answer = _upload(alice, data)
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert says in answer.json()["detail"] + answer.json().get("hint", "")


def test_an_image_bomb_upload_is_refused_before_decoding(live: Live) -> None:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", 50_000, 50_000, 8, 2, 0, 0, 0)
    bomb = (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 4096))
    )
    with live.client(live.alice) as alice:
        answer = _upload(alice, bomb + chunk(b"IEND", b""))
    assert answer.status_code == 422
    assert "above the limit" in answer.json()["detail"]


def test_an_upload_must_be_multipart_with_a_file(live: Live) -> None:
    with live.client(live.alice) as alice:
        assert alice.post("/api/v1/uploads", content=_png()).status_code == 422
        answer = alice.post("/api/v1/uploads", files={"other": ("x.png", _png(), "image/png")})
    assert answer.status_code == 422
    assert "no file" in answer.json()["detail"]


def test_an_unused_upload_expires(live: Live) -> None:
    with live.client(live.alice) as alice:
        body = _upload(alice, _png()).json()
        live.services.collector.upload_grace = timedelta(0)
        assert live.run(live.services.collector.collect()) == 1
        assert alice.get(body["url"]).status_code == 404
    root = live.services.settings.data_dir / "images"
    assert not list(root.rglob(f"{body['sha256']}.*"))


def test_a_missing_file_is_a_410_and_logged_as_data_loss(
    live: Live, caplog: pytest.LogCaptureFixture
) -> None:
    with live.client(live.alice) as alice:
        body = _upload(alice, _png()).json()
        original = next((live.services.settings.data_dir / "images").rglob(f"{body['sha256']}.png"))
        original.unlink()
        answer = alice.get(body["url"])
    assert answer.status_code == 410
    assert answer.headers["content-type"] == "application/problem+json"
    assert "missing from storage" in answer.json()["detail"]
    assert any(
        "DATA LOSS" in r.getMessage() and body["sha256"] in r.getMessage() for r in caplog.records
    )


class FailingMidway(ImageStore):
    """Reads start well and then fail, as a disk or a bucket can."""

    def __init__(self, inner: ImageStore) -> None:
        self.inner = inner

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        await self.inner.put(key, data, content_type)

    async def get(self, key: str) -> bytes:
        return await self.inner.get(key)

    async def exists(self, key: str) -> bool:
        return await self.inner.exists(key)

    async def delete(self, key: str) -> None:
        await self.inner.delete(key)

    async def open(self, key: str, chunk_size: int = 256 * 1024) -> StoredObject:
        opened = await self.inner.open(key, 16 * 1024)

        async def chunks() -> AsyncGenerator[bytes, None]:
            yield await anext(opened.chunks)
            await opened.chunks.aclose()
            raise StorageError("the disk reported an I/O error")

        return StoredObject(opened.size, chunks())


def test_a_read_failing_half_way_cuts_the_connection_instead_of_a_short_200(
    live: Live,
) -> None:
    out = io.BytesIO()
    Image.frombytes("RGB", (300, 200), os.urandom(300 * 200 * 3)).save(out, "PNG")
    data = out.getvalue()
    assert len(data) > 64 * 1024
    with live.client(live.alice) as alice:
        body = _upload(alice, data).json()
        live.services.store = FailingMidway(live.services.store)
        with pytest.raises(httpx.RemoteProtocolError):
            alice.get(body["url"], headers={"Accept-Encoding": "identity"})
        with pytest.raises(httpx.RemoteProtocolError):
            alice.get(body["url"])  # compressed on the way, the end is missing all the same


def test_an_svg_is_served_sandboxed(live: Live) -> None:
    svg = (
        b'<svg xmlns="http://www.w3.org/2000/svg" width="200" height="100" onload="alert(1)">'
        b'<script>alert(2)</script><rect width="200" height="100" fill="#36c"/></svg>'
    )
    staged = live.run(live.services.staging.write(svg, "image/svg+xml"))
    user_id = _user_id(live, live.alice)

    async def keep() -> str:
        """Stored as a vector model's result is, owned by alice through an upload row."""
        keeper, vector = live.services.keeper, Limits((*RASTER_TYPES, "image/svg+xml"))
        image = await keeper.keep(staged, None, holder="test", limits=vector, report=_quiet)
        async with live.services.db.transaction() as session:

            async def own() -> bool:
                await image_repo.add_upload(session, user_id=user_id, sha256=image.sha256)
                return True

            await keeper.settle(session, image, holder="test", reference=own)
        return image.sha256

    sha = live.run(keep())
    with live.client(live.alice) as alice:
        answer = alice.get(f"/api/v1/images/{sha}")
        thumb = alice.get(f"/api/v1/images/{sha}/thumbnail")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "image/svg+xml"
    assert answer.headers["content-security-policy"].startswith("sandbox")
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert b"<script" not in answer.content and b"onload" not in answer.content
    assert thumb.headers["content-type"] == "image/webp"


async def _quiet(fraction: float, message: str, preview: bytes | None) -> None:
    return None


def _user_id(live: Live, token: str) -> str:
    async def find() -> str:
        async with live.services.db.session() as session:
            user = await user_repo.user_for_token(session, token=token)
        assert user is not None
        return user.id

    return live.run(find())
