"""Run the apps locally the way App Runner runs them (``make dev-<app>``, ``make dev``).

Each app is served by gunicorn with the image's config (``apps/common/gunicorn_conf.py``)
next to its own local backend, with the environment variables the CDK stack sets on
App Runner plus the local endpoint variables. Ctrl-C or SIGTERM stops everything.

    python -m tools.dev <app>    one app: shortener, users-redis, todo-postgres, chaos
    python -m tools.dev all      all four, one log stream prefixed by app name
    python -m tools.dev clean    delete the local data (make dev-clean)

Environment:
  PORT                      the app's port when running one app (default: its port in APPS)
  SHORTENER_PORT, ...       ``<PACKAGE>_PORT``: an app's port, also with ``all``
  DYNAMODB_PORT, REDIS_PORT, POSTGRES_PORT
                            a backend's port when running one app (default: a free port)
  DEV_DATA_DIR              where backends keep their data (default: .dev/ in the repository)
  WEB_CONCURRENCY (default 1), GUNICORN_THREADS, LOG_LEVEL   passed on to gunicorn and the app
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import IO, TextIO

import redis

from tools import REPO_ROOT
from tools.backends import process
from tools.backends.dynamodb import REGION, LocalDynamoDB
from tools.backends.postgres import SUPERUSER, LocalPostgres
from tools.backends.redis import LocalRedis

APPS_DIR = REPO_ROOT / "apps"
GUNICORN_CONF = APPS_DIR / "common" / "gunicorn_conf.py"
DEFAULT_DATA_DIR = REPO_ROOT / ".dev"
DATA_DIR_VAR = "DEV_DATA_DIR"

#: The only variables of the caller's shell the app sees, besides what ``app_env`` sets:
#: a stray DATABASE_URL, REDIS_URL or AWS_PROFILE must not change the app's code path
#: or reach real AWS.
PASSTHROUGH_ENV = (
    "PATH", "HOME", "LANG", "LC_ALL", "TZ", "TMPDIR", "WEB_CONCURRENCY", "GUNICORN_THREADS", "LOG_LEVEL",
)  # fmt: skip
# One worker, as on a 1 vCPU App Runner instance; the image defaults to one per CPU.
DEFAULT_WEB_CONCURRENCY = "1"
START_TIMEOUT = 30.0

REDIS_USER = "app"
#: initdb --auth=trust (LocalPostgres): the server accepts any password for the role.
POSTGRES_PASSWORD = "local"
#: The database the stack creates (TodoPostgresStack DATABASE_NAME).
TODO_DATABASE = "tasks"

#: Starts an app's backend in ``data_dir`` on ``port`` (None: a free one), registers its
#: stop on the stack, and returns the variables the app needs to reach it.
BackendStarter = Callable[[ExitStack, Path, int | None], dict[str, str]]


def _dynamodb(table: str, partition_key: str, sort_key: str | None = None) -> BackendStarter:
    """dynalite with ``table`` created with the stack's key schema; dummy credentials."""

    def start(stack: ExitStack, data_dir: Path, port: int | None) -> dict[str, str]:
        server = stack.enter_context(LocalDynamoDB(port, path=data_dir / "dynamodb"))
        server.create_table(table, partition_key=partition_key, sort_key=sort_key)
        return {
            "TABLE_NAME": table,
            "AWS_REGION": REGION,
            "DYNAMODB_ENDPOINT_URL": server.endpoint_url,
            "AWS_ACCESS_KEY_ID": "local",
            "AWS_SECRET_ACCESS_KEY": "local",
            "AWS_EC2_METADATA_DISABLED": "true",
        }

    return start


def _redis(stack: ExitStack, data_dir: Path, port: int | None) -> dict[str, str]:
    """redis-server reached like MemoryDB: endpoint, ACL user and password (no TLS, no cluster)."""
    server = stack.enter_context(LocalRedis(port, data_dir=data_dir / "redis"))
    password = secrets.token_urlsafe(24)
    with redis.Redis(host=process.LOCALHOST, port=server.port, socket_timeout=5) as admin:
        # ACLs are not in the append-only file: every start sets them again, with a new password.
        admin.execute_command(
            "ACL", "SETUSER", REDIS_USER, "reset", "on", f">{password}", "~*", "&*", "+@all"
        )
        admin.execute_command("ACL", "SETUSER", "default", "off")
    return {
        "MEMORYDB_CLUSTER_ENDPOINT": f"{process.LOCALHOST}:{server.port}",
        "MEMORYDB_USERNAME": REDIS_USER,
        "MEMORYDB_PASSWORD": password,
        "REDIS_TLS": "false",
        "REDIS_CLUSTER": "false",
    }


def _postgres(stack: ExitStack, data_dir: Path, port: int | None) -> dict[str, str]:
    """PostgreSQL with the todo database; DB_SECRET shaped like the Secrets Manager secret.

    TLS on, with a CA made for this run in DB_CA_FILE: the app verifies the server as it
    verifies Aurora with the image's RDS bundle (sslmode=verify-full).
    """
    server = stack.enter_context(LocalPostgres(port, data_dir=data_dir / "postgres", tls=True))
    secret = {
        "engine": "postgres",
        "host": process.LOCALHOST,
        "port": server.port,
        "username": SUPERUSER,
        "password": POSTGRES_PASSWORD,
        "dbname": server.create_database(TODO_DATABASE),
    }
    return {"DB_SECRET": json.dumps(secret), "DB_CA_FILE": str(server.ca_file)}


@dataclass(frozen=True)
class DevApp:
    name: str
    package: str
    port: int
    backend: BackendStarter
    backend_port_var: str
    #: Variables the stack sets that do not depend on the backend.
    env: Mapping[str, str] = field(default_factory=dict)

    @property
    def port_var(self) -> str:
        return f"{self.package.upper()}_PORT"


APPS: tuple[DevApp, ...] = (
    DevApp("shortener", "shortener", 8081, _dynamodb("shortener", "shortcode"), "DYNAMODB_PORT"),
    DevApp("users-redis", "users_redis", 8082, _redis, "REDIS_PORT"),
    DevApp("todo-postgres", "todo_postgres", 8083, _postgres, "POSTGRES_PORT"),
    DevApp(
        "chaos",
        "chaos",
        8084,
        _dynamodb("chaos", "pk", "sk"),
        "DYNAMODB_PORT",
        env={"CHAOS_ENABLED": "true", "MEMORY_LIMIT_MB": "2048"},
    ),
)
PREFIX_WIDTH = max(len(app.name) for app in APPS)


class UsageError(Exception):
    """The command line names no known app."""


def find_app(name: str) -> DevApp:
    """The app called ``name`` (make's ``users-redis`` or the package's ``users_redis``)."""
    for app in APPS:
        if name in (app.name, app.package):
            return app
    raise UsageError(f"unknown app {name!r}: use one of {', '.join(app.name for app in APPS)} or all")


class LogStream:
    """One output shared by every app: whole lines, each prefixed with its app's name."""

    def __init__(self, out: TextIO) -> None:
        self._out = out
        self._lock = threading.Lock()

    def write(self, line: str) -> None:
        with self._lock:
            self._out.write(line + "\n")
            self._out.flush()

    def follow(self, name: str, pipe: IO[bytes]) -> threading.Thread:
        """Copy ``pipe`` line by line until it closes, in a thread of its own."""

        def copy() -> None:
            for raw in pipe:
                self.write(f"{name:<{PREFIX_WIDTH}} | {raw.decode(errors='replace').rstrip()}")

        thread = threading.Thread(target=copy, name=f"log-{name}", daemon=True)
        thread.start()
        return thread


def _int_var(name: str) -> int | None:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return None
    if not raw.isdigit() or not 0 < int(raw) < 65536:
        raise UsageError(f"{name} must be a port number, got {raw!r}")
    return int(raw)


def app_env(app: DevApp, port: int, backend_env: Mapping[str, str]) -> dict[str, str]:
    """The environment gunicorn serves ``app`` with: the stack's contract plus ``backend_env``."""
    env = {name: os.environ[name] for name in PASSTHROUGH_ENV if name in os.environ}
    env.setdefault("WEB_CONCURRENCY", DEFAULT_WEB_CONCURRENCY)
    # Unbuffered: log lines reach the combined stream as they are written.
    env |= {"PYTHONUNBUFFERED": "1", "APP_MODULE": app.package, "PORT": str(port)}
    return env | dict(app.env) | dict(backend_env)


def gunicorn_args(port: int) -> list[str]:
    """gunicorn with the image's config, run from ``apps/`` like the image."""
    # Bound to 127.0.0.1, not the image's 0.0.0.0: a dev server is not for the network.
    # No control socket: its default is one path per user, which parallel servers would share.
    args = [sys.executable, "-m", "gunicorn", "-c", str(GUNICORN_CONF), "--chdir", str(APPS_DIR)]
    return [*args, "--no-control-socket", "--bind", f"{process.LOCALHOST}:{port}"]


def start_app(stack: ExitStack, app: DevApp, *, single: bool, log: LogStream) -> subprocess.Popen[bytes]:
    """Start ``app``'s backend and gunicorn, their stops on ``stack``; return once it listens."""
    port = (_int_var("PORT") if single else None) or _int_var(app.port_var) or app.port
    if process.port_open(port):
        hint = f"PORT=NNNN or {app.port_var}=NNNN" if single else f"{app.port_var}=NNNN"
        raise RuntimeError(f"{app.name}: port {port} is already in use; choose another with {hint}")
    data_dir = Path(os.environ.get(DATA_DIR_VAR) or DEFAULT_DATA_DIR).resolve() / app.package
    backend_port = _int_var(app.backend_port_var) if single else None
    backend_env = app.backend(stack, data_dir, backend_port)
    gunicorn = subprocess.Popen(
        gunicorn_args(port),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        env=app_env(app, port, backend_env),
        # Its own process group, which process.stop ends with all the workers.
        start_new_session=True,
    )
    assert gunicorn.stdout is not None
    # The stack unwinds last in, first out: stop gunicorn, then drain its output.
    stack.callback(log.follow(app.name, gunicorn.stdout).join, 5)
    stack.callback(process.stop, gunicorn)
    process.wait_for_port(port, timeout=START_TIMEOUT, process=gunicorn)
    log.write(f"{app.name} ready: http://{process.LOCALHOST}:{port}")
    return gunicorn


def run(apps: Sequence[DevApp], stop: threading.Event, log: LogStream) -> int:
    """Serve ``apps`` until ``stop`` is set (0) or a gunicorn exits on its own (1)."""
    with ExitStack() as stack:
        servers: dict[str, subprocess.Popen[bytes]] = {}
        for app in apps:
            # A signal during startup waits for the app being started: then nothing is half-started.
            if stop.is_set():
                return 0
            servers[app.name] = start_app(stack, app, single=len(apps) == 1, log=log)
        log.write("Ctrl-C to stop")
        while not stop.wait(0.2):
            for name, server in servers.items():
                if server.poll() is not None:
                    log.write(f"{name}: gunicorn exited with code {server.returncode}; stopping everything")
                    return 1
        log.write("stopping")
    return 0


def clean() -> int:
    data_dir = Path(os.environ.get(DATA_DIR_VAR) or DEFAULT_DATA_DIR).resolve()
    if data_dir.exists():
        shutil.rmtree(data_dir)
        print(f"removed {data_dir}")
    else:
        print(f"nothing to remove: {data_dir} does not exist")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    try:
        if len(args) != 1:
            raise UsageError("usage: python -m tools.dev <app>|all|clean")
        if args[0] == "clean":
            return clean()
        apps = APPS if args[0] == "all" else (find_app(args[0]),)
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, request_stop)
        return run(apps, stop, LogStream(sys.stdout))
    except UsageError as error:
        print(f"dev: {error}", file=sys.stderr)
        return 2
    # A missing binary, a busy port, a backend or app that does not start: one line, no traceback.
    except (process.MissingPrerequisite, RuntimeError, TimeoutError) as error:
        print(f"dev: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
