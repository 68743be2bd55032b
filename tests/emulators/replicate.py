"""Replicate's prediction API on loopback (https://replicate.com/docs/reference/http),
close enough for the official ``replicate`` SDK to run against it with only ``base_url`` changed.

* ``POST /v1/models/{owner}/{name}/predictions`` → 201 with the prediction; ``Prefer:
  wait[=N]`` holds the answer until the prediction ends or N s pass, and a wait that runs
  out answers ``status: "starting"``.
* ``GET /v1/predictions/{id}``, ``POST /v1/predictions/{id}/cancel``.
* ``GET /v1/models/{owner}/{name}``: the model object of an official model served;
  ``serve()`` and ``withdraw()`` change what is served, to plant drift. A withdrawn or
  unknown model answers 404, for its page and its predictions alike.
* A prediction is ``starting``, then ``processing`` (tqdm lines in ``logs``), then
  ``succeeded`` after ``state.task_seconds``. Outputs are signed URLs that expire after
  ``state.url_ttl`` (60 min by default); after ``retention_seconds`` the prediction
  answers ``data_removed: true`` and ``output: null``.
* Errors are RFC 7807 problem details. Inputs are checked against each model's schema,
  and unknown inputs are refused (stricter than Replicate, to catch adapter mistakes).

Faults, create stage: ``rate_limit`` 429 + Retry-After, ``server_error`` 500,
``unavailable`` 503, ``hang`` (created, then no answer), ``malformed_json`` (created,
broken body), ``moderation`` 422 "flagged as sensitive", ``bad_key`` 401, ``no_credit``
402. Poll stage: the same, except ``moderation`` fails the prediction with an NSFW error
and ``no_credit`` does nothing (reading a prediction is not billed).
"""

from __future__ import annotations

import asyncio
import math
import secrets
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse, Response

from emulators._base import Emulator, Fault, png_bytes

FLUX_RATIOS = ("1:1", "16:9", "21:9", "3:2", "2:3", "4:5", "5:4", "3:4", "4:3", "9:16", "9:21")
IDEOGRAM_RATIOS = ("1:1", "16:9", "9:16", "4:3", "3:4", "3:2", "2:3", "16:10", "10:16")
SEEDREAM_RATIOS = ("match_input_image", "1:1", "4:3", "3:4", "16:9", "9:16", "3:2", "2:3", "21:9")
FORMATS = ("webp", "jpg", "png")
FLUX2_RATIOS = ("1:1", "16:9", "3:2", "2:3", "4:5", "5:4", "9:16", "3:4", "4:3")
FLUX2: dict[str, type | tuple[Any, ...]] = {
    "prompt": str,
    "input_images": list,
    "aspect_ratio": ("match_input_image", "custom", *FLUX2_RATIOS),
    "resolution": ("match_input_image", "0.5 MP", "1 MP", "2 MP", "4 MP"),
    "width": int,
    "height": int,
    "safety_tolerance": (1, 2, 3, 4, 5),
    "seed": int,
    "output_format": FORMATS,
    "output_quality": int,
}
Schema = dict[str, type | tuple[Any, ...]]
# model → (input schema: a type or the allowed values, whether the output is a list)
MODELS: dict[str, tuple[Schema, bool]] = {
    "black-forest-labs/flux-2-pro": (FLUX2, False),
    "black-forest-labs/flux-2-max": (FLUX2, False),
    "bytedance/seedream-5-lite": (
        {
            "prompt": str,
            "image_input": list,
            "size": ("2K", "3K"),
            "aspect_ratio": SEEDREAM_RATIOS,
            "sequential_image_generation": ("disabled", "auto"),
            "max_images": int,
            "output_format": ("png", "jpeg"),
        },
        True,
    ),
    "black-forest-labs/flux-schnell": (
        {
            "prompt": str,
            "aspect_ratio": FLUX_RATIOS,
            "num_outputs": (1, 2, 3, 4),
            "num_inference_steps": (1, 2, 3, 4),
            "seed": int,
            "output_format": FORMATS,
            "output_quality": int,
            "disable_safety_checker": bool,
            "go_fast": bool,
            "megapixels": ("1", "0.25"),
        },
        True,
    ),
    "black-forest-labs/flux-1.1-pro": (
        {
            "prompt": str,
            "aspect_ratio": (*FLUX_RATIOS, "custom"),
            "width": int,
            "height": int,
            "safety_tolerance": (1, 2, 3, 4, 5, 6),
            "seed": int,
            "prompt_upsampling": bool,
            "output_format": FORMATS,
            "output_quality": int,
        },
        False,
    ),
    "ideogram-ai/ideogram-v2": (
        {
            "prompt": str,
            "negative_prompt": str,
            "aspect_ratio": (*IDEOGRAM_RATIOS, "3:1", "1:3"),
            "resolution": str,
            "magic_prompt_option": ("Auto", "On", "Off"),
            "style_type": ("None", "Auto", "General", "Realistic", "Design", "Render 3D", "Anime"),
            "seed": int,
        },
        False,
    ),
    **{
        f"bytedance/{name}": (
            {
                "prompt": str,
                "image_input": list,
                "size": sizes,
                "aspect_ratio": SEEDREAM_RATIOS,
                "width": int,
                "height": int,
                "sequential_image_generation": ("disabled", "auto"),
                "max_images": int,
            },
            True,
        )
        for name, sizes in (("seedream-4", ("1K", "2K", "4K", "custom")), ("seedream-4.5", ("2K",)))
    },
}
SEED_LIMITS = {"ideogram-ai/ideogram-v2": 2**31 - 1}
NSFW = "NSFW content detected. Try running it again, or try a different prompt."
SENSITIVE = (
    "The input or output was flagged as sensitive. Please try again with different inputs. (E005)"
)
NO_CREDIT = (
    "You have insufficient credit to run this model. "
    "Go to https://replicate.com/account/billing#billing to purchase credit."
)
BROKEN = '{"id": "gm3qorzdhgbf", "status": '
"""A body cut off mid-object, as a proxy that drops the connection leaves it."""


@dataclass
class Prediction:
    id: str
    model: str
    input: dict[str, Any]
    seconds: float
    created: float = field(default_factory=time.monotonic)
    created_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat())
    ended: str | None = None
    """failed or canceled, set by a fault or a cancel."""
    error: str | None = None
    output: list[str] | None = None


def _problem(status: int, title: str, detail: str, **headers: str) -> JSONResponse:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    return JSONResponse(body, status, headers=headers, media_type="application/problem+json")


class ReplicateEmulator(Emulator):
    name = "replicate"

    def __init__(self, *, api_key: str = "test-key") -> None:
        self.predictions: dict[str, Prediction] = {}
        self.polled: set[str] = set()
        """Predictions read at least once (a client saved the id before polling it)."""
        self.retention_seconds = 3600.0
        self.served: set[str] = set(MODELS)
        self.canceled_at: dict[str, float] = {}
        """Prediction id → when (monotonic) a client canceled it."""
        super().__init__(api_key=api_key)

    # -- planting drift ----------------------------------------------------------------
    def serve(self, model: str) -> None:
        self.served.add(model)

    def withdraw(self, model: str) -> None:
        self.served.discard(model)

    def easel_env(self) -> dict[str, str]:
        """How an Easel server is pointed at this emulator."""
        return {
            "REPLICATE_API_TOKEN": self.api_key,
            "EASEL_PROVIDERS__REPLICATE__BASE_URL": self.base_url,
        }

    def routes(self) -> None:
        self.app.add_api_route(
            "/v1/models/{owner}/{name}/predictions", self._create, methods=["POST"]
        )
        self.app.add_api_route("/v1/models/{owner}/{name}", self._model, methods=["GET"])
        self.app.add_api_route("/v1/predictions/{pid}", self._get, methods=["GET"])
        self.app.add_api_route("/v1/predictions/{pid}/cancel", self._cancel, methods=["POST"])

    # -- the prediction state machine ------------------------------------------------
    def status(self, p: Prediction) -> str:
        if p.ended:
            return p.ended
        elapsed = time.monotonic() - p.created
        if elapsed >= p.seconds:
            return "succeeded"
        return "starting" if elapsed < p.seconds * 0.1 else "processing"

    def _logs(self, p: Prediction, status: str) -> str:
        lines = [f"Using seed: {p.input.get('seed', 0)}"]
        if status != "starting":
            done = (
                4 if status == "succeeded" else int(4 * (time.monotonic() - p.created) / p.seconds)
            )
            for step in range(done + 1):
                bar = "█" * (step * 10 // 4)
                lines.append(f"{step * 25:3d}%|{bar:<10}| {step}/4 [00:00<00:00,  3.0it/s]")
        return "\n".join(lines) + "\n"

    def render(self, p: Prediction, *, waited_out: bool = False) -> dict[str, Any]:
        status = self.status(p)
        removed = time.monotonic() - p.created > self.retention_seconds
        if status == "succeeded" and p.output is None:
            seed = int(p.input.get("seed", 0))
            p.output = [self.publish_file(png_bytes(64, 64, seed), "image/png")]
        output: Any = p.output if status == "succeeded" and not removed else None
        if output is not None and not MODELS[p.model][1]:
            output = output[0]
        url = f"{self.base_url}/v1/predictions/{p.id}"
        return {
            "id": p.id,
            "model": p.model,
            "version": "hidden",
            "input": {} if removed else p.input,
            "logs": "" if removed else self._logs(p, status),
            "output": output,
            "data_removed": removed,
            "error": p.error,
            # A blocking create whose wait ran out says "starting", whatever it is.
            "status": "starting" if waited_out else status,
            "created_at": p.created_at,
            "started_at": p.created_at,
            "completed_at": p.created_at if status in ("succeeded", "failed", "canceled") else None,
            "metrics": {"predict_time": p.seconds},
            "urls": {
                "web": f"https://replicate.com/p/{p.id}",
                "get": url,
                "cancel": f"{url}/cancel",
            },
        }

    # -- routes ----------------------------------------------------------------------
    def _authorized(self, request: Request) -> bool:
        return request.headers.get("authorization") == f"Bearer {self.api_key}"

    def _unauthorized(self) -> JSONResponse:
        return _problem(401, "Unauthenticated", "You did not pass a valid authentication token")

    async def _create(self, owner: str, name: str, request: Request) -> Response:
        model = f"{owner}/{name}"
        fault = self.take_fault("create")
        if not self._authorized(request) or (fault and fault.kind == "bad_key"):
            return self._unauthorized()
        refusal = self._refusal(fault)
        if refusal is not None:
            return refusal
        if model not in MODELS or model not in self.served:
            return _problem(404, "Not found", f"Model {model} does not exist")
        body = await request.json()
        invalid = _check_input(model, body.get("input"))
        if invalid:
            return _problem(422, "Input validation failed", invalid)
        prediction = Prediction(
            secrets.token_hex(13), model, body["input"], self.state.task_seconds
        )
        self.predictions[prediction.id] = prediction
        self.count_creation(model)
        if fault and fault.kind == "hang":
            await self.hang(fault)
        if fault and fault.kind == "malformed_json":
            return Response(
                '{"id": "' + prediction.id + '", "status": ', 201, media_type="application/json"
            )
        waited_out = await self._hold(prediction, request.headers.get("prefer", ""))
        headers = (
            {"Preference-Applied": "wait"} if "wait" in request.headers.get("prefer", "") else {}
        )
        return JSONResponse(self.render(prediction, waited_out=waited_out), 201, headers=headers)

    def _refusal(self, fault: Fault | None) -> Response | None:
        """A create-stage fault answered before anything is created (or billed)."""
        if fault is None:
            return None
        if fault.kind == "rate_limit":
            wait = str(max(1, math.ceil(fault.retry_after)))
            detail = f"Request was throttled. Your rate limit resets in ~{wait}s."
            return _problem(429, "Too Many Requests", detail, **{"Retry-After": wait})
        if fault.kind in ("server_error", "unavailable"):
            status = 500 if fault.kind == "server_error" else 503
            return _problem(status, "Internal Server Error", "Something went wrong")
        if fault.kind == "moderation":
            return _problem(422, "Input validation failed", SENSITIVE)
        if fault.kind == "no_credit":
            return _problem(402, "Insufficient credit", NO_CREDIT)
        return None

    async def _hold(self, p: Prediction, prefer: str) -> bool:
        """Honour ``Prefer: wait[=N]``; True when the wait ran out first."""
        if not prefer.startswith("wait"):
            return False
        _, _, seconds = prefer.partition("=")
        deadline = time.monotonic() + min(60, int(seconds) if seconds else 60)
        while self.status(p) in ("starting", "processing"):
            if time.monotonic() >= deadline:
                return True
            await asyncio.sleep(0.02)
        return False

    async def _model(self, owner: str, name: str, request: Request) -> Response:
        if not self._authorized(request):
            return self._unauthorized()
        model = f"{owner}/{name}"
        if model not in self.served:
            return _problem(404, "Not found", "The requested resource could not be found")
        return JSONResponse(
            {
                "url": f"https://replicate.com/{model}",
                "owner": owner,
                "name": name,
                "description": f"{name}, an official model",
                "visibility": "public",
                "github_url": None,
                "paper_url": None,
                "license_url": None,
                "run_count": 1000,
                "cover_image_url": None,
                "default_example": None,
                "latest_version": None,
                "is_official": True,
            }
        )

    async def _get(self, pid: str, request: Request) -> Response:
        fault = self.take_fault("poll")
        with self._lock:
            self.state.polls += 1
        if not self._authorized(request) or (fault and fault.kind == "bad_key"):
            return self._unauthorized()
        prediction = self.predictions.get(pid)
        self.polled.add(pid)
        if fault is not None:
            answer = await self._poll_fault(fault, prediction)
            if answer is not None:
                return answer
        if prediction is None:
            return _problem(404, "Not found", "The requested resource could not be found")
        return JSONResponse(self.render(prediction))

    async def _poll_fault(self, fault: Fault, prediction: Prediction | None) -> Response | None:
        if fault.kind in ("rate_limit", "server_error", "unavailable"):
            return self._refusal(fault)
        if fault.kind == "hang":
            await self.hang(fault)
        elif fault.kind == "malformed_json":
            return Response(BROKEN, 200, media_type="application/json")
        elif fault.kind == "moderation" and prediction is not None:
            prediction.ended, prediction.error = "failed", NSFW
        return None  # no_credit: reading a prediction is not billed

    async def _cancel(self, pid: str, request: Request) -> Response:
        if not self._authorized(request):
            return self._unauthorized()
        prediction = self.predictions.get(pid)
        if prediction is None:
            return _problem(404, "Not found", "The requested resource could not be found")
        if self.status(prediction) in ("starting", "processing"):
            prediction.ended = "canceled"
            with self._lock:
                self.state.cancels += 1
                self.canceled_at[pid] = time.monotonic()
        return JSONResponse(self.render(prediction))


def _check_input(model: str, data: Any) -> str | None:
    """What is wrong with a model's input, in Replicate's words, or None."""
    if not isinstance(data, dict) or not isinstance(data.get("prompt"), str):
        return "input: prompt is required"
    schema, _ = MODELS[model]
    for key, value in data.items():
        allowed = schema.get(key)
        if allowed is None:
            return f"input: additional property {key} is not allowed"
        if isinstance(allowed, tuple) and value not in allowed:
            return (
                f"input.{key}: {key} must be one of the following: {', '.join(map(str, allowed))}"
            )
        if isinstance(allowed, type) and not isinstance(value, allowed):
            return f"input.{key}: Invalid type. Expected: {allowed.__name__}"
    seed_max = SEED_LIMITS.get(model)
    if seed_max is not None and int(data.get("seed", 0)) > seed_max:
        return f"input.seed: Must be less than or equal to {seed_max}"
    return None
