"""A server process keeping its images in an S3-compatible bucket, end to end: an
offline image is generated into the bucket, served from it, and removed from it by the
collector once its job is deleted."""

from __future__ import annotations

import time
from pathlib import Path

import httpx

from support.client import MODEL, wait_for_job
from support.s3 import S3Bucket
from support.server import ServerProcess, create_token


def test_images_are_stored_served_and_collected_in_the_bucket(
    tmp_path: Path, s3_bucket: S3Bucket
) -> None:
    data_dir = tmp_path / "data"
    env = {
        **s3_bucket.env(),
        "EASEL_ORPHAN_GRACE_SECONDS": "0",
        "EASEL_COLLECT_INTERVAL_SECONDS": "0.2",
    }
    server = ServerProcess(data_dir, env=env)
    try:
        server.start(timeout=240)  # the shared machine can be slow to import everything
        headers = {"Authorization": f"Bearer {create_token(data_dir, 'dana')}"}
        with httpx.Client(base_url=server.url, headers=headers, timeout=30) as client:
            created = client.post(
                "/api/v1/jobs", json={"prompt": "a lighthouse in fog", "models": [MODEL]}
            )
            assert created.status_code == 202, created.text
            job = wait_for_job(client, created.json()["id"])
            assert job["status"] == "succeeded", job
            image = job["variants"][0]["image"]
            sha = image["sha256"]

            # Both files are objects in the bucket, under the configured prefix.
            keys = s3_bucket.keys()
            assert len(keys) == 2 and all(sha in key for key in keys), keys
            original = next(key for key in keys if key.startswith("originals/"))
            stored = (
                s3_bucket.server.client()
                .get_object(Bucket=s3_bucket.name, Key=f"{s3_bucket.prefix}/{original}")["Body"]
                .read()
            )

            served = client.get(image["url"])
            assert served.status_code == 200, served.text
            assert served.content == stored
            assert len(served.content) == image["size_bytes"]
            assert client.get(image["thumbnail_url"]).status_code == 200

            assert client.delete(f"/api/v1/jobs/{job['id']}").status_code == 204
            deadline = time.monotonic() + 60  # a wait, not a measure
            while s3_bucket.keys():
                assert time.monotonic() < deadline, f"not collected: {s3_bucket.keys()}"
                time.sleep(0.2)
    finally:
        server.stop()
    assert "Traceback" not in server.log()
