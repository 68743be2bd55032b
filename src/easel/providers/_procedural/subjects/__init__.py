"""The painter's library of subjects: each family module registers its drawings."""

from __future__ import annotations

from easel.providers._procedural.subjects import (  # noqa: F401  (importing registers)
    animals,
    birds,
    buildings,
    fantasy,
    flight,
    objects,
    people,
    plants,
    sea,
    vehicles,
    watercraft,
)
from easel.providers._procedural.subjects.pen import Frame, Look, Pen
from easel.providers._procedural.subjects.registry import COMMON_ROLES, LIBRARY, NOUNS, Spec

__all__ = ["COMMON_ROLES", "LIBRARY", "NOUNS", "Frame", "Look", "Pen", "Spec"]
