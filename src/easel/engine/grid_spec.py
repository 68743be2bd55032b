"""The shape of a compare grid in a job request: one axis across (columns), optionally
another down (rows). What the values mean for each model is checked when the grid is
expanded (`easel.engine.grids`), where the catalog is known."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StringConstraints, model_validator

AxisName = Literal["model", "style", "seed", "quality", "size", "prompt"]
AXES: tuple[str, ...] = ("model", "style", "seed", "quality", "size", "prompt")
MAX_AXIS_VALUES = 16
"""Values per axis; the cell count is bounded again by EASEL_MAX_VARIANTS_PER_JOB."""
PROMPT_TITLE_LENGTH = 1000
"""A prompts grid without a prompt of its own is titled by its prompts, cut to this."""

AxisValue = StrictInt | Annotated[str, StringConstraints(min_length=1, max_length=100_000)]


class GridAxis(BaseModel):
    """One axis: what varies along it, and its values in order."""

    model_config = ConfigDict(extra="forbid")

    axis: AxisName = Field(description="What varies along this axis.")
    values: list[AxisValue] = Field(
        min_length=1,
        max_length=MAX_AXIS_VALUES,
        description="Model ids, styles, seeds (integers), qualities, sizes (`WxH`) or "
        "aspect ratios (`W:H`), or prompts, as the axis says.",
    )


class GridSpec(BaseModel):
    """An X/Y grid: a cell per (row, column), `n` variants per cell, all in one job."""

    model_config = ConfigDict(extra="forbid")

    x: GridAxis = Field(description="The columns.")
    y: GridAxis | None = Field(default=None, description="The rows; none for a single row.")

    @model_validator(mode="after")
    def _distinct_axes(self) -> GridSpec:
        if self.y is not None and self.y.axis == self.x.axis:
            raise ValueError(
                f"both axes are {self.x.axis}; choose two different axes (among {', '.join(AXES)})"
            )
        return self

    def axes(self) -> list[tuple[str, GridAxis]]:
        """(position, axis) pairs: ``x`` and, when there is one, ``y``."""
        return [("x", self.x)] + ([("y", self.y)] if self.y is not None else [])

    def axis(self, name: str) -> tuple[str, GridAxis] | None:
        return next(((pos, a) for pos, a in self.axes() if a.axis == name), None)

    def prompt_title(self) -> str | None:
        """The job's prompt when only the prompts axis gives prompts."""
        found = self.axis("prompt")
        if found is None:
            return None
        title = " · ".join(str(v).strip() for v in found[1].values)
        return title[: PROMPT_TITLE_LENGTH - 1] + "…" if len(title) > PROMPT_TITLE_LENGTH else title
