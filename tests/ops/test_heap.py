"""Freezing the start-up heap: what is alive is exempt from collection, garbage is not."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from easel.ops.heap import freeze_startup_heap


@pytest.fixture
def unfrozen() -> Iterator[None]:
    gc.unfreeze()
    try:
        yield
    finally:
        gc.unfreeze()  # the rest of the test session collects as usual


def test_live_objects_are_frozen_and_earlier_cycles_collected(unfrozen: None) -> None:
    class Node:
        def __init__(self) -> None:
            self.other: Node | None = None

    kept = Node()
    first, second = Node(), Node()
    first.other, second.other = second, first  # a cycle only the collector frees
    cycle_member = weakref.ref(first)
    del first, second
    frozen = freeze_startup_heap()
    assert frozen == gc.get_freeze_count() > 0
    assert cycle_member() is None  # collected before the freeze, not kept forever
    assert gc.is_tracked(kept) and kept not in gc.get_objects()  # frozen: walked by no pass
