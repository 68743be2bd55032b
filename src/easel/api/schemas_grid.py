"""Response shapes of compare grids: the job's axes and each variant's cell."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class GridAxisOut(BaseModel):
    axis: str = Field(description="model, style, seed, quality, size or prompt.")
    values: list[str | int]
    labels: list[str] = Field(description="What to show for each value (a model's name, …).")


class GridOut(BaseModel):
    x: GridAxisOut = Field(description="The columns.")
    y: GridAxisOut | None = Field(description="The rows; none for a single row.")

    @classmethod
    def from_params(cls, params: dict[str, Any]) -> GridOut | None:
        grid = params.get("grid")
        if not isinstance(grid, dict):
            return None
        y = grid.get("y")
        return cls(x=GridAxisOut(**grid["x"]), y=GridAxisOut(**y) if y else None)


class CellOut(BaseModel):
    column: int
    row: int
    column_label: str
    row_label: str | None

    @classmethod
    def from_params(cls, params: dict[str, Any]) -> CellOut | None:
        cell = params.get("cell")
        return cls(**cell) if isinstance(cell, dict) else None
