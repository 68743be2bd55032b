"""Operations on images: which inputs each one takes, and the size of its result.

A job's ``operation`` (`easel.providers.base.Operation`) decides which of the spec's
image fields it needs and which it refuses, so a caller learns at once that, say, a
mask only goes with ``inpaint``. The model's `Capabilities.operations` decide whether a
model can do it at all (`check_model_operation`). The result's size follows from the
source image's: the same for most operations, ``factor`` times larger for ``upscale``
and larger by the extension for ``outpaint``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field

from easel.errors import UserInputError
from easel.providers.base import Capabilities, Operation

MAX_EXTEND = 4096
"""The most pixels outpainting adds on one side."""
MAX_RESULT_PIXELS = 64 * 1024 * 1024
"""Easel's stored-image limit: no operation may promise a larger result."""

InputField = Literal["prompt", "image", "mask", "style_image", "extend", "factor", "composite"]
Role = Literal["image", "mask", "style_image", "reference"]
"""What an input image is to its job (the lineage table's ``role``)."""

if TYPE_CHECKING:
    from easel.imaging.outpaint import Extension


class Sides(BaseModel):
    """Pixels to add on each side of the image (outpaint)."""

    model_config = ConfigDict(extra="forbid")

    left: int = Field(default=0, ge=0, le=MAX_EXTEND)
    top: int = Field(default=0, ge=0, le=MAX_EXTEND)
    right: int = Field(default=0, ge=0, le=MAX_EXTEND)
    bottom: int = Field(default=0, ge=0, le=MAX_EXTEND)

    def extension(self) -> Extension:
        from easel.imaging.outpaint import Extension

        return Extension(left=self.left, top=self.top, right=self.right, bottom=self.bottom)


@dataclass(frozen=True)
class Needs:
    required: frozenset[InputField]
    optional: frozenset[InputField] = frozenset()

    @property
    def taken(self) -> frozenset[InputField]:
        return self.required | self.optional


NEEDS: dict[Operation, Needs] = {
    "generate": Needs(frozenset({"prompt"})),
    "edit": Needs(frozenset({"image", "prompt"})),
    "inpaint": Needs(frozenset({"image", "mask"}), frozenset({"prompt", "composite"})),
    "outpaint": Needs(frozenset({"image", "extend"}), frozenset({"prompt"})),
    "upscale": Needs(frozenset({"image"}), frozenset({"factor", "prompt"})),
    "variations": Needs(frozenset({"image"}), frozenset({"prompt"})),
    "remove_background": Needs(frozenset({"image"})),
    "style_transfer": Needs(frozenset({"image", "style_image"}), frozenset({"prompt"})),
}
"""What each operation requires and what else it accepts; every other field is refused."""


@dataclass(frozen=True)
class SourceSize:
    width: int
    height: int


def check_fields(operation: Operation, given: set[InputField]) -> None:
    """Every required field given, and none the operation does not take."""
    needs = NEEDS[operation]
    for name in sorted(needs.required - given):
        message = f"The operation {operation} needs {name}."
        if name == "prompt":
            message = f"The prompt is missing or blank; the operation {operation} needs one."
        raise UserInputError(message, field=name, hint=_how(name))
    for name in sorted(given - needs.taken):
        takers = sorted(op for op, n in NEEDS.items() if name in n.taken)
        raise UserInputError(
            f"The operation {operation} takes no {name}; {name} goes with {', '.join(takers)}.",
            field=name,
            allowed=sorted(needs.taken),
            hint=f"Leave {name} out, or choose one of those operations.",
        )


def _how(name: InputField) -> str:
    return {
        "prompt": "Describe the image, or the change to make.",
        "image": "Give the sha256 of an image you generated or uploaded (POST /api/v1/uploads).",
        "mask": "Upload a mask (white or transparent where the image should change) and "
        "give its sha256.",
        "style_image": "Give the sha256 of the image whose style to bring over.",
        "extend": "Give how many pixels to add on each side: {left, top, right, bottom}.",
    }.get(name, "")


def check_model_operation(model_id: str, operation: Operation, caps: Capabilities) -> None:
    if operation not in caps.operations:
        raise UserInputError(
            f"Model {model_id} cannot {operation.replace('_', ' ')}.",
            field="operation",
            allowed=list(caps.operations),
            hint="Choose a model whose capabilities.operations include it (GET /api/v1/models).",
        )


def result_size(
    operation: Operation,
    source: SourceSize,
    *,
    factor: int | None = None,
    extend: Sides | None = None,
) -> tuple[int, int]:
    """The size of the picture the operation makes from ``source``."""
    # The pixel tools bring numpy and Pillow; a job that only reads never needs them.
    from easel.imaging.outpaint import check_extension
    from easel.imaging.upscale import check_upscale

    size = (source.width, source.height)
    if operation == "upscale":
        return check_upscale(size, factor or 2, max_pixels=MAX_RESULT_PIXELS)
    if operation == "outpaint" and extend is not None:
        extension = extend.extension()
        check_extension(size, extension, max_pixels=MAX_RESULT_PIXELS)
        return extension.new_size(size)
    return size
