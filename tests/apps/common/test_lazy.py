"""``common.lazy.MadeOnFirstUse``: one value per process, made by one thread, failures not kept."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from common.lazy import MadeOnFirstUse

THREADS = 8


class Maker:
    """Counts its calls; fails the first ``failures`` of them."""

    def __init__(self, *, failures: int = 0, delay: float = 0.0) -> None:
        self.calls = 0
        self.failures = failures
        self.delay = delay

    def __call__(self) -> object:
        self.calls += 1
        time.sleep(self.delay)
        if self.calls <= self.failures:
            raise ConnectionError("backend down")
        return object()


def test_the_value_is_made_on_first_use_and_then_kept() -> None:
    make = Maker()
    lazy = MadeOnFirstUse(make)
    assert make.calls == 0
    first = lazy.get()
    assert lazy.get() is first
    assert make.calls == 1


def test_threads_racing_to_the_first_use_share_one_value() -> None:
    # The slow maker leaves every thread time to reach get() while the first is inside it.
    make = Maker(delay=0.05)
    lazy = MadeOnFirstUse(make)
    start = threading.Barrier(THREADS)

    def first_use() -> object:
        start.wait()
        return lazy.get()

    with ThreadPoolExecutor(THREADS) as pool:
        values = list(pool.map(lambda _: first_use(), range(THREADS)))
    assert make.calls == 1
    assert all(value is values[0] for value in values)


def test_a_failure_is_not_kept_so_the_next_use_tries_again() -> None:
    make = Maker(failures=1)
    lazy = MadeOnFirstUse(make)
    with pytest.raises(ConnectionError):
        lazy.get()
    value = lazy.get()
    assert lazy.get() is value
    assert make.calls == 2


def test_a_thread_waiting_for_another_one_making_the_value_gives_up_after_its_timeout() -> None:
    release = threading.Event()

    def make_when_released() -> object:
        release.wait(30)
        return object()

    lazy = MadeOnFirstUse(make_when_released)
    maker = threading.Thread(target=lazy.get, daemon=True)
    maker.start()
    while not lazy._lock.locked():  # the maker is inside make()
        time.sleep(0.001)
    try:
        with pytest.raises(TimeoutError):
            lazy.get(timeout=0.05)
    finally:
        release.set()
        maker.join(10)
    assert lazy.get(timeout=0) is lazy.get()
