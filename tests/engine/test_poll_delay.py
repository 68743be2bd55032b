"""How long the runner waits between polls of a remote task."""

from __future__ import annotations

import pytest

from easel.engine.runner import (
    END_MARGIN,
    POLL_MAX_SECONDS,
    Sighting,
    poll_delay,
    remaining_seconds,
)


def _schedule(task_seconds: float, typical: float | None, floor: float = 1.0) -> list[float]:
    """When a task taking ``task_seconds`` is polled, until a poll finds it done."""
    at, polls = 0.0, []
    while not polls or polls[-1] < task_seconds:
        at += poll_delay(at, typical, floor=floor)
        polls.append(at)
    return polls


def _by_progress(task_seconds: float, floor: float = 1.0) -> list[float]:
    """The same for a task whose vendor reports linear progress, nothing else known."""
    at, polls, seen = 0.0, [], (None, None)
    while not polls or polls[-1] < task_seconds:
        if polls:
            seen = (seen[1], Sighting(at, at / task_seconds))
        at += poll_delay(at, None, floor=floor, remaining=remaining_seconds(*seen))
        polls.append(at)
    return polls


def test_unknown_durations_back_off_with_the_time_elapsed() -> None:
    polls = _schedule(10.0, None)
    assert len(polls) <= 9  # a fixed one-second interval would ask ten times
    assert polls[-1] - 10.0 <= 0.3 * 10.0 + 1e-9  # found done at most 30 % late
    assert poll_delay(3600.0, None, floor=1.0) == POLL_MAX_SECONDS


def test_a_known_typical_duration_is_waited_for_in_one_step() -> None:
    assert _schedule(10.0, typical=10.0) == [10.0]
    # A task quicker than typical is found when the typical time has passed.
    assert _schedule(4.0, typical=10.0) == [10.0]
    # One a little slower is asked about every tenth of the typical duration…
    assert _schedule(11.5, typical=10.0) == [10.0, 11.0, 12.0]
    # …and a much slower one falls back to backing off with its elapsed time.
    assert len(_schedule(30.0, typical=10.0)) <= 12
    # A long typical duration is still asked about at least every POLL_MAX_SECONDS.
    assert poll_delay(0.0, 600.0, floor=1.0) == POLL_MAX_SECONDS


def test_two_readings_of_progress_aim_the_next_poll_just_after_the_end() -> None:
    polls = _by_progress(10.0)
    assert polls == pytest.approx([1.0, 2.0, 2.0 + END_MARGIN * 8.0])
    # The backing off alone would ask eight times.
    assert len(_schedule(10.0, None)) == 8


def test_progress_gives_a_rate_only_when_it_moved_forward() -> None:
    assert remaining_seconds(None, Sighting(1.0, 0.1)) is None
    # Progress that starts late (a queue, a model loading) is read by its rate.
    assert remaining_seconds(Sighting(5.0, 0.0), Sighting(6.0, 0.25)) == pytest.approx(3.0)
    assert remaining_seconds(Sighting(1.0, 0.5), Sighting(2.0, 0.5)) is None  # stalled
    assert remaining_seconds(Sighting(1.0, 0.5), Sighting(2.0, 0.4)) is None  # went back
    assert remaining_seconds(Sighting(1.0, 0.5), Sighting(2.0, 1.0)) is None
    # A foretold end sooner than the floor waits for the floor.
    assert poll_delay(9.9, None, floor=1.0, remaining=0.1) == 1.0
