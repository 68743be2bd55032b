"""Where the CLI sends its work: a running server over HTTP, or an embedded studio.

Both give the same shapes (the API's JSON), so the commands do not care which one runs.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, Protocol

import httpx
from httpx_sse import aconnect_sse
from pydantic import ValidationError

from easel.api.schemas import JobOut, ModelOut
from easel.assist.inputs import image_sha
from easel.assist.specs import DescribeSpec, SuggestSpec
from easel.config import Settings
from easel.db.repos import users as user_repo
from easel.db.repos.jobs import JobFilters
from easel.engine.specs import JobSpec
from easel.errors import EaselError
from easel.events.feed import EventFeed
from easel.services import Services, running_services


class BackendError(Exception):
    """A failure the CLI shows as a message, not a traceback."""


class Backend(Protocol):
    async def models(self) -> list[dict[str, Any]]: ...
    async def check_models(self) -> dict[str, Any]: ...
    async def create(self, spec: dict[str, Any]) -> str: ...
    async def job(self, job_id: str) -> dict[str, Any]: ...
    async def jobs(self, limit: int) -> list[dict[str, Any]]: ...
    def events(self, job_id: str) -> AsyncIterator[dict[str, Any]]: ...
    async def image(self, path: str) -> bytes: ...
    def assist(self, kind: str, body: dict[str, Any]) -> AsyncIterator[dict[str, Any]]: ...
    async def own_image(self, ref: str | bytes) -> str: ...


class RemoteBackend:
    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def _json(self, method: str, path: str, **kwargs: Any) -> Any:
        try:
            response = await self.client.request(method, path, **kwargs)
        except httpx.TransportError as exc:
            raise BackendError(
                f"Cannot reach the Easel server at {self.client.base_url}: {exc}"
            ) from exc
        if response.status_code >= 400:
            raise BackendError(_problem_text(response))
        return response.json()

    async def models(self) -> list[dict[str, Any]]:
        return list(await self._json("GET", "/api/v1/models"))

    async def check_models(self) -> dict[str, Any]:
        # The server asks the vendors with its own keys; only admins may make it.
        return dict(await self._json("POST", "/api/v1/models/check", timeout=120))

    async def create(self, spec: dict[str, Any]) -> str:
        return str((await self._json("POST", "/api/v1/jobs", json=spec))["id"])

    async def job(self, job_id: str) -> dict[str, Any]:
        return dict(await self._json("GET", f"/api/v1/jobs/{job_id}"))

    async def jobs(self, limit: int) -> list[dict[str, Any]]:
        return list((await self._json("GET", "/api/v1/jobs", params={"limit": limit}))["items"])

    async def events(self, job_id: str) -> AsyncIterator[dict[str, Any]]:
        path = f"/api/v1/jobs/{job_id}/events"
        async with aconnect_sse(self.client, "GET", path, timeout=None) as source:
            async for sse in source.aiter_sse():
                if sse.data:
                    yield json.loads(sse.data)

    async def image(self, path: str) -> bytes:
        response = await self.client.get(path)
        if response.status_code >= 400:
            raise BackendError(_problem_text(response))
        return response.content

    async def own_image(self, ref: str | bytes) -> str:
        """A file's bytes are uploaded first; a sha256 or image URL is used as it is."""
        if isinstance(ref, str):
            return ref
        files = {"file": ("image", ref)}
        return str((await self._json("POST", "/api/v1/uploads", files=files))["sha256"])

    async def assist(self, kind: str, body: dict[str, Any]) -> AsyncIterator[dict[str, Any]]:
        path = f"/api/v1/assist/{kind}"
        try:
            async with aconnect_sse(self.client, "POST", path, json=body, timeout=None) as source:
                if source.response.status_code >= 400:
                    await source.response.aread()
                    raise BackendError(_problem_text(source.response))
                async for sse in source.aiter_sse():
                    if sse.data and sse.event != "ping":
                        yield {"event": sse.event, **json.loads(sse.data)}
        except httpx.TransportError as exc:
            raise BackendError(f"Lost the Easel server at {self.client.base_url}: {exc}") from exc


def _problem_text(response: httpx.Response) -> str:
    try:
        problem = response.json()
    except ValueError:
        return f"HTTP {response.status_code}: {response.text[:200]}"
    text = str(problem.get("detail") or problem.get("title") or response.status_code)
    if problem.get("allowed"):
        text += f" Allowed: {', '.join(map(str, problem['allowed']))}."
    if problem.get("hint"):
        text += f" {problem['hint']}"
    return text


class EmbeddedBackend:
    """The studio in this process, on the same data dir a server would use."""

    def __init__(self, services: Services, user_id: str) -> None:
        self.services = services
        self.user_id = user_id

    async def models(self) -> list[dict[str, Any]]:
        return [ModelOut.build(e).model_dump(mode="json") for e in self.services.catalog.entries()]

    async def check_models(self) -> dict[str, Any]:
        report = await self.services.model_check.run_now()
        return report.model_dump(mode="json")

    async def create(self, spec: dict[str, Any]) -> str:
        try:
            job = await self.services.jobs.create(
                user_id=self.user_id, spec=JobSpec.model_validate(spec)
            )
        except EaselError as exc:
            raise BackendError(str(exc)) from None
        except ValidationError as exc:  # what the HTTP API answers as a 422
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise BackendError(f"{where}: {first['msg']}") from None
        return job.id

    async def job(self, job_id: str) -> dict[str, Any]:
        view = await self.services.jobs.get(user_id=self.user_id, job_id=job_id)
        return JobOut.build(view).model_dump(mode="json")

    async def jobs(self, limit: int) -> list[dict[str, Any]]:
        views = await self.services.jobs.search(
            user_id=self.user_id, filters=JobFilters(), before=None, limit=limit
        )
        return [JobOut.build(v).model_dump(mode="json") for v in views]

    async def events(self, job_id: str) -> AsyncIterator[dict[str, Any]]:
        feed = EventFeed(
            db=self.services.db,
            bus=self.services.bus,
            user_id=self.user_id,
            job_id=job_id,
            after_seq=0,
        )
        async for event in feed:
            yield event.sse_data()

    async def own_image(self, ref: str | bytes) -> str:
        """A file's bytes are stored as the user's upload; a sha256 or image URL is kept."""
        try:
            return await image_sha(self.services, self.user_id, ref)
        except EaselError as exc:
            raise BackendError(str(exc)) from None

    async def assist(self, kind: str, body: dict[str, Any]) -> AsyncIterator[dict[str, Any]]:
        service = self.services.assist
        try:
            if kind == "describe":
                run = await service.describe(
                    user_id=self.user_id, spec=DescribeSpec.model_validate(body)
                )
            else:
                run = await service.suggest(
                    user_id=self.user_id, spec=SuggestSpec.model_validate(body)
                )
        except (EaselError, ValidationError) as exc:
            raise BackendError(str(exc)) from None
        async for frame in run.frames():
            yield {"event": frame.event, **frame.model_dump(mode="json")}

    async def image(self, path: str) -> bytes:
        sha = path.rstrip("/").split("/")[-1]
        async with self.services.db.session() as session:
            from easel.db.repos import images as image_repo

            image = await image_repo.image_for_user(session, user_id=self.user_id, sha256=sha)
        if image is None:
            raise BackendError(f"No image {sha}.")
        return await self.services.store.get(image.storage_key)


@asynccontextmanager
async def remote(server: str, token: str | None) -> AsyncIterator[Backend]:
    if not token:
        raise BackendError(
            "Set EASEL_TOKEN to an API token for the server (create one with `easel token create`)."
        )
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=server, headers=headers, timeout=60) as client:
        yield RemoteBackend(client)


@asynccontextmanager
async def embedded(settings: Settings, user: str) -> AsyncIterator[Backend]:
    import asyncio

    from easel.db.migrate import upgrade

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    await asyncio.to_thread(upgrade, settings.resolved_database_url)
    async with running_services(settings) as services:
        async with services.db.transaction() as session:
            account = await user_repo.get_or_create_user(session, name=user)
        yield EmbeddedBackend(services, account.id)
