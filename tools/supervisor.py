"""Stop requests that are safe in a signal handler, and a supervisor that leaves no process behind.

``make dev`` (tools/dev.py) uses both: the process make starts supervises a worker
that runs the servers. Linux only for the orphan clean-up (``prctl``, ``/proc``).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import select
import signal
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import FrameType

#: How long what a dead worker left has to stop on SIGTERM before SIGKILL.
ORPHAN_STOP_TIMEOUT = 10.0
#: prctl(2): orphaned descendants are reparented to this process, not to init.
_PR_SET_CHILD_SUBREAPER = 36


class StopRequest:
    """Set by SIGINT, SIGTERM or SIGHUP, or once the process ``parent`` is no longer ours.

    A signal handler runs in the main thread between any two bytecodes, even while that
    thread holds a lock (``threading.Event.wait`` holds one: setting the event from a
    handler can deadlock). So the handler only sets a flag, and ``wait`` wakes up on the
    byte ``signal.set_wakeup_fd`` writes to a pipe for every signal. Create it in the
    main thread, before the threads and processes it should stop.
    """

    SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)

    def __init__(self, *, parent: int | None = None, wake_on: Sequence[signal.Signals] = ()) -> None:
        self._requested = False
        self._parent = parent
        self._wakeup, write = os.pipe()
        for fd in (self._wakeup, write):
            os.set_blocking(fd, False)
        signal.set_wakeup_fd(write, warn_on_full_buffer=False)
        for signum in self.SIGNALS:
            signal.signal(signum, self._request)
        # Only a signal with a Python handler writes the wakeup byte.
        for signum in wake_on:
            signal.signal(signum, lambda signum, frame: None)

    def _request(self, signum: int, frame: FrameType | None) -> None:
        self._requested = True

    def is_set(self) -> bool:
        if self._parent is not None and os.getppid() != self._parent:
            self._requested = True
        return self._requested

    def wait(self, timeout: float) -> bool:
        """Sleep until a signal arrives or ``timeout`` passes; whether a stop is requested.

        A signal that came before the call has left its byte in the pipe: no wait then."""
        select.select([self._wakeup], [], [], timeout)
        with contextlib.suppress(BlockingIOError):
            while os.read(self._wakeup, 512):
                pass
        return self.is_set()


def _become_subreaper() -> bool:
    if not sys.platform.startswith("linux"):
        return False
    libc = ctypes.CDLL(None, use_errno=True)
    return bool(libc.prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0)


def _children() -> set[int]:
    """This process's children, adopted ones included."""
    found: set[int] = set()
    for listing in Path(f"/proc/{os.getpid()}/task").glob("*/children"):
        with contextlib.suppress(OSError):
            found.update(int(pid) for pid in listing.read_text().split())
    return found


def _reap(worker: subprocess.Popen[bytes]) -> bool:
    """Reap every exited child (adopted ones too); whether ``worker`` has exited."""
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return worker.returncode is not None
        if pid == 0:
            return worker.returncode is not None
        if pid == worker.pid:
            worker.returncode = os.waitstatus_to_exitcode(status)


def _end_orphans(stop: StopRequest, worker: subprocess.Popen[bytes]) -> int:
    """SIGTERM to each process the dead worker left (our children now), then SIGKILL to
    the process groups of those still there after ``ORPHAN_STOP_TIMEOUT``; how many."""
    signalled: set[int] = set()
    deadline = time.monotonic() + ORPHAN_STOP_TIMEOUT
    while left := _children():
        late = time.monotonic() > deadline
        for pid in left if late else left - signalled:
            with contextlib.suppress(ProcessLookupError):
                group = os.getpgid(pid)
                # A server leads its own group: a gunicorn master and its workers, say.
                if late and group != os.getpgrp():
                    os.killpg(group, signal.SIGKILL)
                else:
                    os.kill(pid, signal.SIGKILL if late else signal.SIGTERM)
        signalled |= left
        stop.wait(0.1)
        _reap(worker)
    return len(signalled)


def supervise(command: Sequence[str], env: Mapping[str, str], *, name: str) -> int:
    """Run ``command`` as a worker in a session of its own and return its exit code.

    Its session keeps a kill of our process group (make's) from reaching it: it stops
    when it sees this process gone (``StopRequest(parent=...)``). A stop requested here
    is passed on as SIGTERM. As the subreaper of everything below us, this process then
    stops whatever the worker left running, e.g. after a SIGKILL.
    """
    adopts = _become_subreaper()
    stop = StopRequest(wake_on=[signal.SIGCHLD])
    worker = subprocess.Popen(list(command), env=dict(env), start_new_session=True)
    forwarded = False
    while not _reap(worker):
        if stop.is_set() and not forwarded:
            with contextlib.suppress(ProcessLookupError):
                os.kill(worker.pid, signal.SIGTERM)
            forwarded = True
        stop.wait(1.0)
    code = worker.returncode
    assert code is not None
    if adopts and (left := _end_orphans(stop, worker)):
        print(f"{name}: stopped {left} process(es) left running by the worker", file=sys.stderr)
    # The SIGTERM passed on can come before the worker has its handler (it has just started).
    if code < 0 and not (forwarded and code == -signal.SIGTERM):
        print(f"{name}: the worker was killed by {signal.Signals(-code).name}", file=sys.stderr)
        return 1
    return max(code, 0)
