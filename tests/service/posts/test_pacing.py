"""The arithmetic of an account's init slots (posts.publish.pacing), on its own."""

from __future__ import annotations

from tikpost.posts.publish.pacing import INITS_PER_WINDOW, WINDOW_SEC, reserve


def test_a_free_slot_is_taken_at_once_and_recorded() -> None:
    times, pause = reserve([100.0, 130.0], now=150.0)
    assert (times, pause) == ([100.0, 130.0, 150.0], 0.0)


def test_inits_older_than_the_window_are_forgotten() -> None:
    old = [float(n) for n in range(INITS_PER_WINDOW)]
    times, pause = reserve(old, now=WINDOW_SEC + 10)
    assert (times, pause) == ([WINDOW_SEC + 10], 0.0)


def test_a_full_window_waits_for_its_oldest_init_and_records_nothing() -> None:
    full = [10.0 * n for n in range(INITS_PER_WINDOW)]  # 0, 10, ... 50
    times, pause = reserve(full, now=55.0)
    assert times == full
    assert pause == WINDOW_SEC - 55.0
    # Once that oldest one has left, the slot is there.
    assert reserve(times, now=55.0 + pause + 0.001)[1] == 0.0


def test_more_inits_than_the_limit_wait_for_the_one_that_frees_a_slot() -> None:
    """A window over-full (inits recorded by a version without pacing, or a clock step):
    the wait is until only five remain, not until the oldest leaves."""
    crowded = [50.0 + n for n in range(INITS_PER_WINDOW + 2)]  # 50 ... 57
    _, pause = reserve(crowded, now=60.0)
    assert pause == crowded[-INITS_PER_WINDOW] + WINDOW_SEC - 60.0


def test_times_in_the_future_do_not_count() -> None:
    """A clock stepped back leaves times ahead of now: they are dropped, not waited for."""
    assert reserve([500.0] * INITS_PER_WINDOW, now=100.0) == ([100.0], 0.0)
