"""Rows read as plain instances of their mapped class, written back column by column;
new rows inserted the same way.

Every state change of every variant reads its job and variants and writes some of them
back. Through a session that costs the ORM's identity map, its unit of work and a flush
that compares every attribute of every loaded object: more CPU than the statements
themselves on the hottest write path Easel has. Here a row read with a Core statement
becomes a transient instance (no session holds it, so nothing is flushed behind the
caller's back), and `Tracked.save` writes the columns whose values changed since they
were read, in one ``UPDATE`` by primary key per changed row.

The caller must hold the rows' locks from the read to the save (the variant
transitions take the job's), as the ``UPDATE`` does not check what it overwrites.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypeVar, cast

from sqlalchemy import Table, bindparam, insert, inspect, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from easel.db.tables import Base

M = TypeVar("M", bound=Base)


class Tracked:
    """The instances read in one transaction, with the values each was read with."""

    def __init__(self) -> None:
        self._read: list[tuple[Base, _Shape, dict[str, Any]]] = []

    def adopt(self, cls: type[M], row: Mapping[Any, Any]) -> M:
        """An instance of ``cls`` from a result row holding all of its table's columns
        (keyed by `Column`, so rows of a join with clashing names work)."""
        shape = _shape(cls)
        values = {key: row[column] for key, column in shape.columns}
        # As the ORM's own loading does: the values go straight into the instance's
        # dict, a twentieth of the CPU of the constructor's instrumented assignments.
        instance = cast(M, shape.new_instance())
        vars(instance).update(values)
        self._read.append((instance, shape, values))
        return instance

    async def save(self, session: AsyncSession) -> None:
        """Write what changed since the read (or the last save) of each instance."""
        for instance, shape, before in self._read:
            changed = {
                key: value
                for key, old in before.items()
                if (value := getattr(instance, key)) is not old and value != old
            }
            if changed:
                key = getattr(instance, shape.key)
                await session.execute(shape.update, {"_key": key, **changed})
                before.update(changed)


async def insert_new(session: AsyncSession, instances: Sequence[Base]) -> None:
    """Insert new instances of one mapped class in one statement, without the session
    (which then does not hold them either). Only the attributes that were set are sent,
    so the columns' defaults apply to the rest."""
    if not instances:
        return
    shape = _shape(type(instances[0]))
    rows = [
        {key: vars(instance)[key] for key, _ in shape.columns if key in vars(instance)}
        for instance in instances
    ]
    await session.execute(shape.insert, rows)


class _Shape:
    """What `Tracked` needs of a mapped class, worked out once per class."""

    def __init__(self, cls: type[Base]) -> None:
        mapper = inspect(cls)
        self.new_instance = mapper.class_manager.new_instance
        self.columns: list[tuple[str, ColumnElement[Any]]] = [
            (attr.key, attr.columns[0]) for attr in mapper.column_attrs
        ]
        (primary,) = mapper.primary_key
        self.key = mapper.get_property_by_column(primary).key
        # No SET clause: it follows the names of the parameters each call passes, so one
        # statement serves every combination of changed columns (each compiled once).
        table = cast(Table, cls.__table__)
        self.update = update(table).where(primary == bindparam("_key"))
        self.insert = insert(table)


_SHAPES: dict[type[Base], _Shape] = {}


def _shape(cls: type[Base]) -> _Shape:
    shape = _SHAPES.get(cls)
    if shape is None:
        shape = _SHAPES[cls] = _Shape(cls)
    return shape
