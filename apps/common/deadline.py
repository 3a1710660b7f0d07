"""A request's deadline for its datastore work, and retries that end before it.

Every request that touches a datastore gets one deadline (each app documents its
constant): connects, reads, retries and their backoff, waits for a lock, all end
before it, and then the request answers 503 with ``Retry-After``, whatever the
datastore does (refuses connections, accepts them and never answers, answers slowly).
Without it, a client's timeouts multiply by its retries (20 s and more per request),
while App Runner keeps the request open for 120 s and the worker's threads fill up.

The datastore layer opens the deadline around a request's datastore work (``scope``);
everything inside shares it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from random import uniform
from time import monotonic, sleep
from typing import TypeVar

T = TypeVar("T")


class Deadline:
    """A moment ``seconds`` from now (monotonic clock)."""

    __slots__ = ("_at", "seconds")

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._at = monotonic() + seconds

    def remaining(self) -> float:
        """Seconds left; zero or less once it has passed."""
        return self._at - monotonic()


# A ContextVar, not a global: each of gunicorn's threads serves its own request.
_current: ContextVar[Deadline | None] = ContextVar("datastore_deadline", default=None)


@contextmanager
def scope(seconds: float) -> Iterator[Deadline]:
    """The enclosing scope's deadline, or a new one ``seconds`` from now for this block.

    Nested scopes share the outer deadline: a request's retries, reconnects and lock
    waits all count against one budget.
    """
    outer = _current.get()
    if outer is not None:
        yield outer
        return
    deadline = Deadline(seconds)
    token = _current.set(deadline)
    try:
        yield deadline
    finally:
        _current.reset(token)


def current() -> Deadline | None:
    """The deadline of the enclosing ``scope``, if any."""
    return _current.get()


def call_with_retries(
    operation: Callable[[], T],
    *,
    deadline: Deadline,
    attempt_seconds: float,
    max_attempts: int,
    backoff_base: Callable[[Exception], float | None],
) -> T:
    """``operation()``, tried again after a failure ``backoff_base`` calls retryable.

    ``backoff_base(error)`` is the first backoff in seconds for a retryable error (it
    doubles with each attempt, with full jitter), None for one that is not. A retry is
    made only while another whole attempt, ``attempt_seconds`` at most (the client's
    connect and read timeouts), still ends before ``deadline``; the backoff is cut to
    fit. Otherwise the last error is raised: nothing here sleeps or starts past the
    deadline.
    """
    attempt = 1
    while True:
        try:
            return operation()
        except Exception as error:
            base = backoff_base(error)
            spare = deadline.remaining() - attempt_seconds
            if base is None or attempt >= max_attempts or spare < 0:
                raise
            sleep(min(spare, uniform(0, base * 2 ** (attempt - 1))))
            attempt += 1
