"""The deadline shared by a request's datastore work, and retries that end before it.

On a fake clock: each attempt and each backoff moves it forward by what it would take,
so what the deadline allows is checked exactly, without waiting.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from common import deadline
from common.deadline import Deadline, call_with_retries


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        assert seconds >= 0
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    fake = FakeClock()
    monkeypatch.setattr("common.deadline.monotonic", fake.monotonic)
    monkeypatch.setattr("common.deadline.sleep", fake.sleep)
    return fake


class Unavailable(Exception):
    pass


class Attempts:
    """An operation that fails with ``Unavailable`` after each of ``durations`` seconds
    (moving the clock), then succeeds at once."""

    def __init__(self, clock: FakeClock, durations: list[float]) -> None:
        self.clock = clock
        self.durations = iter(durations)
        self.started: list[float] = []

    def __call__(self) -> str:
        self.started.append(self.clock.now)
        duration = next(self.durations, None)
        if duration is None:
            return "ok"
        self.clock.now += duration
        raise Unavailable()


def retry_unavailable(error: Exception) -> float | None:
    return 0.5 if isinstance(error, Unavailable) else None


def run(clock: FakeClock, operation: Attempts, *, seconds: float = 5.0, attempt_seconds: float = 1.0) -> str:
    return call_with_retries(
        operation,
        deadline=Deadline(seconds),
        attempt_seconds=attempt_seconds,
        max_attempts=10,
        backoff_base=retry_unavailable,
    )


def test_a_retryable_failure_is_tried_again(clock: FakeClock) -> None:
    operation = Attempts(clock, [0.1, 0.1])
    assert run(clock, operation) == "ok"
    assert len(operation.started) == 3


def test_another_error_is_raised_at_once(clock: FakeClock) -> None:
    calls = []

    def broken() -> str:
        calls.append(clock.now)
        raise KeyError("our bug")

    with pytest.raises(KeyError):
        call_with_retries(
            broken, deadline=Deadline(5), attempt_seconds=1, max_attempts=3, backoff_base=retry_unavailable
        )
    assert len(calls) == 1
    assert clock.sleeps == []


def test_attempts_stop_at_max_attempts(clock: FakeClock) -> None:
    operation = Attempts(clock, [0.0] * 5)
    with pytest.raises(Unavailable):
        call_with_retries(
            operation,
            deadline=Deadline(60),
            attempt_seconds=1,
            max_attempts=3,
            backoff_base=retry_unavailable,
        )
    assert len(operation.started) == 3


def test_no_attempt_starts_unless_it_can_end_before_the_deadline(
    clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("common.deadline.uniform", lambda low, high: high)  # the longest backoff
    # Each attempt waits out the whole attempt time (a frozen server).
    operation = Attempts(clock, [2.0] * 10)
    start = clock.now
    with pytest.raises(Unavailable):
        run(clock, operation, seconds=5.0, attempt_seconds=2.0)
    # 0-2 s the first attempt, a 0.5 s backoff, 2.5-4.5 s the second: a third could not
    # end by 5 s, so none starts.
    assert [at - start for at in operation.started] == [0.0, 2.5]
    assert clock.now - start == 4.5


def test_the_backoff_is_cut_to_what_the_deadline_leaves(
    clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("common.deadline.uniform", lambda low, high: high)
    # The fourth backoff would be 0.5 * 2**3 = 4 s; 0.3 s + 3 attempts + backoffs leave less.
    operation = Attempts(clock, [0.1, 0.1, 0.1, 0.1])
    start = clock.now
    assert run(clock, operation, seconds=5.0, attempt_seconds=1.0) == "ok"
    assert clock.sleeps == [0.5, 1.0, 2.0, pytest.approx(5.0 - 0.4 - 3.5 - 1.0)]
    assert operation.started[-1] - start + 1.0 == pytest.approx(5.0)


@given(
    durations=st.lists(st.floats(min_value=0, max_value=1.0), min_size=1, max_size=30),
    seconds=st.floats(min_value=0.5, max_value=20),
)
def test_retries_never_outlast_the_deadline(durations: list[float], seconds: float) -> None:
    """Whatever each attempt takes (at most ``attempt_seconds``), the last one ends by the
    deadline: no backoff sleeps past it and no attempt starts that could not end in time."""
    clock = FakeClock()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("common.deadline.monotonic", clock.monotonic)
        patch.setattr("common.deadline.sleep", clock.sleep)
        start = clock.now
        operation = Attempts(clock, durations)
        with contextlib.suppress(Unavailable):
            run(clock, operation, seconds=seconds, attempt_seconds=1.0)
    assert clock.now - start <= max(seconds, durations[0]) + 1e-9


def test_nested_scopes_share_the_outer_deadline() -> None:
    with deadline.scope(5) as outer, deadline.scope(60) as inner:
        assert inner is outer
        assert deadline.current() is outer
    assert deadline.current() is None


def test_each_thread_has_its_own_scope() -> None:
    seen: list[Deadline | None] = []
    with deadline.scope(5):
        thread = threading.Thread(target=lambda: seen.append(deadline.current()))
        thread.start()
        thread.join()
    assert seen == [None]


@pytest.fixture
def no_scope() -> Iterator[None]:
    assert deadline.current() is None
    yield
    assert deadline.current() is None


def test_a_scope_ends_with_its_block_even_on_error(no_scope: None) -> None:
    with pytest.raises(RuntimeError), deadline.scope(5):
        raise RuntimeError("boom")
