"""Start, wait for and stop local server processes."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path

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
) -> subprocess.Popen[bytes]:
    """Start ``args`` in its own process group so ``stop`` can end its children too."""
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
        )
    finally:
        if log_file:
            output.close()  # type: ignore[union-attr]


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
