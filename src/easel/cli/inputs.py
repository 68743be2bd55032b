"""`easel generate`'s input checked before anything is queued: each mistake is one line
saying what was wrong, the allowed values and how to fix it (the API's own `JobSpec`
does the checking; this names the command-line options)."""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING, Any

from easel.cli.common import BackendError

if TYPE_CHECKING:
    from easel.cli.backends import Backend

OPTIONS = {
    "prompt": "PROMPT",
    "models": "--model",
    "n": "-n",
    "size": "--size",
    "aspect_ratio": "--aspect",
    "seed": "--seed",
    "negative_prompt": "--negative",
    "style": "--style",
}
HOW = {
    "prompt": 'say what to draw, e.g. easel generate "a red kite over the dunes"',
    "size": "give WIDTHxHEIGHT in pixels, e.g. --size 1024x768",
    "aspect_ratio": "give WIDTH:HEIGHT, e.g. --aspect 16:9",
}


def _bounds(field: str) -> str:
    """``allowed: 1 to 16`` from the spec field's own limits."""
    from easel.engine.specs import JobSpec

    limits: dict[str, Any] = {}
    for rule in JobSpec.model_fields[field].metadata:
        for name in ("ge", "gt", "le", "lt"):
            if getattr(rule, name, None) is not None:
                limits[name] = getattr(rule, name)
    low, high = limits.get("ge", limits.get("gt")), limits.get("le", limits.get("lt"))
    if low is None and high is None:
        return ""
    return f"allowed: {'…' if low is None else low} to {'…' if high is None else high}"


def spec_problem(spec: dict[str, Any]) -> str | None:
    """The first thing wrong with a job spec, as one line naming the option; None if
    the spec is well-formed (each model then checks what it takes)."""
    from pydantic import ValidationError

    from easel.engine.specs import JobSpec
    from easel.errors import UserInputError

    try:
        JobSpec.model_validate(spec).check_operation()  # a blank prompt is the operation's
    except UserInputError as exc:
        return str(exc)
    except ValidationError as exc:
        error = exc.errors()[0]
        field = str(error["loc"][0]) if error["loc"] else "request"
        option = OPTIONS.get(field, field)
        value = spec.get(field)
        known = field in JobSpec.model_fields
        how = HOW.get(field) or (_bounds(field) if known else "") or error["msg"]
        return f"{option} {value!r} is not valid: {how}."
    return None


def unknown_model(model: str, offered: list[str]) -> str | None:
    """None for a model on offer; else the line to print, with the closest names."""
    if model in offered:
        return None
    close = difflib.get_close_matches(model, offered, n=3, cutoff=0.6)
    if close:
        return f"Unknown model {model!r}. Did you mean {' or '.join(close)}? See `easel models`."
    return f"Unknown model {model!r}. Allowed: {', '.join(offered)}. See `easel models`."


async def check_models(backend: Backend, models: list[str]) -> None:
    """Refuse an unknown model before the job is created."""
    if not models:
        return
    offered = [entry["id"] for entry in await backend.models()]
    for model in models:
        problem = unknown_model(model, offered)
        if problem:
            raise BackendError(problem)
