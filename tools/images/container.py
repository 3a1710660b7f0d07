"""One app image run with podman on the host's network, for ``make test-images`` and
``make bench``: the app's stack environment and local backend, a free port, 127.0.0.1."""

from __future__ import annotations

import json
import secrets
import subprocess
import time
from collections.abc import Collection, Mapping, Sequence
from types import TracebackType
from typing import Self

from tools import dev, local_http
from tools.backends import process
from tools.images import ca_bundle, engine

#: Every container this project starts is named so; ``clean`` removes only these.
NAME_PREFIX = "apprunner-cdk-constructs-"
#: todo_postgres's CA bundle variable: locally a file of the host (the test server's CA).
CA_FILE_VARIABLE = "DB_CA_FILE"
START_TIMEOUT = 60.0


def container_env(app: dev.DevApp, backend_env: Mapping[str, str], port: int) -> dict[str, str]:
    """What ``app``'s container is given: the variables its stack sets (as ``make dev``
    has them, ``backend_env`` for the local backend), the port, and a bind to 127.0.0.1.
    With the host's network the image's bind (0.0.0.0, right in a container's own
    network) would listen on every interface of the host; ``GUNICORN_CMD_ARGS``
    overrides that and nothing else."""
    bind = f"--bind {process.LOCALHOST}:{port}"
    return dict(app.env) | dict(backend_env) | {"PORT": str(port), "GUNICORN_CMD_ARGS": bind}


class Container:
    """``podman run`` of ``image`` with ``env``; removed (by its name) on exit.

    The values of ``env`` reach podman through its own environment (``-e NAME``), not
    its command line, where passwords would show in the process list. A ``DB_CA_FILE`` in
    ``env`` (a CA bundle of the host) is mounted over the image's RDS bundle instead, so the
    app reads its default path, as it does on AWS.
    """

    def __init__(
        self, image: str, env: Mapping[str, str], *, label: str = "app", cpus: Collection[int] | None = None
    ) -> None:
        self.image = image
        self.cpus = cpus
        self.env = dict(env)
        ca_file = self.env.pop(CA_FILE_VARIABLE, None)
        self.files = {ca_file: ca_bundle.IMAGE_PATH} if ca_file else {}
        self.port = int(self.env["PORT"])
        self.name = f"{NAME_PREFIX}{label}-{secrets.token_hex(4)}"
        self.started = False

    def start(self) -> None:
        names = [arg for name in sorted(self.env) for arg in ("-e", name)]
        args = ["run", "--detach", "--name", self.name, "--network", "host", *names]
        for source, target in self.files.items():
            args += ["--volume", f"{source}:{target}:ro"]
        if self.cpus is not None:
            args += ["--cpuset-cpus", ",".join(str(cpu) for cpu in sorted(self.cpus))]
        args.append(self.image)
        engine.run(["podman", *args], env=self.env)
        self.started = True

    def wait_for_ok(self, path: str = "/healthz", timeout: float = START_TIMEOUT) -> None:
        """Until ``GET path`` answers 200; ``RuntimeError`` with the logs if the container
        exits first, ``TimeoutError`` after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if local_http.get(self.port, path, timeout=2)[0] == 200:
                    return
            except OSError:
                pass
            if not self.running():
                raise RuntimeError(f"{self.name} exited before answering {path}:\n{self.logs()[-4000:]}")
            time.sleep(0.01)
        raise TimeoutError(f"{self.name}: no 200 on {path} after {timeout:.0f}s:\n{self.logs()[-4000:]}")

    def state(self) -> dict[str, object]:
        out = engine.run(["podman", "container", "inspect", "--format", "{{json .State}}", self.name])
        state: dict[str, object] = json.loads(out)
        return state

    def running(self) -> bool:
        return self.state().get("Running") is True

    def exit_code(self) -> int:
        return int(str(self.state()["ExitCode"]))

    def wait_until_exited(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while self.running():
            if time.monotonic() > deadline:
                return False
            time.sleep(0.1)
        return True

    def stop(self, timeout: int = 10) -> int:
        """``podman stop -t timeout`` (SIGTERM, then SIGKILL after ``timeout`` s); the exit code."""
        engine.run(["podman", "stop", "--time", str(timeout), self.name], timeout=timeout + 30)
        return self.exit_code()

    def exec(self, args: Sequence[str]) -> subprocess.CompletedProcess[str]:
        """``args`` run in the container as its user; not checked."""
        return subprocess.run(
            [engine.require("podman"), "exec", self.name, *args],
            env=engine.environment(),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            check=False,
        )

    def logs(self) -> str:
        done = subprocess.run(
            [engine.require("podman"), "logs", self.name],
            env=engine.environment(),
            capture_output=True,
            text=True,
            check=False,
        )
        return done.stdout + done.stderr

    def remove(self) -> None:
        if self.started:
            engine.run(["podman", "rm", "--force", "--time", "0", self.name])
            self.started = False

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.remove()


def cold_start_ms(
    image: str, env: Mapping[str, str], *, path: str = "/healthz", cpus: Collection[int] | None = None
) -> float:
    """Milliseconds from ``podman run`` to the first 200 on ``path`` (the container is
    then removed)."""
    began = time.perf_counter()
    with Container(image, env, label="cold-start", cpus=cpus) as container:
        container.wait_for_ok(path)
        return (time.perf_counter() - began) * 1000
