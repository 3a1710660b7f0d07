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


class Lazy(Generic[T]):
    """``make()``'s result, made by the first ``get`` (one thread makes it, the others
    wait). A failure is not kept: the next ``get`` tries again, so the first request
    after a backend comes back makes the client."""

    def __init__(self, make: Callable[[], T]) -> None:
        self._make = make
        self._value: T | None = None
        self._lock = threading.Lock()

    def get(self) -> T:
        value = self._value
        if value is None:  # only until the first success: no lock on the request path after that
            with self._lock:
                if self._value is None:
                    self._value = self._make()
                value = self._value
        return value
