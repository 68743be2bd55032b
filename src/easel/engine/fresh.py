"""What the process that queued a variant already knows of it, so its worker need not
read it back.

`JobService.create` notes each new variant here before pushing it; when the same
process's worker takes it from the queue, it chooses the provider slot and builds the
request from the note instead of reading the variant row and the job's inputs again. The
note is only a shortcut: the claim still checks the row under its lock, and a variant
with no note (queued by another process, retried, resumed by the reconciler) is read as
before. A fresh variant has no remote task or result yet, so it always needs a slot.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

from easel.db.repos.lineage import InputRef

MAX_NOTES = 10_000
"""Notes of variants some other process takes are never collected; the oldest go."""


@dataclass(frozen=True)
class FreshVariant:
    provider_id: str
    user_id: str
    inputs: list[InputRef]
    """The job's inputs, in role and position order (as `lineage.inputs_of` reads them)."""


class FreshVariants:
    def __init__(self, limit: int = MAX_NOTES) -> None:
        self.limit = limit
        self._notes: OrderedDict[str, FreshVariant] = OrderedDict()

    def note(self, variant_id: str, fresh: FreshVariant) -> None:
        self._notes[variant_id] = fresh
        while len(self._notes) > self.limit:
            self._notes.popitem(last=False)

    def take(self, variant_id: str) -> FreshVariant | None:
        """The note, once: a second delivery of the id reads the row."""
        return self._notes.pop(variant_id, None)
