"""Where the CLI sends its work: a running server over HTTP, or an embedded studio
(`easel.cli.embedded`).

Both give the same shapes (the API's JSON), so the commands do not care which one runs.
Only httpx is imported here: the embedded studio loads when a command uses it.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, Protocol

import httpx
from httpx_sse import aconnect_sse

from easel.cli.common import BackendError
from easel.config import Settings

__all__ = ["Backend", "BackendError", "RemoteBackend", "embedded", "problem_text", "remote"]


class Backend(Protocol):
    async def models(self) -> list[dict[str, Any]]: ...
    async def check_models(self) -> dict[str, Any]: ...
    async def create(self, spec: dict[str, Any]) -> str: ...
    async def job(self, job_id: str) -> dict[str, Any]: ...
    async def jobs(self, limit: int, id_prefix: str | None = None) -> list[dict[str, Any]]: ...
    async def cancel(self, job_id: str) -> dict[str, Any]: ...
    def events(self, job_id: str) -> AsyncIterator[dict[str, Any]]: ...
    async def image(self, path: str) -> bytes: ...
    def assist(self, kind: str, body: dict[str, Any]) -> AsyncIterator[dict[str, Any]]: ...
    async def own_image(self, ref: str | bytes) -> str: ...
    async def share(self, body: dict[str, Any]) -> dict[str, Any]: ...


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

    async def jobs(self, limit: int, id_prefix: str | None = None) -> list[dict[str, Any]]:
        params: dict[str, Any] = {"limit": limit}
        if id_prefix:
            params["id_prefix"] = id_prefix
        return list((await self._json("GET", "/api/v1/jobs", params=params))["items"])

    async def cancel(self, job_id: str) -> dict[str, Any]:
        return dict(await self._json("POST", f"/api/v1/jobs/{job_id}/cancel"))

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

    async def share(self, body: dict[str, Any]) -> dict[str, Any]:
        return dict(await self._json("POST", "/api/v1/shares", json=body))


def _problem_text(response: httpx.Response) -> str:
    try:
        problem = response.json()
    except ValueError:
        return f"HTTP {response.status_code}: {response.text[:200]}"
    detail = str(problem.get("detail") or problem.get("title") or response.status_code)
    return problem_text(detail, problem.get("allowed"), problem.get("hint"))


def problem_text(detail: str, allowed: list[Any] | None, hint: str | None) -> str:
    """One line for a refused request, the same from a server's problem+json and from
    an embedded studio's error: what was wrong, the allowed values, how to fix it."""
    text = detail
    if allowed:
        text += f" Allowed: {', '.join(map(str, allowed))}."
    if hint:
        text += f" {hint}"
    return text


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
    from easel.cli.embedded import EmbeddedBackend

    backend = EmbeddedBackend(settings, user)
    try:
        yield backend
    finally:
        await backend.aclose()
