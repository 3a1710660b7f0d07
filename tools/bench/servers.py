"""How ``make bench`` starts one target's server: the image's gunicorn config, or a
candidate configuration overriding it (``--server-configs``)."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from tools import REPO_ROOT, dev, local_http
from tools.backends import process
from tools.bench.targets import Target

#: The gunicorn settings a --server-configs run overrides; the rest of the env passes through.
SERVER_ENV = ("WEB_CONCURRENCY", "GUNICORN_THREADS")
START_TIMEOUT = 30.0


@dataclass(frozen=True)
class ServerConfig:
    """gunicorn command-line overrides of ``apps/common/gunicorn_conf.py``; empty: as deployed."""

    worker_class: str | None = None
    workers: int | None = None
    threads: int | None = None

    @property
    def label(self) -> str:
        if self.worker_class is None:
            return "production config"
        return f"{self.worker_class} workers={self.workers} threads={self.threads}"

    def args(self) -> list[str]:
        if self.worker_class is None:
            return []
        return [
            "--worker-class",
            self.worker_class,
            "--workers",
            str(self.workers),
            "--threads",
            str(self.threads),
        ]


PRODUCTION = ServerConfig()
#: gevent/eventlet are not installed in the image: only the stock worker classes compete.
CANDIDATE_CONFIGS = (
    ServerConfig("sync", 1, 1),
    ServerConfig("sync", 2, 1),
    ServerConfig("gthread", 1, 4),
    ServerConfig("gthread", 1, 8),
    ServerConfig("gthread", 2, 4),
    ServerConfig("gthread", 2, 8),
)


class Server:
    """How to start one target's server (gunicorn, or the target's own command); its
    backend is already running."""

    def __init__(
        self,
        target: Target,
        backend_env: Mapping[str, str],
        config: ServerConfig,
        logs: Path,
        cpus: frozenset[int] | None,
    ):
        self.target = target
        self.config = config
        self.backend_env = backend_env
        self.log_file = logs / f"{target.name}.log"
        self.cpus = cpus

    def _env(self, port: int) -> dict[str, str]:
        if self.target.app is None:
            passthrough = {name: os.environ[name] for name in dev.PASSTHROUGH_ENV if name in os.environ}
            env = passthrough | {"PORT": str(port), "PYTHONPATH": str(REPO_ROOT)}
        else:
            env = dev.app_env(self.target.app, port, self.backend_env)
        # tools.dev's own WEB_CONCURRENCY default is not the image's: keep only the caller's.
        for name in SERVER_ENV:
            if name not in os.environ:
                env.pop(name, None)
        return env

    def _args(self, port: int) -> list[str]:
        if self.target.command:
            return list(self.target.command)
        args = dev.gunicorn_args(port) + self.config.args()
        if self.target.app is None:
            args.append("tools.bench.hello_world:app")
        return args

    def start(self) -> tuple[subprocess.Popen[bytes], int, float]:
        """Start the server; returns it, its port and milliseconds to the first 200 on the health path."""
        port = process.free_port()
        args = self._args(port)
        began = time.perf_counter()
        server = process.start(args, log_file=self.log_file, env=self._env(port), cpus=self.cpus)
        try:
            wait_for_ok(port, self.target.health_path, server, self.target.name)
        except BaseException:
            process.stop(server)
            raise
        return server, port, (time.perf_counter() - began) * 1000


def wait_for_ok(port: int, path: str, server: subprocess.Popen[bytes], what: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the {what} server exited with {server.returncode} before answering {path}")
        try:
            if local_http.get(port, path)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.005)
    raise TimeoutError(f"no 200 on {path} after {START_TIMEOUT:.0f}s")
