"""Notes of variants a process just queued: taken once, the oldest dropped past the cap."""

from __future__ import annotations

from easel.db.repos.lineage import InputRef
from easel.engine.fresh import FreshVariant, FreshVariants


def test_a_note_is_taken_once_and_the_oldest_go_past_the_limit() -> None:
    notes = FreshVariants(limit=2)
    image = [InputRef("image", 0, "a" * 64)]
    for variant_id in ("v1", "v2", "v3"):
        notes.note(variant_id, FreshVariant("offline", "u1", image))
    assert notes.take("v1") is None  # dropped: the two newest stay
    assert notes.take("v3") == FreshVariant("offline", "u1", image)
    assert notes.take("v3") is None  # a second delivery reads the row
    assert notes.take("v2") is not None
