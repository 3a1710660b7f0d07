"""``make dev-<app>``, ``make dev`` and ``make dev-clean`` run as a user runs them.

Each app starts with its real backend and gunicorn, answers its main flow, stops on a
signal with no process left behind, and finds its data again after a restart. Every
stop ends, however many signals arrive at once; a runner killed with SIGKILL leaves
nothing running; under ``make dev`` an app that exits leaves the others serving.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import shutil
import signal
import subprocess
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import redis

from tests.support.dev_run import (
    MAKE_ARGS,
    READY_TIMEOUT,
    STOP_TIMEOUT,
    STRAY_ENV,
    DevRun,
    app_port,
    cmdline,
    dev_data_dir,
    serving,
)
from tests.support.processes import running
from tools import REPO_ROOT, dev
from tools.backends.process import LOCALHOST, port_open
from tools.local_http import request

pytestmark = pytest.mark.slow


@pytest.fixture
def data_dir() -> Iterator[Path]:
    with dev_data_dir() as path:
        yield path


# --- each app's main flow -------------------------------------------------------------


#: A first request opens the app's backend client: generous on a slow host.
REQUEST_TIMEOUT = 15.0


def ok_json(port: int, method: str, path: str, body: Any = None, *, status: int = 200) -> Any:
    code, _, payload = request(port, method, path, body, timeout=REQUEST_TIMEOUT)
    assert code == status, payload
    return json.loads(payload)


@dataclass(frozen=True)
class Flow:
    """An app's main flow: ``write`` creates something and returns its key, ``read`` checks it is there."""

    app: str
    write: Callable[[int], str]
    read: Callable[[int, str], None]


LONG_URL = "https://example.com/made-by-make-dev"


def _shortener_read(port: int, code: str) -> None:
    status, headers, _ = request(port, "GET", f"/{code}", timeout=REQUEST_TIMEOUT)
    assert (status, headers.get("Location")) == (302, LONG_URL)


def _users_read(port: int, email: str) -> None:
    assert ok_json(port, "GET", f"/{email}") == {"email": email, "name": "Dev"}


def _users_write(port: int) -> str:
    code, _, payload = request(
        port, "POST", "/", {"email": "dev@example.com", "name": "Dev"}, timeout=REQUEST_TIMEOUT
    )
    assert code == 200, payload
    return "dev@example.com"


def _todo_read(port: int, task_id: str) -> None:
    assert ok_json(port, "GET", f"/api/v1/tasks/{task_id}")["title"] == "from make dev"


def _chaos_read(port: int, sort_key: str) -> None:
    assert sort_key in [item["sk"] for item in ok_json(port, "GET", "/dynamodb/read")["items"]]


FLOWS = [
    Flow(
        "shortener", lambda port: ok_json(port, "POST", "/", {"url": LONG_URL})["ShortCode"], _shortener_read
    ),
    Flow("users-redis", _users_write, _users_read),
    Flow(
        "todo-postgres",
        lambda port: ok_json(port, "POST", "/api/v1/tasks", {"title": "from make dev"}, status=201)["id"],
        _todo_read,
    ),
    Flow("chaos", lambda port: ok_json(port, "GET", "/dynamodb/write")["item"]["sk"], _chaos_read),
]


def _check_stack_env(run: DevRun, package: str) -> dict[str, str]:
    """The app sees every variable its stack sets, and none of the caller's local overrides."""
    _, environ = run.gunicorn(package)
    stack_env: frozenset[str] = importlib.import_module(f"{package}.settings").STACK_ENV
    assert {name for name in stack_env if environ.get(name)} == stack_env
    assert not set(STRAY_ENV) & set(environ)
    return environ


def _assert_redis_needs_the_password(environ: Mapping[str, str]) -> None:
    """MEMORYDB_USERNAME/PASSWORD are really used: the server's default user is off."""
    port = int(environ["MEMORYDB_CLUSTER_ENDPOINT"].rpartition(":")[2])
    with (
        redis.Redis(host=LOCALHOST, port=port, socket_timeout=5) as anonymous,
        pytest.raises(redis.AuthenticationError),
    ):
        anonymous.ping()
    with redis.Redis(
        host=LOCALHOST,
        port=port,
        username=environ["MEMORYDB_USERNAME"],
        password=environ["MEMORYDB_PASSWORD"],
        socket_timeout=5,
    ) as user:
        assert user.ping()


@pytest.mark.parametrize("flow", FLOWS, ids=[flow.app for flow in FLOWS])
def test_dev_app_serves_stops_cleanly_and_keeps_its_data(flow: Flow, data_dir: Path) -> None:
    port = app_port()
    with serving(flow.app, port, data_dir) as run:
        key = flow.write(port)
        flow.read(port, key)
        environ = _check_stack_env(run, dev.find_app(flow.app).package)
        if flow.app == "users-redis":
            _assert_redis_needs_the_password(environ)
    with serving(flow.app, port, data_dir):
        flow.read(port, key)


def _all_apps(data_dir: Path) -> tuple[DevRun, dict[str, int]]:
    """``make dev`` on free ports, not yet started."""
    ports = {app.name: app_port() for app in dev.APPS}
    env = {app.port_var: str(ports[app.name]) for app in dev.APPS}
    return DevRun("dev", env, data_dir), ports


def test_make_dev_runs_all_apps_in_one_prefixed_log_stream(data_dir: Path) -> None:
    run, ports = _all_apps(data_dir)
    with run:
        run.wait_for("Ctrl-C to stop", timeout=2 * READY_TIMEOUT)
        keys = {flow.app: flow.write(ports[flow.app]) for flow in FLOWS}
        for flow in FLOWS:
            flow.read(ports[flow.app], keys[flow.app])
        # Each app logged its requests, on lines prefixed by its name.
        for flow in FLOWS:
            run.wait_for(f"{flow.app.ljust(dev.PREFIX_WIDTH)} | {{", timeout=10)
        # The README's full outage: chaos's gunicorn exits (code 0), the others keep serving.
        with contextlib.suppress(OSError):  # no answer: the server ends
            request(ports["chaos"], "GET", "/exit?scope=container", timeout=REQUEST_TIMEOUT)
        run.wait_for("chaos: gunicorn exited with code 0; it stays down (its backend is stopped)", timeout=30)
        for flow in FLOWS[:3]:
            flow.read(ports[flow.app], keys[flow.app])
        assert not port_open(ports["chaos"])
        chaos_data = str(data_dir / "chaos")
        assert not [pid for pid in run.processes() if running(pid) and chaos_data in " ".join(cmdline(pid))]
        # Ctrl-C: SIGINT to the terminal's foreground process group (make and the runner).
        assert run.make is not None
        make_pid = run.make.pid
        run.stop(lambda: os.killpg(make_pid, signal.SIGINT))


#: Every process a run starts: gunicorn (masters and workers), redis-server, dynalite, PostgreSQL.
SERVERS = ("gunicorn", "redis-server", "dynalite", "postgres")


@pytest.mark.parametrize("target", ["runner", "worker", "make's process group"])
def test_nothing_outlives_a_runner_killed_with_sigkill(target: str, data_dir: Path) -> None:
    """The runner (what make started), its worker, or make's whole process group."""
    run, _ = _all_apps(data_dir)
    with run:
        run.wait_for("Ctrl-C to stop", timeout=2 * READY_TIMEOUT)
        commands = " ".join(" ".join(cmdline(pid)) for pid in run.processes())
        assert all(server in commands for server in SERVERS), commands
        assert run.make is not None
        if target == "make's process group":
            make_pid = run.make.pid
            run.stop(lambda: os.killpg(make_pid, signal.SIGKILL))
        else:
            pid = run.runner() if target == "runner" else run.worker()
            run.stop(lambda: os.kill(pid, signal.SIGKILL))
        assert "Traceback" not in run.output


STORM_RUNS = 32


def _stop_patterns(run: DevRun) -> list[Callable[[], None]]:
    """Ways to stop a run, each delivering SIGTERM (or SIGINT) twice at once somewhere."""
    assert run.make is not None
    make, runner, worker = run.make.pid, run.runner(), run.worker()

    def twice(pid: int) -> Callable[[], None]:
        def send() -> None:
            os.kill(pid, signal.SIGTERM)
            os.kill(pid, signal.SIGTERM)

        return send

    return [
        # make passes SIGTERM on to the runner: it gets two.
        lambda: os.killpg(make, signal.SIGTERM),
        twice(runner),
        twice(worker),
        # Ctrl-C: make and the runner get SIGINT.
        lambda: os.killpg(make, signal.SIGINT),
    ]


def test_every_stop_ends_in_time_with_nothing_left(data_dir: Path) -> None:
    """A signal handler that took a lock hung about one stop in 14: stop a run many
    times, each a different way, every one with two signals at once."""
    for attempt in range(STORM_RUNS):
        port = app_port()
        with DevRun("dev-users-redis", {"PORT": str(port)}, data_dir) as run:
            run.wait_for(f"users-redis ready: http://{LOCALHOST}:{port}")
            run.wait_for("Ctrl-C to stop")
            patterns = _stop_patterns(run)
            run.stop(patterns[attempt % len(patterns)])
            assert "stopping" in run.output, f"attempt {attempt}:\n{run.output}"
            assert "Traceback" not in run.output, f"attempt {attempt}:\n{run.output}"


def test_dev_stops_the_backend_and_fails_when_gunicorn_dies(data_dir: Path) -> None:
    port = app_port()
    with DevRun("dev-chaos", {"PORT": str(port)}, data_dir) as run:
        run.wait_for(f"chaos ready: http://{LOCALHOST}:{port}")
        gunicorn, _ = run.gunicorn("chaos")
        assert run.stop(lambda: os.kill(gunicorn, signal.SIGKILL)) != 0
        assert "chaos: gunicorn exited with code -9; stopping everything" in run.output


def _without(binary: str, tmp_path: Path) -> str:
    """A PATH with everything the runner needs except ``binary``."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name in ("bash", "node", "redis-server", "initdb", "pg_ctl", "runuser"):
        found = shutil.which(name)
        if found and name != binary:
            (bin_dir / name).symlink_to(found)
    return str(bin_dir)


@pytest.mark.parametrize(("app", "binary"), [("users-redis", "redis-server"), ("shortener", "node")])
def test_missing_prerequisite_is_one_clear_line(
    app: str, binary: str, tmp_path: Path, data_dir: Path
) -> None:
    env = {"PATH": _without(binary, tmp_path), "PORT": str(app_port())}
    with DevRun(f"dev-{app}", env, data_dir) as run:
        assert run.make is not None
        assert run.make.wait(timeout=STOP_TIMEOUT) != 0
        run.wait_for(f"dev: {binary} not found: install", timeout=5)
        assert "Traceback" not in run.output
        assert len([line for line in run.output.splitlines() if line.startswith("dev:")]) == 1


def _run_make(target: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*MAKE_ARGS, target],
        cwd=REPO_ROOT,
        env={**os.environ, "DEV_DATA_DIR": str(data_dir)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_make_dev_clean_removes_the_data_dir(data_dir: Path) -> None:
    (data_dir / "shortener").mkdir()
    (data_dir / "shortener" / "data").write_text("x")
    result = _run_make("dev-clean", data_dir)
    assert result.returncode == 0, result.stderr
    assert not data_dir.exists()


def test_unknown_app_names_the_known_ones(data_dir: Path) -> None:
    result = _run_make("dev-nope", data_dir)
    assert result.returncode != 0
    assert "dev: unknown app 'nope': use one of shortener, users-redis, todo-postgres, chaos" in result.stderr


def test_every_app_has_its_own_default_port() -> None:
    assert {app.name: app.port for app in dev.APPS} == {
        "shortener": 8081,
        "users-redis": 8082,
        "todo-postgres": 8083,
        "chaos": 8084,
    }
