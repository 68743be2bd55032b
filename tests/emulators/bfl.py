"""Black Forest Labs' FLUX API on loopback (https://docs.bfl.ai/api-reference).

* ``POST /v1/{model}`` with ``x-key`` for the FLUX.2 models (``flux-2-pro``, ``-max``,
  ``-flex``, ``-klein-4b``, ``-klein-9b``) and the legacy ``flux-pro-1.1`` and
  ``flux-pro-1.1-ultra`` → ``{id, polling_url, cost, input_mp, output_mp}``. FLUX.2
  costs credits by megapixel as BFL prices it: the first megapixel, each further one
  (whole megapixels, rounded up), and each input megapixel; ``cost_credits`` overrides
  the figure, to tell a reported cost from the price table.
* FLUX.2 takes ``width``/``height`` of at least 64 px, multiples of 16, up to 4 MP;
  ``input_image`` … ``input_image_8`` (``_4`` on klein); ``steps`` and ``guidance`` only
  on [flex]. FLUX1.1 [pro] takes 256-1440 px in multiples of 32.
* Editing: ``input_image`` … must be base64 images; the result is ``width`` x ``height``
  when given, else the first input's size, tinted so it differs from the input.
  FLUX.1 Fill (``flux-pro-1.0-fill``: ``image``, ``mask`` black and white of the image's
  size, white = inpaint) paints magenta into the mask; Expand (``flux-pro-1.0-expand``:
  ``image``, ``top``/``bottom``/``left``/``right`` 0-2048) answers the image on a larger
  canvas. Both cost 5 credits an image; a missing ``image`` is FastAPI's 422.
* ``GET /v1/get_result?id=`` (the ``polling_url``) → ``Pending`` with ``progress``,
  then ``Ready`` with ``result.sample``, a signed URL valid for ``state.url_ttl`` (10 min
  by default). Unknown ids, and tasks past ``retention_seconds``, answer ``Task not
  found`` inside a 200, as BFL does.
* ``GET /openapi.json`` describes the endpoints served (``serve()``/``withdraw()`` plant
  drift); a withdrawn or unknown endpoint answers FastAPI's 404 ``{"detail": "Not
  Found"}``, as BFL's API does for a path it does not have.
* Errors are FastAPI-shaped: ``{"detail": "…"}``, or ``{"detail": [{loc, msg, type}]}``
  for 422. Unknown body fields are refused (stricter than BFL, to catch adapter mistakes).

Faults, create stage: ``rate_limit`` 429 + Retry-After, ``server_error`` 500,
``unavailable`` 503, ``hang`` (created, then no answer), ``malformed_json`` (created,
broken body), ``moderation`` (the task is made but ends ``Request Moderated``: input
flagged, not billed), ``bad_key`` 403, ``no_credit`` 402. Poll stage: the same, except
``moderation`` ends the task ``Content Moderated`` and ``no_credit`` does nothing.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import io
import math
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse, Response
from PIL import Image, ImageOps, UnidentifiedImageError

from emulators._base import Emulator, Fault, png_bytes

ULTRA_RATIOS = ("21:9", "16:9", "3:2", "4:3", "5:4", "1:1", "4:5", "3:4", "2:3", "9:16", "9:21")
COMMON: dict[str, Any] = {
    "prompt": str,
    "seed": int,
    "output_format": ("jpeg", "png"),
    "safety_tolerance": (0, 1, 2, 3, 4, 5, 6),
    "webhook_url": str,
    "webhook_secret": str,
}
LEGACY = {**COMMON, "prompt_upsampling": bool, "image_prompt": str}
FLUX2: dict[str, Any] = {
    **COMMON,
    "output_format": ("jpeg", "png", "webp"),
    "safety_tolerance": (0, 1, 2, 3, 4, 5),
    "width": int,
    "height": int,
    "input_image": str,
    **{f"input_image_{i}": str for i in range(2, 9)},
}
KLEIN = {k: v for k, v in FLUX2.items() if k[-1] not in "5678"}
FLEX = {**FLUX2, "steps": int, "guidance": float, "prompt_upsampling": bool}
TOOL = {**LEGACY, "image": str, "steps": int, "guidance": float}
FILL = {**TOOL, "mask": str}
EXPAND = {**TOOL, **{side: int for side in ("top", "bottom", "left", "right")}}
TOOLS = (FILL, EXPAND)
"""FLUX.1 Fill and Expand: the prompt is optional, the image required."""
PAINT = (255, 0, 255)
Price = tuple[float, float] | float
"""FLUX.2: credits for the first megapixel and for each further one; FLUX.1: per image."""
# endpoint → (schema, price in credits)
ENDPOINTS: dict[str, tuple[dict[str, Any], Price]] = {
    "flux-2-pro": (FLUX2, (3.0, 1.5)),
    "flux-2-max": (FLUX2, (7.0, 3.0)),
    "flux-2-flex": (FLEX, (5.0, 5.0)),
    "flux-2-klein-4b": (KLEIN, (1.4, 0.1)),
    "flux-2-klein-9b": (KLEIN, (1.5, 0.2)),
    "flux-pro-1.1": ({**LEGACY, "width": int, "height": int}, 4.0),
    "flux-pro-1.1-ultra": (
        {**LEGACY, "aspect_ratio": ULTRA_RATIOS, "raw": bool, "image_prompt_strength": float},
        6.0,
    ),
    "flux-pro-1.0-fill": (FILL, 5.0),
    "flux-pro-1.0-expand": (EXPAND, 5.0),
}
SERVED = (
    *ENDPOINTS,
    "flux-2-pro-preview",
    "flux-2-klein-9b-preview",
    "flux-pro",
    "flux-dev",
    "flux-kontext-pro",
    "flux-kontext-max",
)
"""The generation endpoints ``/openapi.json`` lists by default, as BFL serves them."""
UTILITY = ("/v1/get_result", "/v1/credits")
MAX_PIXELS = 2048 * 2048
INPUT_MP = 1.0
"""Megapixels billed per input image (an emulator constant; the API measures them)."""
BROKEN = '{"id": "7a1e0c", "polling_url": '


@dataclass
class Task:
    id: str
    endpoint: str
    body: dict[str, Any]
    seconds: float
    created: float = field(default_factory=time.monotonic)
    ended: str | None = None
    """A terminal status set by a fault."""
    sample: str | None = None
    collected: float | None = None
    """When a poll first answered it Ready."""


def _detail(status: int, detail: object, **headers: str) -> JSONResponse:
    return JSONResponse({"detail": detail}, status, headers=headers)


class BFLEmulator(Emulator):
    name = "bfl"

    def __init__(self, *, api_key: str = "test-key") -> None:
        self.tasks: dict[str, Task] = {}
        self.polled: set[str] = set()
        """Tasks polled at least once."""
        self.retention_seconds = 3600.0
        self.cost_credits: float | None = None
        self.served: list[str] = list(SERVED)
        self.creating = 0
        self.peak_creating = 0
        """The most create requests this emulator was answering at once."""
        self.create_seconds = 0.0
        """How long a create request takes to answer (to measure concurrency limits)."""
        super().__init__(api_key=api_key)
        self.state.url_ttl = 600.0

    def easel_env(self) -> dict[str, str]:
        """How an Easel server is pointed at this emulator."""
        return {"BFL_API_KEY": self.api_key, "EASEL_PROVIDERS__BFL__BASE_URL": self.base_url}

    def routes(self) -> None:
        # BFL's own description replaces the one FastAPI makes of the emulator itself.
        self.app.router.routes = [
            r for r in self.app.router.routes if getattr(r, "path", "") != "/openapi.json"
        ]
        self.app.add_api_route("/openapi.json", self._openapi, methods=["GET"])
        self.app.add_api_route("/v1/get_result", self._result, methods=["GET"])
        self.app.add_api_route("/v1/{endpoint}", self._create, methods=["POST"])

    # -- planting drift ----------------------------------------------------------------
    def serve(self, endpoint: str) -> None:
        if endpoint not in self.served:
            self.served.append(endpoint)

    def withdraw(self, endpoint: str) -> None:
        if endpoint in self.served:
            self.served.remove(endpoint)

    async def _openapi(self) -> JSONResponse:
        """BFL's API description: a ``Models`` POST per generation endpoint served."""
        paths: dict[str, Any] = {path: {"get": {"tags": ["Utility"]}} for path in UTILITY}
        for endpoint in self.served:
            operation = {"tags": ["Models"], "summary": f"Generate with {endpoint}"}
            paths[f"/v1/{endpoint}"] = {"post": operation}
        info = {"title": "BFL API", "version": "0.0.1"}
        return JSONResponse({"openapi": "3.1.0", "info": info, "paths": paths})

    def status(self, task: Task) -> str:
        if task.ended:
            return task.ended
        if time.monotonic() - task.created > self.retention_seconds:
            return "Task not found"
        return "Ready" if time.monotonic() - task.created >= task.seconds else "Pending"

    async def _create(self, endpoint: str, request: Request) -> Response:
        self.creating += 1
        self.peak_creating = max(self.peak_creating, self.creating)
        try:
            if self.create_seconds:
                await asyncio.sleep(self.create_seconds)
            return await self._answer_create(endpoint, request)
        finally:
            self.creating -= 1

    def peak_in_flight(self) -> int:
        """The most tasks that were created and not yet collected at one moment."""
        edges = sorted(
            [(t.created, 1) for t in self.tasks.values()]
            + [(t.collected, -1) for t in self.tasks.values() if t.collected is not None]
        )
        peak = level = 0
        for _, step in edges:
            level += step
            peak = max(peak, level)
        return peak

    async def _answer_create(self, endpoint: str, request: Request) -> Response:
        fault = self.take_fault("create")
        if request.headers.get("x-key") != self.api_key or (fault and fault.kind == "bad_key"):
            return _detail(403, "Not authenticated - Invalid Authentication")
        refusal = _refusal(fault)
        if refusal is not None:
            return refusal
        if endpoint not in ENDPOINTS or endpoint not in self.served:
            return _detail(404, "Not Found")
        body = await request.json()
        issues = _check(ENDPOINTS[endpoint][0], body)
        if issues:
            return _detail(422, issues)
        task = Task(uuid.uuid4().hex, endpoint, body, self.state.task_seconds)
        self.tasks[task.id] = task
        if fault and fault.kind == "moderation":
            task.ended = "Request Moderated"  # flagged before generating: not billed
        else:
            self.count_creation(endpoint)
        if fault and fault.kind == "hang":
            await self.hang(fault)
        if fault and fault.kind == "malformed_json":
            return Response(BROKEN, 200, media_type="application/json")
        output_mp = int(body.get("width", 1024)) * int(body.get("height", 1024)) / 1e6
        input_mp = sum(INPUT_MP for key in body if key.startswith("input_image"))
        cost = credits(ENDPOINTS[endpoint][1], output_mp, input_mp)
        return JSONResponse(
            {
                "id": task.id,
                "polling_url": f"{self.base_url}/v1/get_result?id={task.id}",
                "cost": self.cost_credits if self.cost_credits is not None else cost,
                "input_mp": input_mp,
                "output_mp": round(output_mp, 2),
            }
        )

    async def _result(self, id: str, request: Request) -> Response:
        fault = self.take_fault("poll")
        with self._lock:
            self.state.polls += 1
        if request.headers.get("x-key") != self.api_key or (fault and fault.kind == "bad_key"):
            return _detail(403, "Not authenticated - Invalid Authentication")
        task = self.tasks.get(id)
        self.polled.add(id)
        if fault is not None:
            if fault.kind == "moderation" and task is not None:
                task.ended = "Content Moderated"
            elif fault.kind == "hang":
                await self.hang(fault)
            elif fault.kind == "malformed_json":
                return Response(BROKEN, 200, media_type="application/json")
            elif fault.kind != "no_credit":  # reading a result is not billed
                refusal = _refusal(fault)
                if refusal is not None:
                    return refusal
        return JSONResponse(self._render(id, task))

    def _render(self, id: str, task: Task | None) -> dict[str, Any]:
        status = self.status(task) if task is not None else "Task not found"
        answer: dict[str, Any] = {"id": id, "status": status, "result": None, "progress": None}
        if task is None or status == "Task not found":
            return answer
        elapsed = time.monotonic() - task.created
        if status == "Pending":
            answer["progress"] = round(min(elapsed / task.seconds, 0.99), 2)
        if status == "Ready":
            task.collected = task.collected or time.monotonic()
            if task.sample is None:
                task.sample = self.publish_file(_sample(task.body), "image/png")
            answer["result"] = {
                "sample": task.sample,
                "prompt": task.body["prompt"],
                "seed": task.body.get("seed"),
                "duration": task.seconds,
            }
        if status.endswith("Moderated"):
            answer["details"] = {"Moderation Reasons": ["Derivative Works Filter"]}
        return answer


def _decode(value: str) -> Image.Image:
    data = base64.b64decode(value, validate=True)
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def _sample(body: dict[str, Any]) -> bytes:
    """The result: 64x48 for a text-to-image task; an operation's of its true size."""
    seed = int(body.get("seed", 0))
    if "image" in body:
        image = _decode(body["image"]).convert("RGB")
        if "mask" in body:
            image.paste(PAINT, mask=_decode(body["mask"]).convert("L"))
        sides = [int(body.get(k, 0)) for k in ("left", "top", "right", "bottom")]
        image = ImageOps.expand(image, tuple(sides), fill=(40, 90, 160))
    elif "input_image" in body:
        first = _decode(body["input_image"])
        size = (int(body.get("width", first.width)), int(body.get("height", first.height)))
        image = ImageOps.invert(first.convert("RGB")).resize(size)
    else:
        return png_bytes(64, 48, seed)
    buf = io.BytesIO()
    image.save(buf, "PNG")
    return buf.getvalue()


def _image_issues(body: dict[str, Any]) -> list[dict[str, Any]]:
    """Image fields that are not base64 images, and a Fill mask that does not fit."""
    issues = []
    decoded = {}
    for key, value in body.items():
        if key in ("image", "mask") or key.startswith("input_image"):
            try:
                decoded[key] = _decode(value)
            except (binascii.Error, ValueError, UnidentifiedImageError, OSError):
                msg = "Invalid image: expected a base64-encoded PNG, JPEG or WebP"
                issues.append({"loc": ["body", key], "msg": msg, "type": "value_error"})
    if "mask" in decoded and "image" in decoded and decoded["mask"].size != decoded["image"].size:
        msg = "Mask dimensions must match the image dimensions"
        issues.append({"loc": ["body", "mask"], "msg": msg, "type": "value_error"})
    for side in ("top", "bottom", "left", "right"):
        if not 0 <= int(body.get(side, 0)) <= 2048:
            msg = "Input should be less than or equal to 2048"
            issues.append({"loc": ["body", side], "msg": msg, "type": "less_than_equal"})
    return issues


def _refusal(fault: Fault | None) -> Response | None:
    """A fault answered before any task is made."""
    if fault is None:
        return None
    if fault.kind == "rate_limit":
        wait = str(max(1, math.ceil(fault.retry_after)))
        return _detail(429, "Too many active tasks", **{"Retry-After": wait})
    if fault.kind == "server_error":
        return _detail(500, "Internal Server Error")
    if fault.kind == "unavailable":
        return _detail(503, "Service temporarily unavailable for maintenance")
    if fault.kind == "no_credit":
        return _detail(402, "Insufficient credits")
    return None


def credits(price: Price, output_mp: float, input_mp: float) -> float:
    """What a generation costs: FLUX.2 by megapixel (whole megapixels, rounded up), in
    BFL's formula ``first + (output - 1) x per MP + input x per MP``; FLUX.1 per image."""
    if isinstance(price, float):
        return price
    first, per_mp = price
    return round(first + (max(1, math.ceil(output_mp)) - 1 + input_mp) * per_mp, 3)


def _size_issue(schema: dict[str, Any], key: str, value: int, body: dict[str, Any]) -> str | None:
    if schema is not FLUX2 and schema is not KLEIN and schema is not FLEX:
        if 256 <= value <= 1440 and value % 32 == 0:
            return None
        return f"{key} must be a multiple of 32 between 256 and 1440"
    if value < 64 or value % 16:
        return f"{key} must be a multiple of 16 of at least 64"
    pixels = int(body.get("width", 1024)) * int(body.get("height", 1024))
    if pixels > MAX_PIXELS:
        return f"width x height must be at most {MAX_PIXELS} pixels (4 MP)"
    return None


def _check(schema: dict[str, Any], body: Any) -> list[dict[str, Any]]:
    """FastAPI-style validation issues, empty when the body is fine."""
    required = "image" if schema in TOOLS else "prompt"
    if not isinstance(body, dict) or not isinstance(body.get(required), str):
        return [{"loc": ["body", required], "msg": "Field required", "type": "missing"}]
    issues = []
    for key, value in body.items():
        allowed = schema.get(key)
        loc = ["body", key]
        if allowed is None:
            issues.append({"loc": loc, "msg": "Extra inputs are not permitted", "type": "extra"})
        elif isinstance(allowed, tuple) and value not in allowed:
            issues.append({"loc": loc, "msg": f"Input should be one of {allowed}", "type": "enum"})
        elif isinstance(allowed, type) and not isinstance(value, allowed):
            msg = f"Input should be a valid {allowed.__name__}"
            issues.append({"loc": loc, "msg": msg, "type": "type_error"})
        elif key in ("width", "height") and (problem := _size_issue(schema, key, value, body)):
            issues.append({"loc": loc, "msg": problem, "type": "value_error"})
    return issues or _image_issues(body)
