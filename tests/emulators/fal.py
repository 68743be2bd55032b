"""fal.ai's queue API on loopback (https://docs.fal.ai/model-apis/model-endpoints/queue).

* ``POST /{owner}/{app}[/{subpath}]`` with ``Authorization: Key …`` → ``{request_id,
  response_url, status_url, cancel_url}``. As on fal, the follow-up URLs drop the
  subpath: a job sent to ``fal-ai/flux/schnell`` lives under ``fal-ai/flux/requests/{id}``.
* ``GET …/requests/{id}/status[?logs=1]`` → ``IN_QUEUE`` (``queue_position``), then
  ``IN_PROGRESS`` (``logs``), then ``COMPLETED`` after ``state.task_seconds``.
* ``GET …/requests/{id}`` → the result (``images[].url``, ``seed``,
  ``has_nsfw_concepts``); ``PUT …/requests/{id}/cancel`` → 202 or 400 when finished.
* Errors are ``{"detail": …}``; a content refusal is a 422 whose ``detail[].type`` is
  ``content_policy_violation``. Unknown inputs are refused (stricter than fal): FLUX.2
  [pro] (``fal-ai/flux-2-pro``) takes no ``num_images`` and a string
  ``safety_tolerance`` "1"-"5" (https://fal.ai/docs/model-api-reference/).
* ``GET /v1/models`` is fal's Platform Model Search (https://fal.ai/docs/platform-apis/
  v1/models): ``{models: [{endpoint_id, metadata}], next_cursor, has_more}``, filtered
  by ``category`` and ``status`` and paged by ``limit``/``cursor``. ``serve()``,
  ``deprecate()`` and ``withdraw()`` change what it lists, to plant drift; a withdrawn
  app is also refused at submit.

Faults, create stage: ``rate_limit`` 429 + Retry-After, ``server_error`` 500,
``unavailable`` 503, ``hang`` (queued, then no answer), ``malformed_json`` (queued, broken
body), ``moderation`` 422 at submit, ``bad_key`` 401, ``no_credit`` 403 "User is locked.
Reason: Exhausted balance" (how fal answers, fal-ai/fal issues #1112, #1147). Poll stage:
the same on the status call, except ``moderation`` makes the result a 422 refusal and
``no_credit`` does nothing (fal still answers status calls of a locked account).
"""

from __future__ import annotations

import math
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse, Response

from emulators._base import Emulator, Fault, png_bytes

APPS = ("fal-ai/flux-2-pro", "fal-ai/flux/schnell", "fal-ai/flux/dev")
PRESETS = {
    "square_hd": (1024, 1024),
    "square": (512, 512),
    "portrait_4_3": (768, 1024),
    "portrait_16_9": (576, 1024),
    "landscape_4_3": (1024, 768),
    "landscape_16_9": (1024, 576),
}
INPUTS: dict[str, Any] = {
    "prompt": str,
    "image_size": (str, dict),
    "num_inference_steps": int,
    "guidance_scale": float,
    "seed": int,
    "num_images": int,
    "output_format": ("jpeg", "png"),
    "enable_safety_checker": bool,
    "sync_mode": bool,
    "acceleration": ("none", "regular", "high"),
}
FLUX2_PRO: dict[str, Any] = {
    "prompt": str,
    "image_size": (str, dict),
    "seed": int,
    "safety_tolerance": ("1", "2", "3", "4", "5"),
    "enable_safety_checker": bool,
    "output_format": ("jpeg", "png"),
    "sync_mode": bool,
}
SCHEMAS = {"fal-ai/flux-2-pro": FLUX2_PRO}
"""Inputs per app where they differ from the FLUX.1 apps' ``INPUTS``."""
CATALOG: dict[str, tuple[str, str]] = {
    "fal-ai/flux-2-pro": ("FLUX.2 [pro]", "text-to-image"),
    "fal-ai/flux-2-pro/edit": ("FLUX.2 [pro] Edit", "image-to-image"),
    "fal-ai/flux/schnell": ("FLUX.1 [schnell]", "text-to-image"),
    "fal-ai/flux/dev": ("FLUX.1 [dev]", "text-to-image"),
    "fal-ai/recraft/v3/text-to-image": ("Recraft V3", "text-to-image"),
    "fal-ai/bytedance/seedream/v4.5/text-to-image": ("Seedream 4.5", "text-to-image"),
    "fal-ai/ideogram/v3": ("Ideogram V3", "text-to-image"),
}
"""What Model Search lists by default: endpoint → (display name, category)."""
LOCKED = (
    "User is locked. Reason: Exhausted balance. Top up your balance at fal.ai/dashboard/billing."
)
FLAGGED = [
    {
        "loc": ["body", "prompt"],
        "msg": "The content was flagged by a content checker.",
        "type": "content_policy_violation",
        "url": "https://docs.fal.ai/errors#content_policy_violation",
    }
]
BROKEN = '{"request_id": "80e7", "status_url": '


@dataclass
class Job:
    id: str
    app: str
    input: dict[str, Any]
    seconds: float
    created: float = field(default_factory=time.monotonic)
    flagged: bool = False
    canceled: bool = False
    image: str | None = None


class FalEmulator(Emulator):
    name = "fal"

    def __init__(self, *, api_key: str = "test-key") -> None:
        self.jobs: dict[str, Job] = {}
        self.polled: set[str] = set()
        """Requests whose status was read at least once."""
        self.listed: dict[str, dict[str, str]] = {
            endpoint: {"display_name": name, "category": category, "status": "active"}
            for endpoint, (name, category) in CATALOG.items()
        }
        self.page_size = 50
        """The most Model Search answers per page, whatever ``limit`` asks for."""
        super().__init__(api_key=api_key)

    # -- planting drift ----------------------------------------------------------------
    def serve(self, endpoint: str, category: str = "text-to-image") -> None:
        self.listed[endpoint] = {"display_name": endpoint, "category": category, "status": "active"}

    def deprecate(self, endpoint: str) -> None:
        self.listed[endpoint]["status"] = "deprecated"

    def withdraw(self, endpoint: str) -> None:
        self.listed.pop(endpoint, None)

    def easel_env(self) -> dict[str, str]:
        """How an Easel server is pointed at this emulator."""
        return {
            "FAL_KEY": self.api_key,
            "EASEL_PROVIDERS__FAL__BASE_URL": self.base_url,
            "EASEL_PROVIDERS__FAL__OPTIONS__PLATFORM_URL": f"{self.base_url}/v1",
        }

    def routes(self) -> None:
        self.app.add_api_route("/v1/models", self._models, methods=["GET"])
        base = "/{owner}/{app}/requests/{rid}"
        self.app.add_api_route(base + "/status", self._status, methods=["GET"])
        self.app.add_api_route(base + "/cancel", self._cancel, methods=["PUT"])
        self.app.add_api_route(base, self._response, methods=["GET"])
        self.app.add_api_route("/{path:path}", self._submit, methods=["POST"])

    def _authorized(self, request: Request) -> bool:
        return request.headers.get("authorization") == f"Key {self.api_key}"

    def status(self, job: Job) -> str:
        elapsed = time.monotonic() - job.created
        if job.canceled or elapsed >= job.seconds:
            return "COMPLETED"
        return "IN_QUEUE" if elapsed < job.seconds * 0.2 else "IN_PROGRESS"

    def _urls(self, job: Job) -> dict[str, str]:
        owner, app = job.app.split("/")[:2]
        base = f"{self.base_url}/{owner}/{app}/requests/{job.id}"
        return {
            "response_url": base,
            "status_url": f"{base}/status",
            "cancel_url": f"{base}/cancel",
        }

    async def _submit(self, path: str, request: Request) -> Response:
        fault = self.take_fault("create")
        if not self._authorized(request) or (fault and fault.kind == "bad_key"):
            return JSONResponse({"detail": "Invalid Key Authorization header format"}, 401)
        refusal = _refusal(fault)
        if refusal is not None:
            return refusal
        if fault and fault.kind == "moderation":
            return JSONResponse({"detail": FLAGGED}, 422)
        if path not in APPS or path not in self.listed:
            return JSONResponse({"detail": f"Application '{path}' not found"}, 404)
        body = await request.json()
        problem = _check(body, SCHEMAS.get(path, INPUTS))
        if problem:
            return JSONResponse({"detail": [problem]}, 422)
        job = Job(str(uuid.uuid4()), path, body, self.state.task_seconds)
        self.jobs[job.id] = job
        self.count_creation(path)
        if fault and fault.kind == "hang":
            await self.hang(fault)
        if fault and fault.kind == "malformed_json":
            return Response(BROKEN, 200, media_type="application/json")
        return JSONResponse(
            {"request_id": job.id, "gateway_request_id": job.id, "queue_position": 0}
            | self._urls(job)
        )

    async def _status(self, owner: str, app: str, rid: str, request: Request) -> Response:
        fault = self.take_fault("poll")
        with self._lock:
            self.state.polls += 1
        if not self._authorized(request) or (fault and fault.kind == "bad_key"):
            return JSONResponse({"detail": "Invalid Key Authorization header format"}, 401)
        job = self.jobs.get(rid)
        self.polled.add(rid)
        if fault is not None:
            if fault.kind == "moderation" and job is not None:
                job.flagged = True
            elif fault.kind == "hang":
                await self.hang(fault)
            elif fault.kind == "malformed_json":
                return Response(BROKEN, 200, media_type="application/json")
            elif fault.kind != "no_credit":  # a locked account can still read statuses
                refusal = _refusal(fault)
                if refusal is not None:
                    return refusal
        if job is None:
            return JSONResponse({"detail": "Request not found"}, 404)
        status = self.status(job)
        logs = None
        if request.query_params.get("logs") == "1":
            logs = [] if status == "IN_QUEUE" else [_log("Loading model"), _log("Generating")]
        answer: dict[str, Any] = {"status": status, "response_url": self._urls(job)["response_url"]}
        if status == "IN_QUEUE":
            answer["queue_position"] = 0
        else:
            answer["logs"] = logs
        if status == "COMPLETED":
            answer["metrics"] = {"inference_time": job.seconds}
        return JSONResponse(answer)

    async def _response(self, owner: str, app: str, rid: str, request: Request) -> Response:
        if not self._authorized(request):
            return JSONResponse({"detail": "Invalid Key Authorization header format"}, 401)
        job = self.jobs.get(rid)
        if job is None:
            return JSONResponse({"detail": "Request not found"}, 404)
        if self.status(job) != "COMPLETED":
            return JSONResponse({"detail": "Request is still in progress"}, 400)
        if job.canceled:
            return JSONResponse({"detail": "Request was cancelled"}, 400)
        if job.flagged:
            return JSONResponse(
                {"detail": FLAGGED}, 422, headers={"x-fal-error-type": "content_policy_violation"}
            )
        width, height = PRESETS.get(str(job.input.get("image_size")), (1024, 768))
        seed = int(job.input.get("seed", 0))
        if job.image is None:
            job.image = self.publish_file(png_bytes(width // 16, height // 16, seed), "image/png")
        return JSONResponse(
            {
                "images": [
                    {
                        "url": job.image,
                        "width": width,
                        "height": height,
                        "content_type": "image/png",
                    }
                ],
                "seed": seed,
                "has_nsfw_concepts": [False],
                "prompt": job.input["prompt"],
                "timings": {"inference": job.seconds},
            }
        )

    async def _models(self, request: Request) -> Response:
        """Model Search in list mode: what fal serves, filtered and paged."""
        if not self._authorized(request):
            return JSONResponse({"detail": "Invalid Key Authorization header format"}, 401)
        query = request.query_params
        found = [
            {"endpoint_id": endpoint, "metadata": metadata}
            for endpoint, metadata in self.listed.items()
            if query.get("category", metadata["category"]) == metadata["category"]
            and query.get("status", metadata["status"]) == metadata["status"]
        ]
        start = int(query.get("cursor", "0"))
        limit = min(int(query.get("limit", "50")), self.page_size)
        more = start + limit < len(found)
        return JSONResponse(
            {
                "models": found[start : start + limit],
                "next_cursor": str(start + limit) if more else None,
                "has_more": more,
            }
        )

    async def _cancel(self, owner: str, app: str, rid: str, request: Request) -> Response:
        if not self._authorized(request):
            return JSONResponse({"detail": "Invalid Key Authorization header format"}, 401)
        job = self.jobs.get(rid)
        if job is None:
            return JSONResponse({"detail": "Request not found"}, 404)
        if self.status(job) == "COMPLETED":
            return JSONResponse({"status": "ALREADY_COMPLETED"}, 400)
        job.canceled = True
        with self._lock:
            self.state.cancels += 1
        return JSONResponse({"status": "CANCELLATION_REQUESTED"}, 202)


def _log(message: str) -> dict[str, str]:
    return {"message": message, "level": "INFO", "source": "user", "timestamp": "2026-01-01"}


def _refusal(fault: Fault | None) -> Response | None:
    if fault is None:
        return None
    if fault.kind == "rate_limit":
        wait = str(max(1, math.ceil(fault.retry_after)))
        return JSONResponse({"detail": "Rate limit exceeded"}, 429, headers={"Retry-After": wait})
    if fault.kind in ("server_error", "unavailable"):
        status = 500 if fault.kind == "server_error" else 503
        return JSONResponse({"detail": "Internal server error"}, status)
    if fault.kind == "no_credit":
        return JSONResponse({"detail": LOCKED}, 403)
    return None


def _check(body: Any, schema: dict[str, Any]) -> dict[str, Any] | None:
    if not isinstance(body, dict) or not isinstance(body.get("prompt"), str):
        return {"loc": ["body", "prompt"], "msg": "field required", "type": "value_error.missing"}
    for key, value in body.items():
        allowed = schema.get(key)
        if allowed is None:
            return {"loc": ["body", key], "msg": "extra fields not permitted", "type": "extra"}
        if key == "image_size" and isinstance(value, str) and value not in PRESETS:
            return {"loc": ["body", key], "msg": "unknown image size", "type": "enum"}
        if isinstance(allowed, tuple) and isinstance(allowed[0], str) and value not in allowed:
            return {"loc": ["body", key], "msg": f"must be one of {allowed}", "type": "enum"}
        if isinstance(allowed, type | tuple) and not _is(value, allowed):
            return {"loc": ["body", key], "msg": "wrong type", "type": "type_error"}
    return None


def _is(value: Any, allowed: type | tuple[Any, ...]) -> bool:
    types = allowed if isinstance(allowed, tuple) else (allowed,)
    if all(isinstance(t, type) for t in types):
        return isinstance(value, types)
    return True  # an enum of values, checked above
