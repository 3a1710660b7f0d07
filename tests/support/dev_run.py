"""``make dev`` runs as a test drives them: ``make <target>`` in its own session, its output
collected, and every process it started tracked until it is gone."""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import pytest

from tests.support.processes import children, running
from tools import REPO_ROOT
from tools.backends.process import LOCALHOST

MAKE = shutil.which("make") or "make"
_INCLUDED = "include tools/dev.mk" in (REPO_ROOT / "Makefile").read_text()
# -o install: a test run never reinstalls .venv or node_modules.
MAKE_ARGS = [MAKE, "--no-print-directory", "-o", "install"]
MAKE_ARGS += [] if _INCLUDED else ["-f", "Makefile", "-f", "tools/dev.mk"]
READY_TIMEOUT = 90.0
STOP_TIMEOUT = 30.0
#: Set in the caller's shell: they must not reach the app and change its code path.
STRAY_ENV = {"DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none", "REDIS_URL": "redis://127.0.0.1:1"}


# --- processes -----------------------------------------------------------------------


def descendants(pid: int) -> set[int]:
    found: set[int] = set()
    pending = [pid]
    while pending:
        for child in children(pending.pop()) - found:
            found.add(child)
            pending.append(child)
    return found


def cmdline(pid: int) -> list[str]:
    with contextlib.suppress(OSError):
        return Path(f"/proc/{pid}/cmdline").read_bytes().decode().split("\0")
    return []


def postmasters(data_dir: Path) -> set[int]:
    """PostgreSQL daemonizes (pg_ctl): it is nobody's child, its pid is in its data dir."""
    return {
        int(pid_file.read_text().split()[0])
        for pid_file in data_dir.glob("*/postgres/postmaster.pid")
        if pid_file.read_text().strip()
    }


# --- a dev run ---------------------------------------------------------------------


class DevRun:
    """``make <target>`` in its own session, its output collected, every process it starts tracked."""

    def __init__(self, target: str, env: Mapping[str, str], data_dir: Path) -> None:
        self._args = [*MAKE_ARGS, target]
        self._env = {**os.environ, **STRAY_ENV, "DEV_DATA_DIR": str(data_dir), **env}
        self._data_dir = data_dir
        self._lines: list[str] = []
        self._changed = threading.Condition()
        self.make: subprocess.Popen[bytes] | None = None
        self._seen: set[int] = set()

    def __enter__(self) -> DevRun:
        self.make = subprocess.Popen(
            self._args,
            cwd=REPO_ROOT,
            env=self._env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        threading.Thread(target=self._collect, daemon=True).start()
        return self

    def _collect(self) -> None:
        assert self.make is not None and self.make.stdout is not None
        for raw in self.make.stdout:
            with self._changed:
                self._lines.append(raw.decode(errors="replace").rstrip("\n"))
                self._changed.notify_all()

    @property
    def output(self) -> str:
        with self._changed:
            return "\n".join(self._lines)

    def wait_for(self, text: str, timeout: float = READY_TIMEOUT) -> None:
        deadline = time.monotonic() + timeout
        with self._changed:
            while not any(text in line for line in self._lines):
                remaining = deadline - time.monotonic()
                assert self.make is not None
                if remaining <= 0 or self.make.poll() is not None:
                    pytest.fail(f"no {text!r} in the output of {self._args}:\n" + "\n".join(self._lines))
                self._changed.wait(min(remaining, 0.5))

    def processes(self) -> set[int]:
        """Every process of this run so far: make's descendants and the PostgreSQL servers."""
        assert self.make is not None
        self._seen |= {self.make.pid} | descendants(self.make.pid) | postmasters(self._data_dir)
        return self._seen

    def runner(self) -> int:
        """The ``python -m tools.dev`` process make started: the supervisor."""
        assert self.make is not None
        pids = [pid for pid in children(self.make.pid) if "tools.dev" in cmdline(pid)]
        assert len(pids) == 1, pids
        return pids[0]

    def worker(self) -> int:
        """The runner's worker (``python -m tools.dev`` again), which starts the servers."""
        pids = [pid for pid in children(self.runner()) if "tools.dev" in cmdline(pid)]
        assert len(pids) == 1, pids
        return pids[0]

    def gunicorn(self, app: str) -> tuple[int, dict[str, str]]:
        """The pid and environment of ``app``'s gunicorn master (the worker's child serving it)."""
        for pid in children(self.worker()):
            environ = dict(
                item.split("=", 1)
                for item in Path(f"/proc/{pid}/environ").read_bytes().decode().split("\0")
                if "=" in item
            )
            if environ.get("APP_MODULE") == app:
                return pid, environ
        pytest.fail(f"no gunicorn serving {app}")

    def stop(self, send: Callable[[], None]) -> int:
        """``send`` a signal, wait for make; every process of the run must be gone, in
        ``STOP_TIMEOUT`` (generous: a stop takes a second or two; this tells a hang)."""
        assert self.make is not None
        started = self.processes()
        send()
        returncode = self.make.wait(timeout=STOP_TIMEOUT)
        # Make may be gone first: its runner was killed, and the worker is still stopping.
        deadline = time.monotonic() + STOP_TIMEOUT
        while time.monotonic() < deadline and any(running(pid) for pid in started):
            time.sleep(0.1)
        left = {pid: cmdline(pid) for pid in started if running(pid)}
        assert not left, f"processes left behind: {left}\n{self.output}"
        return returncode

    def __exit__(self, *exc_info: object) -> None:
        """After a failed test too: nothing of the run may outlive it, even if make is
        gone (a test that killed the runner and found processes left, say)."""
        if self.make is None:
            return
        if self.make.poll() is None:
            self.processes()
            with contextlib.suppress(OSError):
                os.killpg(self.make.pid, signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.make.wait(timeout=STOP_TIMEOUT)
        left = {pid for pid in self._seen if running(pid)}
        left |= {child for parent in left for child in descendants(parent)}
        for pid in left:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)


@contextlib.contextmanager
def serving(app: str, port: int, data_dir: Path) -> Iterator[DevRun]:
    """``make dev-<app>`` until it is ready; then SIGTERM to the runner stops it all with exit code 0."""
    with DevRun(f"dev-{app}", {"PORT": str(port)}, data_dir) as run:
        run.wait_for(f"{app} ready: http://{LOCALHOST}:{port}")
        yield run
        runner = run.runner()
        assert run.stop(lambda: os.kill(runner, signal.SIGTERM)) == 0, run.output


@contextlib.contextmanager
def dev_data_dir() -> Iterator[Path]:
    """A DEV_DATA_DIR for runs. Not pytest's tmp_path: as root, PostgreSQL runs as the
    postgres user, who cannot enter pytest's private temp dirs."""
    path = Path(tempfile.mkdtemp(prefix="dev-test-"))
    path.chmod(0o755)
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def app_port() -> int:
    """A free port for an app under ``make dev``, below the kernel's ephemeral range.

    The run's backends listen on ports the kernel hands out (``free_port()``), and every
    client connection takes one too, all from the ephemeral range: a port chosen there
    before the run could be taken by one of them before the app binds it.
    """
    low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    choose = random.Random()
    while True:
        port = choose.randrange(max(1024, low - 10000), low)
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind((LOCALHOST, port))
            except OSError:
                continue
            return port
