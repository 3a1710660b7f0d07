"""The gunicorn worker this process is, for an app that must act on its own worker.

``gunicorn_conf.post_worker_init`` attaches it once the worker has loaded the app;
outside gunicorn (Flask's development server, tests) there is none. Only chaos uses it:
its memory trap sizes its cap from the worker count and retires its worker gracefully.
"""

from __future__ import annotations

import logging
import os
import signal
import time
from typing import Protocol

log = logging.getLogger(__name__)

#: How often a retiring worker looks whether its other connections are done.
_POLL_SECONDS = 0.01


class WorkerConfig(Protocol):
    @property
    def workers(self) -> int: ...

    @property
    def graceful_timeout(self) -> float: ...


class Worker(Protocol):
    """What is read of gunicorn's worker object (``gunicorn.workers.base.Worker``)."""

    @property
    def cfg(self) -> WorkerConfig: ...

    @property
    def pid(self) -> int: ...


_current: Worker | None = None


def attach(worker: Worker) -> None:
    """Record ``worker`` as this process's (called by gunicorn_conf.post_worker_init)."""
    global _current  # noqa: PLW0603 - one worker per process, set once by gunicorn
    _current = worker


def current() -> Worker | None:
    """This process's gunicorn worker, or None outside gunicorn."""
    return _current if _current is not None and _current.pid == os.getpid() else None


def retire(worker: Worker) -> None:
    """Begin ``worker``'s graceful shutdown (gunicorn's SIGTERM: it accepts no new
    connection, the master's other workers and the replacement it forks take them), then
    wait until the connection of the calling request is the only one the worker still
    holds, or until gunicorn's ``graceful_timeout``.

    Connections are counted by the threaded worker (gthread, the image's worker class):
    it answers requests already read, and one that arrives on a kept-alive connection
    meanwhile with ``Connection: close``.
    """
    os.kill(worker.pid, signal.SIGTERM)
    give_up = time.monotonic() + worker.cfg.graceful_timeout
    while getattr(worker, "nr_conns", 1) > 1:
        if time.monotonic() > give_up:
            log.warning("other requests still open after the graceful timeout; ending them")
            return
        time.sleep(_POLL_SECONDS)
