"""User A can never read, list, stream, download or delete user B's things.

The test walks every route of the API (taken from the OpenAPI document, so a new route
cannot be forgotten) as a second user, against the first user's ids.
"""

from __future__ import annotations

import asyncio
import io
from typing import Any

from PIL import Image

from easel.config import Settings
from easel.db.engine import Database
from easel.db.repos import users as user_repo
from easel.db.repos import webhooks as webhook_repo
from support.client import MODEL, collect_events, wait_for_job
from support.server import create_token

from .conftest import Studio

# What bob sends to each of alice's resources; every one must answer as if it did not exist.
CALLS: dict[tuple[str, str], Any] = {
    ("GET", "/api/v1/jobs/{job_id}"): None,
    ("DELETE", "/api/v1/jobs/{job_id}"): None,
    ("POST", "/api/v1/jobs/{job_id}/cancel"): None,
    ("POST", "/api/v1/jobs/{job_id}/variants/{variant_id}/cancel"): None,
    ("POST", "/api/v1/jobs/{job_id}/variants/{variant_id}/retry"): None,
    ("PUT", "/api/v1/jobs/{job_id}/favorite"): {"favorite": True},
    ("GET", "/api/v1/jobs/{job_id}/events"): None,
    ("GET", "/api/v1/images/{sha256}"): None,
    ("GET", "/api/v1/images/{sha256}/thumbnail"): None,
    ("GET", "/api/v1/presets/{preset_id}"): None,
    ("PUT", "/api/v1/presets/{preset_id}"): {"name": "stolen", "models": [MODEL]},
    ("DELETE", "/api/v1/presets/{preset_id}"): None,
    ("GET", "/api/v1/jobs/{job_id}/winner"): None,
    ("PUT", "/api/v1/jobs/{job_id}/winner"): {"variant_id": None},
    ("GET", "/api/v1/jobs/{job_id}/winners"): None,
    ("GET", "/api/v1/webhooks/{webhook_id}"): None,
    ("DELETE", "/api/v1/webhooks/{webhook_id}"): None,
    ("GET", "/api/v1/webhooks/deliveries/{delivery_id}"): None,
    ("GET", "/api/v1/webhooks/deliveries/{delivery_id}/attempts"): None,
    ("DELETE", "/api/v1/tokens/{token_id}"): None,
    ("DELETE", "/api/v1/sessions/{session_id}"): None,
    ("GET", "/api/v1/assist/{run_id}"): None,
    ("DELETE", "/api/v1/shares/{share_id}"): None,
}
# Routes without an id: bob sees only his own (empty) data there.
LISTINGS = {
    ("POST", "/api/v1/uploads"),
    ("GET", "/api/v1/jobs"),
    ("POST", "/api/v1/jobs"),
    ("GET", "/api/v1/events"),
    ("GET", "/api/v1/models"),
    ("GET", "/api/v1/presets"),
    ("POST", "/api/v1/presets"),
    ("GET", "/api/v1/stats/models"),
    ("GET", "/api/v1/stats/spend"),
    ("GET", "/api/v1/stats/durations"),
    ("GET", "/api/v1/leaderboard"),
    ("GET", "/api/v1/session"),
    ("POST", "/api/v1/session"),
    ("DELETE", "/api/v1/session"),
    ("GET", "/api/v1/webhooks"),
    ("POST", "/api/v1/webhooks"),
    ("GET", "/api/v1/webhooks/deliveries"),
    ("GET", "/api/v1/webhooks/secret"),
    ("POST", "/api/v1/webhooks/secret/rotate"),
    ("GET", "/api/v1/me"),
    ("GET", "/api/v1/me/defaults"),
    ("PUT", "/api/v1/me/defaults"),
    ("GET", "/api/v1/tokens"),
    ("GET", "/api/v1/sessions"),
    ("GET", "/api/v1/assist"),
    ("GET", "/api/v1/assist/models"),
    ("POST", "/api/v1/assist/prompt"),
    ("POST", "/api/v1/assist/describe"),
    ("GET", "/api/v1/stats/assist"),
    ("GET", "/api/v1/shares"),
    ("POST", "/api/v1/shares"),
}
# Studio-wide routes: for admins only (the first user), never for bob.
ADMIN_ONLY = {("GET", "/api/v1/models/check"), ("POST", "/api/v1/models/check")}


def _png() -> bytes:
    out = io.BytesIO()
    Image.radial_gradient("L").convert("RGB").save(out, "PNG")
    return out.getvalue()


async def _alice_webhook(studio: Studio) -> dict[str, str]:
    """A webhook and a (failed) delivery of alice's, written to the database directly:
    the studio refuses loopback targets, and no test may call a public address."""
    db = Database(Settings(data_dir=studio.server.data_dir).resolved_database_url)
    try:
        async with db.transaction() as session:
            user = await user_repo.user_for_token(session, token=studio.alice)
            assert user is not None
            hook = await webhook_repo.create_webhook(
                session, user_id=user.id, url="https://hooks.invalid/x", events=[]
            )
            delivery = await webhook_repo.add_delivery(
                session,
                user_id=user.id,
                webhook_id=hook.id,
                job_id=None,
                url=hook.url,
                event_type="job.finished",
                payload={},
            )
            delivery.status, delivery.next_attempt_at = "failed", None
            return {"webhook_id": hook.id, "delivery_id": delivery.id}
    finally:
        await db.dispose()


async def test_every_endpoint_is_scoped_to_its_user(studio: Studio) -> None:
    # A user of this test's own, with nothing of theirs made by other tests of the module.
    outsider = await asyncio.to_thread(create_token, studio.server.data_dir, "outsider")
    with studio.client(studio.alice) as alice, studio.client(outsider) as bob:
        preset = alice.post(
            "/api/v1/presets", json={"name": "alice's", "models": [MODEL], "params": {"n": 1}}
        ).json()
        job = alice.post(
            "/api/v1/jobs",
            json={"prompt": "alice's secret garden", "models": [MODEL], "size": "128x128"},
        ).json()
        done = wait_for_job(alice, job["id"])
        variant = done["variants"][0]
        alice.put(f"/api/v1/jobs/{job['id']}/winner", json={"variant_id": variant["id"]})
        async with studio.aclient() as browser:  # alice signs in once
            signed_in = await browser.post("/api/v1/session", json={"token": studio.alice})
            assert signed_in.is_success
        (session,) = alice.get("/api/v1/sessions").json()
        (token,) = alice.get("/api/v1/tokens").json()
        share = alice.post(
            "/api/v1/shares", json={"target": {"kind": "job", "id": job["id"]}}
        ).json()
        run = alice.post(
            "/api/v1/assist/prompt",
            json={"idea": "alice's secret garden"},
            headers={"Accept": "application/json"},
        ).json()
        ids = {
            "run_id": run["run_id"],
            "token_id": token["id"],
            "session_id": session["id"],
            "job_id": job["id"],
            "variant_id": variant["id"],
            "sha256": variant["image"]["sha256"],
            "preset_id": preset["id"],
            "share_id": share["id"],
            **await _alice_webhook(studio),
        }

        routes = {
            (method.upper(), path)
            for path, item in alice.get("/openapi.json").json()["paths"].items()
            for method in item
            if path.startswith("/api/v1/")
        }
        assert routes == set(CALLS) | LISTINGS | ADMIN_ONLY, "a route is missing from the walk"
        for method, path in ADMIN_ONLY:
            refused = bob.request(method, path)
            assert refused.status_code == 403 and "admin" in refused.json()["detail"], path

        for (method, template), body in CALLS.items():
            response = bob.request(method, template.format(**ids), json=body)
            assert response.status_code == 404, (method, template, response.text)

        # An upload is alice's alone: bob can neither read it nor make it his by its hash.
        upload = alice.post("/api/v1/uploads", files={"file": ("mine.png", _png(), "image/png")})
        assert upload.status_code == 201, upload.text
        for key in ("url", "thumbnail_url"):
            assert bob.get(upload.json()[key]).status_code == 404
            assert alice.get(upload.json()[key]).status_code == 200

        # Nor work on it or on her result in a job of his (as the image, the mask, a style
        # or a reference), nor list what was made from them.
        own = io.BytesIO()
        Image.new("RGB", (64, 48), "purple").save(own, "PNG")  # not the same bytes as hers
        his = bob.post("/api/v1/uploads", files={"file": ("his.png", own.getvalue(), "image/png")})
        his_sha = his.json()["sha256"]
        for sha in (upload.json()["sha256"], ids["sha256"]):
            for body in (
                {"operation": "upscale", "image": sha},
                {"operation": "inpaint", "image": his_sha, "mask": sha},
                {"operation": "style_transfer", "image": his_sha, "style_image": sha},
                {"prompt": "x", "reference_images": [sha]},
            ):
                used = bob.post("/api/v1/jobs", json={"models": [MODEL], **body})
                assert used.status_code == 404 and sha in used.text, used.text
            assert bob.get("/api/v1/jobs", params={"descendants_of": sha}).json()["items"] == []

        # Nor describe alice's upload or result by its hash, nor see her assist history.
        for sha in (upload.json()["sha256"], ids["sha256"]):
            stolen = bob.post("/api/v1/assist/describe", json={"images": [sha]})
            assert stolen.status_code == 404, stolen.text
        assert bob.get("/api/v1/assist").json()["items"] == []
        assert bob.get("/api/v1/assist", params={"q": "secret"}).json()["items"] == []
        assert bob.get("/api/v1/stats/assist").json() == []
        assert all(day["assists"] == 0 for day in bob.get("/api/v1/stats/spend").json())

        # Nor share alice's job, result or upload by its id or hash, nor see her links.
        for kind, target in (
            ("job", job["id"]),
            ("image", ids["sha256"]),
            ("image", upload.json()["sha256"]),
        ):
            stolen = bob.post("/api/v1/shares", json={"target": {"kind": kind, "id": target}})
            assert stolen.status_code == 404, stolen.text
        assert bob.get("/api/v1/shares").json() == []

        assert bob.get("/api/v1/jobs").json()["items"] == []
        assert bob.get("/api/v1/jobs", params={"q": "secret"}).json()["items"] == []
        assert bob.get("/api/v1/presets").json() == []
        assert bob.get("/api/v1/webhooks").json() == []
        assert bob.get("/api/v1/webhooks/deliveries").json() == []
        assert bob.get("/api/v1/stats/models").json() == []
        assert bob.get("/api/v1/stats/durations").json() == []
        assert all(day["images"] == 0 for day in bob.get("/api/v1/stats/spend").json())
        assert bob.get("/api/v1/leaderboard").json() == []
        assert bob.get("/api/v1/me").json()["is_admin"] is False
        assert all(m["drift"] is None for m in bob.get("/api/v1/models").json())
        assert token["id"] not in bob.get("/api/v1/tokens").text
        assert bob.get("/api/v1/sessions").json() == []
        assert alice.get("/api/v1/sessions").json() == [session]
        assert bob.get("/api/v1/session").json()["user"]["name"] == "outsider"
        # Alice's things are intact after bob's attempts.
        after = alice.get(f"/api/v1/jobs/{job['id']}").json()
        assert after["favorite"] is False and after["status"] == "succeeded"
        assert alice.get(f"/api/v1/presets/{preset['id']}").json()["name"] == "alice's"
        assert alice.get(f"/api/v1/webhooks/{ids['webhook_id']}").status_code == 200
        assert alice.get(variant["image"]["url"]).status_code == 200
        assert alice.get(f"/api/v1/jobs/{job['id']}/winner").json()["variant_id"] == variant["id"]
        assert alice.get(f"/api/v1/assist/{run['run_id']}").json()["status"] == "succeeded"
        assert [s["id"] for s in alice.get("/api/v1/shares").json()] == [share["id"]]
        with studio.client() as anyone:
            assert anyone.get(share["url"]).status_code == 200


async def test_account_stream_carries_only_own_events(studio: Studio) -> None:
    async with studio.aclient(studio.bob) as bob, studio.aclient(studio.alice) as alice:
        bob_job = (
            await bob.post(
                "/api/v1/jobs", json={"prompt": "bob's", "models": [MODEL], "size": "128x128"}
            )
        ).json()
        await alice.post(
            "/api/v1/jobs", json={"prompt": "alice's", "models": [MODEL], "size": "128x128"}
        )
        events = await asyncio.wait_for(
            collect_events(bob, "/api/v1/events?after=0", until_type="job.finished"), 30
        )
    assert events and all(e.data["job_id"] == bob_job["id"] for e in events)
