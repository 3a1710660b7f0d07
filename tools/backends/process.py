"""Start, wait for and stop local server processes."""

from __future__ import annotations

import abc
import contextlib
import functools
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Collection, Iterator, Sequence
from pathlib import Path
from types import TracebackType
from typing import Self

LOCALHOST = "127.0.0.1"


class MissingPrerequisite(RuntimeError):
    """A binary the backend needs is not installed; the message says what to install."""


def require_binary(name: str, install_hint: str, *, search: Sequence[str] = ()) -> str:
    """Absolute path of ``name`` from PATH or ``search`` dirs, else ``MissingPrerequisite``."""
    found = shutil.which(name)
    if found:
        return found
    for directory in search:
        candidate = Path(directory) / name
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    raise MissingPrerequisite(f"{name} not found: {install_hint}")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOCALHOST, 0))
        return int(sock.getsockname()[1])


def port_open(port: int, host: str = LOCALHOST) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.2):
            return True
    except OSError:
        return False


def wait_for_port(
    port: int, *, timeout: float = 20.0, process: subprocess.Popen[bytes] | None = None
) -> None:
    """Block until ``port`` accepts TCP connections; fail fast if ``process`` dies."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(
                f"{process.args!r} exited with {process.returncode} before listening on {port}"
            )
        if port_open(port):
            return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listening on {LOCALHOST}:{port} after {timeout:.0f}s")


def start(
    args: Sequence[str],
    *,
    log_file: Path | None = None,
    env: dict[str, str] | None = None,
    user: str | None = None,
    cpus: Collection[int] | None = None,
) -> subprocess.Popen[bytes]:
    """Start ``args`` in its own process group so ``stop`` can end its children too;
    ``cpus`` pins it (and the children it starts) to those CPUs."""
    pin = None if cpus is None else functools.partial(os.sched_setaffinity, 0, cpus)
    output = open(log_file, "ab") if log_file else subprocess.DEVNULL  # noqa: SIM115
    try:
        return subprocess.Popen(
            list(args),
            stdout=output,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
            start_new_session=True,
            user=user,
            preexec_fn=pin,  # noqa: PLW1509 - only sets the affinity; callers are single-threaded
        )
    finally:
        if log_file:
            output.close()  # type: ignore[union-attr]


def children(pid: int) -> set[int]:
    """The direct children of ``pid``, whichever of its threads started them (Linux)."""
    found: set[int] = set()
    for listing in Path(f"/proc/{pid}/task").glob("*/children"):
        with contextlib.suppress(OSError):
            found.update(int(child) for child in listing.read_text().split())
    return found


def with_descendants(pid: int) -> list[int]:
    """``pid`` and every process below it, parents before their children."""
    found, pending = [pid], [pid]
    while pending:
        below = sorted(children(pending.pop()) - set(found))
        found += below
        pending += below
    return found


def signal_all(pids: Sequence[int], sig: int) -> None:
    """Send ``sig`` to each of ``pids`` that still exists."""
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, sig)


def stop(process: subprocess.Popen[bytes], *, timeout: float = 10.0, sig: int = signal.SIGTERM) -> None:
    """Signal the process group, wait, then SIGKILL whatever is left."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=timeout)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=timeout)


class ServerLifecycle(abc.ABC):
    """``start``/``stop``/``restart`` and a context manager that also removes the work dir.

    ``__enter__`` runs ``_prepare`` then ``start``, and ``close`` (``stop``, then
    ``_cleanup``) if either fails; ``__exit__`` is ``close``. The work dir is a temp dir
    made on the first ``_work_path`` call and removed by the default ``_cleanup``.
    """

    _workdir_prefix = "local-server-"

    def __init__(self) -> None:
        self._workdir: tempfile.TemporaryDirectory[str] | None = None

    def _work_path(self) -> Path:
        if self._workdir is None:
            self._workdir = tempfile.TemporaryDirectory(prefix=self._workdir_prefix)
        return Path(self._workdir.name)

    @abc.abstractmethod
    def start(self) -> None: ...

    @abc.abstractmethod
    def stop(self) -> None: ...

    def restart(self) -> None:
        self.stop()
        self.start()

    def pids(self) -> list[int]:
        """The server's running processes (for ``frozen``); none when it is stopped."""
        return []

    @contextlib.contextmanager
    def frozen(self) -> Iterator[None]:
        """Every process of the server stopped (SIGSTOP) for the block, then continued
        (SIGCONT), even if the block fails.

        Frozen, the server still accepts TCP connections (the kernel completes them into
        its listen backlog and acknowledges what clients send) but answers nothing: a
        hung node, or one cut off by the network in the middle of a conversation.
        """
        pids = self.pids()
        if not pids:
            raise RuntimeError(f"{type(self).__name__} is not running: nothing to freeze")
        # Children first, so that a parent stopped second sees nothing change under it.
        signal_all(pids[::-1], signal.SIGSTOP)
        try:
            yield
        finally:
            signal_all(pids, signal.SIGCONT)

    def _prepare(self) -> None:  # noqa: B027 (an optional hook, not abstract)
        """Set up what ``start`` needs once per ``with`` block (a data dir, say)."""

    def _cleanup(self) -> None:
        if self._workdir is not None:
            self._workdir.cleanup()
            self._workdir = None

    def close(self) -> None:
        try:
            self.stop()
        finally:
            self._cleanup()

    def __enter__(self) -> Self:
        try:
            self._prepare()
            self.start()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


class LocalServer(ServerLifecycle):
    """One server process on 127.0.0.1:``port`` (a free one by default), restartable there.

    Subclasses give the command line (``_command``) and may log to a file (``_log_file``)
    or finish setting up once the port is open (``_ready``); a failed start is stopped.
    """

    #: The server's name in error messages.
    _name = "server"

    def __init__(self, port: int | None = None) -> None:
        super().__init__()
        self.port = port if port is not None else free_port()
        self._process: subprocess.Popen[bytes] | None = None

    @abc.abstractmethod
    def _command(self) -> list[str]:
        """The command line; called by ``start`` once the port is known to be free."""

    def _log_file(self) -> Path | None:
        return None

    def _ready(self) -> None:
        """Called by ``start`` once the server accepts connections."""

    def start(self) -> None:
        if self._process is not None:
            return
        if port_open(self.port):
            raise RuntimeError(f"port {self.port} is already in use; cannot start {self._name} there")
        # ``start``/``stop`` here are this module's functions, not these methods.
        self._process = start(self._command(), log_file=self._log_file())
        try:
            wait_for_port(self.port, process=self._process)
            self._ready()
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        if self._process is not None:
            stop(self._process)
            self._process = None

    def pids(self) -> list[int]:
        return [] if self._process is None else with_descendants(self._process.pid)
