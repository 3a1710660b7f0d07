"""tools.supervisor: a supervisor ends what its worker leaves behind, and a worker stops
when its supervisor is gone.

``make dev`` end to end, stopped many times by bursts of signals, is in test_dev.py.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from tests.support.processes import running
from tools import REPO_ROOT

pytestmark = pytest.mark.slow

#: Generous: a stop takes milliseconds; this only tells a hang from a slow host.
STOP_BOUND = 10.0

#: The loop tools.dev's worker runs while it serves.
WAIT_LOOP = textwrap.dedent(
    """
    from tools.supervisor import StopRequest

    stop = StopRequest()
    print("ready", flush=True)
    while not stop.wait(0.2):
        pass
    print("stopped", flush=True)
    """
)


def _python(code: str, *args: str) -> subprocess.Popen[bytes]:
    # -S: no site-packages, a faster start; tools.supervisor needs only the standard library.
    return subprocess.Popen(
        [sys.executable, "-S", "-c", code, *args],
        cwd=REPO_ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _kill_if_running(pid: int) -> None:
    """A failed test leaves nothing behind either."""
    if running(pid):
        os.kill(pid, signal.SIGKILL)


#: A worker that starts a server in a session of its own (as every dev server runs),
#: reports its pid and then dies by SIGKILL, the server left behind.
ABANDONING_WORKER = textwrap.dedent(
    """
    import os, signal, subprocess, sys

    sleep = [sys.executable, "-S", "-c", "import time; time.sleep(600)"]
    server = subprocess.Popen(sleep, start_new_session=True)
    print(server.pid, flush=True)
    sys.stdin.read(1)
    os.kill(os.getpid(), signal.SIGKILL)
    """
)

SUPERVISOR = textwrap.dedent(
    """
    import os, sys
    from tools.supervisor import supervise

    sys.exit(supervise([sys.executable, "-S", "-c", sys.argv[1]], os.environ, name="test"))
    """
)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="subreaper: Linux only")
def test_the_supervisor_ends_what_a_killed_worker_left() -> None:
    supervisor = _python(SUPERVISOR, ABANDONING_WORKER)
    assert supervisor.stdout is not None
    server = int(supervisor.stdout.readline())
    try:
        assert running(server)
        # A byte on stdin: the worker kills itself.
        _, stderr = supervisor.communicate(b"x", timeout=STOP_BOUND + 10)
        assert supervisor.returncode == 1
        assert stderr.decode().splitlines() == [
            "test: stopped 1 process(es) left running by the worker",
            "test: the worker was killed by SIGKILL",
        ]
        assert not running(server)
    finally:
        _kill_if_running(server)


#: A parent that starts the wait loop told to watch it (as the supervisor starts its
#: worker), reports the loop's pid and waits to be killed.
WATCHED_PARENT = textwrap.dedent(
    """
    import os, subprocess, sys

    code = sys.argv[1].replace("StopRequest()", f"StopRequest(parent={os.getpid()})")
    command = [sys.executable, "-S", "-c", code]
    loop = subprocess.Popen(command, start_new_session=True, stdout=subprocess.PIPE)
    loop.stdout.readline()
    print(loop.pid, flush=True)
    sys.stdin.read()
    """
)


def test_a_worker_stops_when_its_supervisor_is_gone() -> None:
    """The worker's own session keeps it out of a kill of the supervisor's process
    group, so it watches for its parent: killed with SIGKILL, the parent is gone."""
    parent = _python(WATCHED_PARENT, WAIT_LOOP)
    assert parent.stdout is not None
    loop = int(parent.stdout.readline())
    try:
        parent.kill()
        parent.wait()
        deadline = time.monotonic() + STOP_BOUND
        while running(loop) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not running(loop)
    finally:
        _kill_if_running(loop)
