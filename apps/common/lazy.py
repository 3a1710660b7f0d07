"""A backend client made on first use, once per process.

gunicorn preloads the app in its master and forks the workers, so a client made at
start-up would be one socket shared by every worker; made on first use, each worker has
its own. An app whose backend is down also still starts and answers ``/healthz``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class MadeOnFirstUse(Generic[T]):
    """``make()``'s result, made by the first ``get`` (one thread makes it, the others
    wait). A failure is not kept: the next ``get`` tries again, so the first request
    after a backend comes back makes the client."""

    def __init__(self, make: Callable[[], T]) -> None:
        self._make = make
        self._value: T | None = None
        self._lock = threading.Lock()

    def get(self, timeout: float | None = None) -> T:
        """The value; a thread that waits for another one making it waits ``timeout``
        seconds at most (None: as long as that takes), then raises ``TimeoutError``.

        A client that connects when it is made (Redis Cluster discovers its nodes) may
        take its whole timeouts to fail: a request waiting behind it must not wait
        longer than its own deadline.
        """
        value = self._value
        if value is None:  # only until the first success: no lock on the request path after that
            if not self._lock.acquire(timeout=-1 if timeout is None else max(timeout, 0)):
                raise TimeoutError("gave up waiting for another thread to make the client")
            try:
                if self._value is None:
                    self._value = self._make()
                value = self._value
            finally:
                self._lock.release()
        return value
