"""What only an S3-compatible store shows: objects under the prefix with their type, and
failures (no bucket, no server) that say what to fix. Run against a real S3 server."""

from __future__ import annotations

import pytest

from easel.errors import StorageError
from support.s3 import S3Bucket, configured_store
from support.server import free_port

KEY = "originals/ab/cd/abcd.webp"


async def test_objects_land_under_the_prefix_with_their_content_type(
    s3_bucket: S3Bucket, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = configured_store(s3_bucket.env(), monkeypatch)
    await store.put(KEY, b"RIFF....WEBP", "image/webp")
    assert s3_bucket.keys() == [KEY]
    head = s3_bucket.server.client().head_object(Bucket=s3_bucket.name, Key=f"images/{KEY}")
    assert head["ContentType"] == "image/webp"
    await store.delete(KEY)
    assert s3_bucket.keys() == []


async def test_a_missing_bucket_is_named_with_what_to_do(
    s3_bucket: S3Bucket, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = {**s3_bucket.env(), "EASEL_STORAGE_URL": "s3://no-such-bucket/images"}
    store = configured_store(env, monkeypatch)
    with pytest.raises(StorageError) as caught:
        await store.put(KEY, b"x", "image/webp")
    assert "the bucket does not exist" in str(caught.value)
    assert "s3://no-such-bucket/images" in str(caught.value)
    assert caught.value.hint is not None and "Create the bucket" in caught.value.hint
    with pytest.raises(StorageError, match="the bucket does not exist"):
        await store.check()


async def test_an_unreachable_server_is_reported_as_such(
    s3_bucket: S3Bucket, monkeypatch: pytest.MonkeyPatch
) -> None:
    closed = f"http://127.0.0.1:{free_port()}"
    env = {
        **s3_bucket.env(),
        "EASEL_S3_ENDPOINT": closed,
        # Without this obstore retries a refused connection for several seconds.
        "EASEL_S3_CONNECT_TIMEOUT": "1s",
    }
    store = configured_store(env, monkeypatch)
    with pytest.raises(StorageError) as caught:
        await store.check()
    assert "could not be reached" in str(caught.value)
    assert caught.value.hint is not None and "EASEL_S3_ENDPOINT" in caught.value.hint
