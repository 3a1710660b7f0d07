"""The chaos app under real gunicorn, and a client that sends it steady traffic."""

from __future__ import annotations

import contextlib
import http.client
import os
import subprocess
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Self

from tests.support.processes import children, running
from tools import dev
from tools.backends import process
from tools.local_http import get


class ChaosServer:
    """``gunicorn -c apps/common/gunicorn_conf.py`` serving ``chaos`` on a free port."""

    def __init__(self, env: Mapping[str, str], log_file: Path, *, extra_args: tuple[str, ...] = ()) -> None:
        self.port = process.free_port()
        self.workers = int(env.get("WEB_CONCURRENCY", "2"))
        self.log_file = log_file
        self._env = {**os.environ, "APP_MODULE": "chaos", "PORT": str(self.port), **env}
        self._args = [*dev.gunicorn_args(self.port), *extra_args]
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def master_pid(self) -> int:
        assert self.process is not None, "server not started"
        return self.process.pid

    def start(self) -> None:
        self.process = process.start(self._args, log_file=self.log_file, env=self._env)
        process.wait_for_port(self.port, process=self.process)
        self.wait_for_workers(timeout=20)

    def stop(self) -> None:
        if self.process is not None:
            process.stop(self.process)

    def worker_pids(self) -> set[int]:
        """The master's live children, read from /proc (gunicorn forks workers directly)."""
        return {pid for pid in children(self.master_pid) if running(pid)}

    def wait_for_workers(self, *, timeout: float) -> set[int]:
        """Block until the master has its full count of workers."""
        return self._wait(lambda pids: len(pids) == self.workers, timeout, "all workers")

    def wait_for_replacement(self, before: set[int], *, timeout: float) -> set[int]:
        """Block until a worker in ``before`` is gone and the master is back to full count."""
        return self._wait(
            lambda pids: len(pids) == self.workers and bool(before - pids),
            timeout,
            f"a worker of {before} replaced",
        )

    def _wait(self, done: Callable[[set[int]], bool], timeout: float, what: str) -> set[int]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            pids = self.worker_pids()
            if done(pids):
                return pids
            time.sleep(0.02)
        raise TimeoutError(f"no {what} after {timeout}s; workers now {self.worker_pids()}")

    def log_size(self) -> int:
        return self.log_file.stat().st_size

    def log_since(self, offset: int) -> str:
        with self.log_file.open("rb") as log:
            log.seek(offset)
            return log.read().decode(errors="replace")


@contextlib.contextmanager
def running_server(
    env: Mapping[str, str], log_file: Path, **kwargs: tuple[str, ...]
) -> Iterator[ChaosServer]:
    server = ChaosServer(env, log_file, **kwargs)
    try:
        server.start()
        yield server
    finally:
        server.stop()


@dataclass
class Traffic:
    """Sequential GET / requests from one thread, bounded by ``max_requests`` and ``max_seconds``.

    Sequential on purpose: at most one traffic request is in flight at any moment,
    so a failure can be attributed to exactly what was happening at that moment.
    """

    port: int
    max_requests: int = 2000
    max_seconds: float = 20.0
    #: Seconds each request may take.
    timeout: float = 5.0
    ok: int = field(default=0, init=False)
    failures: list[str] = field(default_factory=list, init=False)
    _stop: threading.Event = field(default_factory=threading.Event, init=False)
    _thread: threading.Thread | None = field(default=None, init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False)

    def _request(self) -> None:
        """One GET /, its outcome counted."""
        try:
            status, body = get(self.port, "/", timeout=self.timeout)
        except (OSError, http.client.HTTPException) as error:
            failure = f"{type(error).__name__}: {error}"
        else:
            failure = "" if status == 200 and b"<h1>World</h1>" in body else f"HTTP {status}: {body[:200]!r}"
        with self._lock:
            if failure:
                self.failures.append(failure)
            else:
                self.ok += 1

    def _run(self) -> None:
        deadline = time.monotonic() + self.max_seconds
        for _ in range(self.max_requests):
            if self._stop.is_set() or time.monotonic() > deadline:
                return
            self._request()

    def __enter__(self) -> Self:
        self._thread = threading.Thread(target=self._run, name="traffic", daemon=True)
        self._thread.start()
        return self

    def wait_for(self, count: int, timeout: float = 10.0) -> None:
        """Block until ``count`` more requests succeeded (proof the server is serving)."""
        target = self.ok + count
        deadline = time.monotonic() + timeout
        while self.ok < target:
            if time.monotonic() > deadline:
                raise TimeoutError(f"traffic stalled at {self.ok} successes, failures: {self.failures[-3:]}")
            time.sleep(0.01)

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        assert self._thread is not None
        self._thread.join(timeout=self.timeout + 5)


@dataclass
class PacedTraffic(Traffic):
    """GET / at ``rate`` requests per second, each on a fresh connection from a thread of
    its own, so requests overlap as a browser's or a load balancer's do. ``timeout`` is
    generous: while a lone worker drains and is replaced, new connections wait in the
    listen backlog."""

    max_requests: int = 500
    timeout: float = 30.0
    rate: float = 50.0
    _requests: list[threading.Thread] = field(default_factory=list, init=False)

    def _run(self) -> None:
        start = time.monotonic()
        for sent in range(self.max_requests):
            if self._stop.is_set() or time.monotonic() - start > self.max_seconds:
                return
            request = threading.Thread(target=self._request, daemon=True)
            request.start()
            self._requests.append(request)
            # Paced from the start, not from the last send: the rate holds under load.
            self._stop.wait(max(0.0, start + (sent + 1) / self.rate - time.monotonic()))

    def __exit__(self, *exc: object) -> None:
        super().__exit__(*exc)
        for request in self._requests:
            request.join(timeout=self.timeout + 5)
