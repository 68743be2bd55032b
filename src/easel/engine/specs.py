"""What a caller asks for (`JobSpec`) and how it is checked against each model's
capabilities and expanded into variants (`plan_variants`).

The HTTP API, the CLI, the MCP server and the OpenAI-compatible endpoint all build a
`JobSpec`, so validation and its messages exist once.
"""

from __future__ import annotations

import math
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from easel.engine.grid_spec import GridSpec
from easel.engine.operations import (
    InputField,
    Sides,
    SourceSize,
    check_fields,
    check_model_operation,
    result_size,
)
from easel.errors import UserInputError
from easel.providers import Catalog, CatalogEntry
from easel.providers.base import Capabilities, ExtraOption, Operation

SEED_MAX = 2**32 - 1
MAX_TEXT_LENGTH = 100_000
"""A hard ceiling for prompts; the configured limit (EASEL_MAX_PROMPT_LENGTH) is lower."""
MAX_MODELS = 32
MAX_EXTRA_KEYS = 32
MAX_EXTRA_STRING = 1000

ModelId = Annotated[
    str,
    StringConstraints(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9][\x21-\x7e]*$"),
]
"""``provider/model``: printable ASCII without spaces."""
Sha256 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
"""An image Easel stores, by its sha256 (lowercase hex)."""
SIZED_BY_SOURCE: frozenset[Operation] = frozenset(
    {"inpaint", "outpaint", "upscale", "remove_background", "style_transfer"}
)
"""Operations whose result size follows from the source image alone."""
ExtraKey = Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")]
ExtraValue = bool | int | float | Annotated[str, StringConstraints(max_length=MAX_EXTRA_STRING)]
Extra = Annotated[
    dict[ExtraKey, ExtraValue],
    Field(
        max_length=MAX_EXTRA_KEYS,
        description="Model-specific options: only those a model lists in "
        "capabilities.extra_options, with the type and range it gives.",
    ),
]


class ModelChoice(BaseModel):
    model_config = ConfigDict(extra="forbid")

    model: ModelId
    n: int | None = Field(default=None, ge=1, le=16)


class JobSpec(BaseModel):
    """A generation request: one prompt, shared parameters, one or more models."""

    model_config = ConfigDict(extra="forbid")

    prompt: str = Field(
        default="",
        max_length=MAX_TEXT_LENGTH,
        description="What to draw, or the change to make; optional for operations that "
        "need none (upscale, remove_background…), and for a grid with a prompts axis (the "
        "job is then titled by its prompts).",
    )
    operation: Operation = Field(
        default="generate",
        description="generate (from the prompt), or an operation on `image`: edit, inpaint "
        "(with `mask`), outpaint (with `extend`), upscale (by `factor`), variations, "
        "remove_background, style_transfer (with `style_image`).",
    )
    image: Sha256 | None = Field(
        default=None,
        description="The image to work on: the sha256 of one you generated or uploaded.",
    )
    mask: Sha256 | None = Field(
        default=None,
        description="inpaint: the sha256 of an uploaded mask, white (or transparent) where "
        "the image should change, black (or opaque) where it stays.",
    )
    style_image: Sha256 | None = Field(
        default=None, description="style_transfer: the sha256 of the image whose style to use."
    )
    extend: Sides | None = Field(default=None, description="outpaint: pixels to add on each side.")
    factor: Literal[2, 4] | None = Field(default=None, description="upscale: 2 (default) or 4.")
    composite: bool | None = Field(
        default=None,
        description="inpaint: put the original back outside the mask (soft edge). On by "
        "default for models that read the mask only as a hint.",
    )
    models: list[ModelId | ModelChoice] = Field(
        default_factory=list,
        max_length=MAX_MODELS,
        description="Model ids, or {model, n} to set n per model.",
    )
    n: int = Field(default=1, ge=1, le=16, description="Variants per model.")
    size: str | None = Field(default=None, pattern=r"^\d{1,5}x\d{1,5}$", examples=["1024x1024"])
    aspect_ratio: str | None = Field(default=None, pattern=r"^\d{1,3}:\d{1,3}$", examples=["16:9"])
    seed: int | None = Field(default=None, ge=0, le=SEED_MAX)
    negative_prompt: str | None = Field(default=None, max_length=MAX_TEXT_LENGTH)
    style: str | None = Field(default=None, max_length=60)
    quality: str | None = Field(default=None, max_length=30)
    reference_images: list[str] = Field(
        default_factory=list,
        max_length=16,
        description="Reference images: the sha256 of your images, or data: URLs (base64).",
    )
    extra: Extra = Field(default_factory=dict)
    preset_id: str | None = Field(default=None, max_length=32)
    previews: bool = Field(
        default=False,
        description="Ask models that can for live preview images even if no one follows the "
        "job's events yet when it starts (for clients that open the stream right after "
        "submitting). Without it previews are made only while someone watches.",
    )
    webhook_url: str | None = Field(
        default=None,
        max_length=2000,
        description="An http(s) URL notified (signed, Standard Webhooks) when the job finishes.",
    )
    grid: GridSpec | None = Field(
        default=None,
        description="Compare along axes: a cell per value of `x` (columns) and of `y` "
        "(rows), `n` variants per cell, in this one job. Leave out of the job what an "
        "axis sets (a models axis replaces `models`, a seeds axis `seed`, …).",
    )

    @model_validator(mode="before")
    @classmethod
    def _title_prompts_grid(cls, data: Any) -> Any:
        """A prompts grid needs no prompt of its own: its prompts title the job."""
        if isinstance(data, dict) and not str(data.get("prompt") or "").strip():
            try:
                grid = GridSpec.model_validate(data.get("grid"))
            except ValueError:
                return data  # the grid's own errors are reported by the field
            title = grid.prompt_title()
            if title:
                return {**data, "prompt": title}
        return data

    @field_validator("prompt")
    @classmethod
    def _prompt_stripped(cls, value: str) -> str:
        return value.strip()

    @field_validator("negative_prompt")
    @classmethod
    def _blank_negative_is_none(cls, value: str | None) -> str | None:
        return (value or "").strip() or None

    def choices(self) -> list[ModelChoice]:
        return [ModelChoice(model=m) if isinstance(m, str) else m for m in self.models]

    def given_inputs(self) -> set[InputField]:
        """The operation fields this spec sets (a blank prompt counts as none)."""
        given: set[InputField] = {"prompt"} if self.prompt else set()
        for name in ("image", "mask", "style_image", "extend", "factor", "composite"):
            if getattr(self, name) is not None:
                given.add(name)
        return given

    def check_operation(self) -> None:
        """The operation's inputs: required ones given, foreign ones refused."""
        check_fields(self.operation, self.given_inputs())
        if self.operation in SIZED_BY_SOURCE and (self.size or self.aspect_ratio):
            _fail(
                f"The size of a {self.operation} result follows from the image; "
                "leave size and aspect_ratio out.",
                field="size" if self.size else "aspect_ratio",
            )


@dataclass(frozen=True)
class PlannedVariant:
    entry: CatalogEntry
    position: int
    seed: int | None
    params: dict[str, Any]


def _fail(message: str, *, field: str, allowed: list[str] | None = None, hint: str = "") -> None:
    raise UserInputError(message, field=field, allowed=allowed, hint=hint or None)


def _parse_size(size: str) -> tuple[int, int]:
    width, height = (int(part) for part in size.split("x"))
    return width, height


def _ratio_of(width: int, height: int) -> str:
    divisor = math.gcd(width, height)
    return f"{width // divisor}:{height // divisor}"


def _size_for_ratio(ratio: str, caps: Capabilities) -> tuple[int, int]:
    """A size of about one megapixel with the ratio, rounded to 64 and within bounds."""
    rw, rh = (int(p) for p in ratio.split(":"))
    scale = math.sqrt(1024 * 1024 / (rw * rh))
    side = max(caps.size_multiple, 64)

    def fit(value: float) -> int:
        rounded = max(side, round(value / side) * side)
        return min(max(rounded, caps.min_side), caps.max_side)

    return fit(rw * scale), fit(rh * scale)


def resolve_size(spec: JobSpec, model_id: str, caps: Capabilities) -> tuple[int, int, str | None]:
    """(width, height, aspect ratio or None) for one model, or a UserInputError."""
    if spec.size:
        width, height = _parse_size(spec.size)
        if caps.sizes:
            if spec.size not in caps.sizes:
                _fail(
                    f"Model {model_id} does not take size {spec.size}.",
                    field="size",
                    allowed=list(caps.sizes),
                    hint="Pick one of the allowed sizes.",
                )
            return width, height, None
        if caps.ratio_only:
            ratio = _ratio_of(width, height)
            if ratio not in caps.aspect_ratios:
                _fail(
                    f"Model {model_id} takes aspect ratios, and {spec.size} ({ratio}) is not one.",
                    field="size",
                    allowed=list(caps.aspect_ratios),
                    hint="Send aspect_ratio instead of size.",
                )
            return width, height, ratio
        _check_free_size(model_id, width, height, caps)
        return width, height, None
    if spec.aspect_ratio:
        if caps.aspect_ratios and spec.aspect_ratio in caps.aspect_ratios:
            width, height = _size_for_ratio(spec.aspect_ratio, caps)
            return width, height, spec.aspect_ratio
        matching = [s for s in caps.sizes if _ratio_of(*_parse_size(s)) == spec.aspect_ratio]
        if matching:
            width, height = _parse_size(matching[0])
            return width, height, None
        allowed = list(caps.aspect_ratios) or sorted(
            {_ratio_of(*_parse_size(s)) for s in caps.sizes}
        )
        _fail(
            f"Model {model_id} does not take aspect ratio {spec.aspect_ratio}.",
            field="aspect_ratio",
            allowed=allowed,
        )
    if caps.sizes:
        width, height = _parse_size(caps.sizes[0])
        return width, height, None
    if caps.ratio_only and caps.aspect_ratios:
        width, height = _size_for_ratio(caps.aspect_ratios[0], caps)
        return width, height, caps.aspect_ratios[0]
    side = min(1024, caps.max_side)
    return side, side, None


def _check_free_size(model_id: str, width: int, height: int, caps: Capabilities) -> None:
    bounds = f"{caps.min_side}..{caps.max_side}"
    for name, value in (("width", width), ("height", height)):
        if not caps.min_side <= value <= caps.max_side:
            _fail(
                f"Model {model_id} takes sizes with each side in {bounds} px; {name} is {value}.",
                field="size",
                hint=f"Use a {name} between {caps.min_side} and {caps.max_side}.",
            )
        if value % caps.size_multiple:
            _fail(
                f"Model {model_id} needs sides that are multiples of {caps.size_multiple}; "
                f"{name} is {value}.",
                field="size",
            )
    _check_shape(model_id, width, height, caps)


def _check_shape(model_id: str, width: int, height: int, caps: Capabilities) -> None:
    """A model's pixel budget and how far from square it may go."""
    pixels = width * height
    if caps.min_pixels and pixels < caps.min_pixels:
        _fail(
            f"Model {model_id} needs at least {caps.min_pixels:,} pixels; "
            f"{width}x{height} has {pixels:,}.",
            field="size",
            hint="Ask for a larger size.",
        )
    if caps.max_pixels and pixels > caps.max_pixels:
        _fail(
            f"Model {model_id} takes at most {caps.max_pixels:,} pixels; "
            f"{width}x{height} has {pixels:,}.",
            field="size",
            hint="Ask for a smaller size.",
        )
    if caps.max_aspect and max(width, height) > caps.max_aspect * min(width, height):
        _fail(
            f"Model {model_id} takes aspect ratios between 1:{caps.max_aspect:g} and "
            f"{caps.max_aspect:g}:1; {width}x{height} is outside them.",
            field="size",
        )


def _check_option(model_id: str, name: str, value: str | None, allowed: tuple[str, ...]) -> None:
    if value is None:
        return
    if not allowed:
        _fail(f"Model {model_id} does not take a {name}.", field=name, allowed=[])
    if value not in allowed:
        _fail(f"Model {model_id} has no {name} {value!r}.", field=name, allowed=list(allowed))


def _check_extra_value(model_id: str, name: str, value: Any, option: ExtraOption) -> None:
    field = f"extra.{name}"
    kinds: dict[str, tuple[type, ...]] = {
        "string": (str,),
        "integer": (int,),
        "number": (int, float),
        "boolean": (bool,),
    }
    # bool is an int in Python; JSON keeps them apart, and so does Easel.
    if isinstance(value, bool) != (option.type == "boolean") or not isinstance(
        value, kinds[option.type]
    ):
        _fail(f"Model {model_id} takes {name} as a {option.type}; got {value!r}.", field=field)
    if option.choices and value not in option.choices:
        allowed = [str(c) for c in option.choices]
        _fail(f"Model {model_id} has no {name} {value!r}.", field=field, allowed=allowed)
    if isinstance(value, str) and len(value) > option.max_length:
        _fail(f"{name} takes at most {option.max_length} characters.", field=field)
    number = value if isinstance(value, int | float) and not isinstance(value, bool) else None
    if number is not None and (
        (option.minimum is not None and number < option.minimum)
        or (option.maximum is not None and number > option.maximum)
    ):
        _fail(
            f"Model {model_id} takes {name} between {option.minimum} and {option.maximum}; "
            f"got {number}.",
            field=field,
        )


def check_extra(extra: Mapping[str, Any], model_id: str, caps: Capabilities) -> None:
    """Every ``extra`` key must be one the model declares, with a value of its type."""
    for name, value in extra.items():
        option = caps.extra_options.get(name)
        if option is None:
            declared = sorted(caps.extra_options)
            _fail(
                f"Model {model_id} takes no extra option {name!r}"
                + (f"; it takes {', '.join(declared)}." if declared else "; it takes none."),
                field=f"extra.{name}",
                allowed=declared,
                hint="See capabilities.extra_options in GET /api/v1/models.",
            )
        else:
            _check_extra_value(model_id, name, value, option)


def check_model(
    spec: JobSpec, entry: CatalogEntry, n: int, source: SourceSize | None = None
) -> tuple[int, int, str | None]:
    """Validate the spec against one model's capabilities; return its size."""
    model, caps = entry.model, entry.model.capabilities
    if not entry.available:
        _fail(f"Model {model.id} is unavailable: {entry.unavailable_reason}", field="models")
    check_model_operation(model.id, spec.operation, caps)
    if n > caps.max_n:
        _fail(
            f"Model {model.id} allows at most {caps.max_n} variants per job; asked for {n}.",
            field="n",
        )
    if len(spec.prompt) > caps.max_prompt_length:
        _fail(
            f"The prompt has {len(spec.prompt)} characters; {model.id} takes at most "
            f"{caps.max_prompt_length}.",
            field="prompt",
        )
    if spec.seed is not None and not caps.seed:
        _fail(f"Model {model.id} does not take a seed; leave seed out for it.", field="seed")
    if spec.negative_prompt and not caps.negative_prompt:
        _fail(f"Model {model.id} does not take a negative prompt.", field="negative_prompt")
    if spec.negative_prompt and len(spec.negative_prompt) > caps.max_prompt_length:
        _fail(
            f"The negative prompt has {len(spec.negative_prompt)} characters; {model.id} takes "
            f"at most {caps.max_prompt_length}.",
            field="negative_prompt",
        )
    if len(spec.reference_images) > caps.reference_images:
        _fail(
            f"Model {model.id} takes at most {caps.reference_images} reference images; "
            f"got {len(spec.reference_images)}.",
            field="reference_images",
        )
    _check_option(model.id, "style", spec.style, caps.styles)
    _check_option(model.id, "quality", spec.quality, caps.qualities)
    check_extra(spec.extra, model.id, caps)
    factor = _upscale_factor(model.id, spec.factor, caps) if spec.operation == "upscale" else None
    if source is None or spec.operation == "generate" or spec.size or spec.aspect_ratio:
        return resolve_size(spec, model.id, caps)
    width, height = result_size(spec.operation, source, factor=factor, extend=spec.extend)
    if caps.keeps_source_size:
        return width, height, None
    return _nearest_offered(model.id, width, height, caps)


def _upscale_factor(model_id: str, factor: int | None, caps: Capabilities) -> int:
    """The factor asked for, or the model's own default; one the model offers."""
    if factor is None:
        return caps.upscale_factors[0]
    if factor not in caps.upscale_factors:
        offered = [str(f) for f in caps.upscale_factors]
        _fail(
            f"Model {model_id} upscales by {' or '.join(offered)} only; got factor {factor}.",
            field="factor",
            allowed=offered,
            hint="Leave factor out, or choose a model that offers it (GET /api/v1/models).",
        )
    return factor


def _nearest_offered(
    model_id: str, width: int, height: int, caps: Capabilities
) -> tuple[int, int, str | None]:
    """The size to ask a model for an operation's result of ``width`` x ``height``: one
    of its fixed sizes or ratios closest in shape, or that size scaled into its bounds
    (the engine fits the result back where it must, as for inpainting)."""
    shape = math.log(width / height)
    if caps.sizes:
        best = min(caps.sizes, key=lambda s: abs(math.log(_aspect(s, "x")) - shape))
        w, h = _parse_size(best)
        return w, h, None
    if caps.ratio_only and caps.aspect_ratios:
        ratio = min(caps.aspect_ratios, key=lambda r: abs(math.log(_aspect(r, ":")) - shape))
        return width, height, ratio
    width, height = _scaled_into(width, height, caps)
    _check_free_size(model_id, width, height, caps)
    return width, height, None


def _scaled_into(width: int, height: int, caps: Capabilities) -> tuple[int, int]:
    """``width`` x ``height`` scaled (shape kept) into the model's side and pixel bounds,
    each side a multiple of its ``size_multiple``."""
    scale = 1.0
    pixels = width * height
    if caps.min_pixels and pixels < caps.min_pixels:
        scale = math.sqrt(caps.min_pixels / pixels)
    if caps.max_pixels and pixels > caps.max_pixels:
        scale = math.sqrt(caps.max_pixels / pixels)
    scale = max(scale, caps.min_side / min(width, height))
    scale = min(scale, caps.max_side / max(width, height))
    step = max(1, caps.size_multiple)

    def side(value: float) -> int:
        rounded = max(step, round(value * scale / step) * step)
        return min(max(rounded, caps.min_side), caps.max_side - caps.max_side % step)

    w, h = side(width), side(height)
    while caps.max_pixels and w * h > caps.max_pixels and min(w, h) > step:  # rounding up
        w, h = (w - step, h) if w >= h else (w, h - step)
    while caps.min_pixels and w * h < caps.min_pixels and max(w, h) < caps.max_side:
        w, h = (w + step, h) if w <= h else (w, h + step)
    return w, h


def _aspect(text: str, sep: str) -> float:
    w, h = (int(p) for p in text.split(sep))
    return w / h


def check_lengths(spec: JobSpec, max_prompt_length: int) -> None:
    """The configured limit (EASEL_MAX_PROMPT_LENGTH) on the prompt and negative prompt."""
    for field, text in (("prompt", spec.prompt), ("negative_prompt", spec.negative_prompt)):
        if text and len(text) > max_prompt_length:
            _fail(
                f"The {field.replace('_', ' ')} has {len(text)} characters; the limit is "
                f"{max_prompt_length}.",
                field=field,
            )


def plan_variants(
    spec: JobSpec, catalog: Catalog, *, max_variants: int, source: SourceSize | None = None
) -> list[PlannedVariant]:
    """Expand a spec into its variants, or raise a UserInputError naming what to change.
    ``source`` is the size of the image an operation works on."""
    spec.check_operation()
    choices = spec.choices()
    if not choices:
        _fail("No model chosen.", field="models", allowed=[e.model.id for e in catalog.entries()])
    total = sum(c.n or spec.n for c in choices)
    if total > max_variants:
        _fail(
            f"This job would make {total} images; the limit is {max_variants} per job.",
            field="n",
            hint="Ask for fewer variants or fewer models.",
        )
    planned: list[PlannedVariant] = []
    for choice in choices:
        entry = catalog.require(choice.model)
        planned += expand_model(spec, entry, choice.n or spec.n, start=len(planned), source=source)
    return planned


def expand_model(
    spec: JobSpec,
    entry: CatalogEntry,
    n: int,
    *,
    start: int,
    source: SourceSize | None = None,
) -> list[PlannedVariant]:
    """The ``n`` variants of one model, checked against its capabilities; positions
    count on from ``start``; ``source`` is the size of the image an operation works on."""
    width, height, ratio = check_model(spec, entry, n, source)
    params: dict[str, Any] = {"width": width, "height": height}
    if ratio:
        params["aspect_ratio"] = ratio
    for key in ("style", "quality"):
        if getattr(spec, key):
            params[key] = getattr(spec, key)
    planned: list[PlannedVariant] = []
    for i in range(n):
        seed = None
        if entry.model.capabilities.seed:
            seed = (
                (spec.seed + i) % (SEED_MAX + 1)
                if spec.seed is not None
                else secrets.randbelow(SEED_MAX)
            )
        # ``extra`` is kept once, in the job's params, not copied into each variant.
        planned.append(PlannedVariant(entry, start + i, seed, dict(params)))
    return planned
