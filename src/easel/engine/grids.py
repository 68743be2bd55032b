"""Expand a job's compare grid into its variants: a cell per (row, column), each cell a
copy of the spec with the axis values set, checked and planned like any job
(`easel.engine.specs.expand_model`). Every variant records its cell and labels in its
params, and the job records the axes, so the layout survives restarts."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from typing import Any

from easel.engine.grid_spec import GridAxis, GridSpec
from easel.engine.specs import SEED_MAX, JobSpec, PlannedVariant, check_lengths, expand_model
from easel.errors import ModelRetired, UserInputError
from easel.providers import Catalog, CatalogEntry

SIZE = re.compile(r"^\d{1,5}x\d{1,5}$")
RATIO = re.compile(r"^\d{1,3}:\d{1,3}$")
# The JobSpec field an axis sets, for errors naming what to leave out.
SETS: dict[str, tuple[str, ...]] = {
    "model": ("models",),
    "style": ("style",),
    "seed": ("seed",),
    "quality": ("quality",),
    "size": ("size", "aspect_ratio"),
    "prompt": (),
}
# The field a capability error names, mapped back to the axis that set the value.
FIELD_AXIS = {
    "models": "model",
    "style": "style",
    "seed": "seed",
    "quality": "quality",
    "size": "size",
    "aspect_ratio": "size",
    "prompt": "prompt",
}


@dataclass(frozen=True)
class Cell:
    column: int
    row: int
    values: dict[str, str | int]
    """Axis name → this cell's value on it."""


def _fail(message: str, *, field: str, allowed: list[str] | None = None, hint: str = "") -> None:
    raise UserInputError(message, field=field, allowed=allowed, hint=hint or None)


def _check_values(pos: str, axis: GridAxis) -> list[str | int]:
    """The axis's values, normalised, or an error naming the one that is wrong."""
    field = f"grid.{pos}.values"
    seen: set[str | int] = set()
    values: list[str | int] = []
    for index, raw in enumerate(axis.values):
        value: str | int = raw.strip() if isinstance(raw, str) else raw
        where = (
            f"Value {index + 1} of the grid's {'columns' if pos == 'x' else 'rows'} "
            f"({pos} axis, {axis.axis})"
        )
        if axis.axis == "seed":
            if not isinstance(value, int) or not 0 <= value <= SEED_MAX:
                _fail(
                    f"{where} is {raw!r}; seeds are whole numbers.",
                    field=field,
                    hint=f"Use integers from 0 to {SEED_MAX}.",
                )
        elif not isinstance(value, str) or not value:
            _fail(f"{where} is {raw!r}; this axis takes text.", field=field)
        elif axis.axis == "size" and not (SIZE.match(value) or RATIO.match(value)):
            _fail(
                f"{where} is {value!r}; a size is WIDTHxHEIGHT or an aspect ratio W:H.",
                field=field,
                hint="For example 1024x768 or 16:9.",
            )
        if value in seen:
            _fail(f"{where} repeats {value!r}; each value once.", field=field)
        seen.add(value)
        values.append(value)
    return values


def _label(axis: str, value: str | int, catalog: Catalog) -> str:
    if axis == "model":
        return catalog.get(str(value)).model.name
    if axis == "seed":
        return f"seed {value}"
    return str(value)


def _axis_record(axis: GridAxis, values: list[str | int], catalog: Catalog) -> dict[str, Any]:
    labels = [_label(axis.axis, v, catalog) for v in values]
    return {"axis": axis.axis, "values": values, "labels": labels}


def _cell_spec(spec: JobSpec, cell: Cell) -> JobSpec:
    """The spec with this cell's axis values set (already validated, so no re-parse)."""
    update: dict[str, Any] = {"grid": None}
    for axis, value in cell.values.items():
        if axis == "model":
            update["models"] = [value]
        elif axis == "size":
            size = SIZE.match(str(value)) is not None
            update["size"], update["aspect_ratio"] = (value, None) if size else (None, value)
        else:
            update[axis] = value
    return spec.model_copy(update=update)


def _check_conflicts(spec: JobSpec, grid: GridSpec) -> None:
    for pos, axis in grid.axes():
        for name in SETS[axis.axis]:
            if getattr(spec, name):
                _fail(
                    f"The grid's {pos} axis sets {axis.axis}; leave {name} out of the job.",
                    field=name,
                    hint=f"Or make the {pos} axis something other than {axis.axis}.",
                )
    if grid.axis("model") is None and len(spec.choices()) != 1:
        _fail(
            f"A grid runs on one model unless an axis is models; this job names "
            f"{len(spec.choices())}.",
            field="models",
            hint="Name one model, or make one of the axes models.",
        )


def _relabel(error: UserInputError, grid: GridSpec, cell: Cell) -> UserInputError:
    """A capability error about a value an axis set points at that axis."""
    axis = FIELD_AXIS.get(error.field or "")
    found = grid.axis(axis) if axis else None
    if found is None or isinstance(error, ModelRetired):
        return error  # a retired model keeps its 410 and the replacement it names
    pos, _ = found
    kind, index = ("column", cell.column) if pos == "x" else ("row", cell.row)
    return UserInputError(
        f"Grid {kind} {index + 1}: {error.message}",
        field=f"grid.{pos}.values",
        allowed=error.allowed,
        hint=error.hint,
    )


def plan_grid(
    spec: JobSpec, catalog: Catalog, *, max_variants: int, max_prompt_length: int
) -> tuple[list[PlannedVariant], dict[str, Any]]:
    """The grid's variants, row by row, and the job's record of the axes (``params.grid``)."""
    grid = spec.grid
    assert grid is not None
    _check_conflicts(spec, grid)
    columns = _check_values("x", grid.x)
    y_values = _check_values("y", grid.y) if grid.y else []
    rows: list[str | int | None] = [*y_values] or [None]
    n = spec.n if grid.axis("model") else (spec.choices()[0].n or spec.n)
    cells = len(rows) * len(columns) * n
    if cells > max_variants:
        _fail(
            f"This grid is {len(rows)} row(s) × {len(columns)} column(s) × {n} image(s) "
            f"= {cells} images; the limit is {max_variants} per job.",
            field="grid",
            hint="Use fewer values on an axis or a smaller n "
            "(EASEL_MAX_VARIANTS_PER_JOB sets the limit).",
        )
    # Cells differ only along the axes: without a seeds axis they share one seed.
    shared_seed = spec.seed if spec.seed is not None else secrets.randbelow(SEED_MAX)
    planned: list[PlannedVariant] = []
    for row, y_value in enumerate(rows):
        for column, x_value in enumerate(columns):
            values: dict[str, str | int] = {grid.x.axis: x_value}
            if grid.y is not None and y_value is not None:
                values[grid.y.axis] = y_value
            cell = Cell(column, row, values)
            planned += _plan_cell(
                spec,
                grid,
                cell,
                catalog,
                seed=shared_seed,
                n=n,
                start=len(planned),
                max_prompt_length=max_prompt_length,
            )
    record = {"x": _axis_record(grid.x, columns, catalog)}
    if grid.y is not None:
        record["y"] = _axis_record(grid.y, y_values, catalog)
    return planned, record


def _plan_cell(
    spec: JobSpec,
    grid: GridSpec,
    cell: Cell,
    catalog: Catalog,
    *,
    seed: int,
    n: int,
    start: int,
    max_prompt_length: int,
) -> list[PlannedVariant]:
    cell_spec = _cell_spec(spec, cell)
    try:
        check_lengths(cell_spec, max_prompt_length)
        entry: CatalogEntry = catalog.require(cell_spec.choices()[0].model)
        if "seed" not in cell.values and cell_spec.seed is None and entry.model.capabilities.seed:
            cell_spec = cell_spec.model_copy(update={"seed": seed})
        variants = expand_model(cell_spec, entry, n, start=start)
    except UserInputError as error:
        raise _relabel(error, grid, cell) from None
    labels = {pos: _label(a.axis, cell.values[a.axis], catalog) for pos, a in grid.axes()}
    for variant in variants:
        variant.params["cell"] = {
            "column": cell.column,
            "row": cell.row,
            "column_label": labels["x"],
            "row_label": labels.get("y"),
        }
        if "prompt" in cell.values:
            variant.params["prompt"] = cell.values["prompt"]
    return variants
