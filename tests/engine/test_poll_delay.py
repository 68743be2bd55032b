"""How long the runner waits between polls of a remote task."""

from __future__ import annotations

from easel.engine.runner import POLL_MAX_SECONDS, poll_delay


def _schedule(task_seconds: float, typical: float | None, floor: float = 1.0) -> list[float]:
    """When a task taking ``task_seconds`` is polled, until a poll finds it done."""
    at, polls = 0.0, []
    while not polls or polls[-1] < task_seconds:
        at += poll_delay(at, typical, floor=floor)
        polls.append(at)
    return polls


def test_unknown_durations_back_off_with_the_time_elapsed() -> None:
    polls = _schedule(10.0, None)
    assert len(polls) <= 9  # a fixed one-second interval would ask ten times
    assert polls[-1] - 10.0 <= 0.3 * 10.0 + 1e-9  # found done at most 30 % late
    assert poll_delay(3600.0, None, floor=1.0) == POLL_MAX_SECONDS


def test_a_known_typical_duration_is_approached_not_polled_throughout() -> None:
    polls = _schedule(10.0, typical=10.0)
    assert len(polls) <= 5 and polls[0] >= 7.0
    # A task quicker than typical is found before the typical time has passed.
    assert _schedule(4.0, typical=10.0)[-1] <= 10.0
    # A slower one falls back to backing off with its elapsed time.
    assert len(_schedule(30.0, typical=10.0)) <= 12
