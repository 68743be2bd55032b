"""A real S3-compatible server (moto's) on a loopback port, and buckets in it.

Easel reaches it exactly as a deployment reaches MinIO or R2: an ``s3://bucket/prefix``
storage URL, ``EASEL_S3_ENDPOINT`` and the usual ``AWS_*`` credentials.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import boto3
import pytest
from moto.server import ThreadedMotoServer

from easel.config import Settings
from easel.storage.base import ImageStore
from easel.storage.factory import open_image_store
from easel.storage.s3 import s3_options_from_env

ACCESS_KEY = "easel-test"
SECRET_KEY = "easel-test-secret"
REGION = "us-east-1"


class S3Server:
    """moto's S3 server in a thread of the test process; every request is real HTTP."""

    def __init__(self) -> None:
        self._server = ThreadedMotoServer("127.0.0.1", 0, verbose=False)
        self.endpoint = ""

    def start(self) -> None:
        self._server.start()
        host, port = self._server.get_host_and_port()
        self.endpoint = f"http://{host}:{port}"

    def stop(self) -> None:
        self._server.stop()

    def client(self):  # type: ignore[no-untyped-def]
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
            region_name=REGION,
        )

    def new_bucket(self) -> S3Bucket:
        name = f"easel-{uuid.uuid4().hex[:16]}"
        self.client().create_bucket(Bucket=name)
        return S3Bucket(self, name)


@dataclass
class S3Bucket:
    server: S3Server
    name: str
    prefix: str = "images"

    @property
    def url(self) -> str:
        return f"s3://{self.name}/{self.prefix}"

    def env(self) -> dict[str, str]:
        """The settings a user writes to put Easel's images in this bucket."""
        return {
            "EASEL_STORAGE_URL": self.url,
            "EASEL_S3_ENDPOINT": self.server.endpoint,
            "EASEL_S3_ALLOW_HTTP": "true",
            "AWS_ACCESS_KEY_ID": ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
            "AWS_REGION": REGION,
        }

    def keys(self) -> list[str]:
        """Every object's key below the prefix, read straight from the server."""
        listing = self.server.client().list_objects_v2(Bucket=self.name, Prefix=self.prefix)
        found = listing.get("Contents", [])
        return sorted(item["Key"].removeprefix(f"{self.prefix}/") for item in found)

    def remove(self) -> None:
        client = self.server.client()
        for key in self.keys():
            client.delete_object(Bucket=self.name, Key=f"{self.prefix}/{key}")
        client.delete_bucket(Bucket=self.name)


def configured_store(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> ImageStore:
    """The store Easel opens when a user sets ``env``, chosen as `build_services` does."""
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    settings = Settings()
    return open_image_store(settings.resolved_storage_url, s3_options_from_env(settings.environ))
