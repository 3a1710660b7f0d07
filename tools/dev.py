"""Run the apps locally the way App Runner runs them (``make dev-<app>``, ``make dev``).

Each app is served by gunicorn with the image's config (``apps/common/gunicorn_conf.py``)
next to its own local backend, with the environment variables the CDK stack sets on
App Runner plus the local endpoint variables. Ctrl-C or SIGTERM stops everything.

With ``all``, an app whose gunicorn exits (chaos's ``/exit?scope=container``) stays
down, its backend stopped, and the others keep serving; with one app the run ends.

Nothing the run starts outlives it, however it ends. The process make starts is a
supervisor: the apps and backends run under a worker it starts in a session of its
own (so a kill of make's process group does not reach them). If the supervisor dies,
the worker notices and stops everything; if the worker dies, the supervisor, as the
subreaper of everything below it (Linux), stops what the worker left.

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
import subprocess
import sys
import threading
from collections.abc import Callable, Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TextIO

from tools import REPO_ROOT
from tools.backends import process
from tools.supervisor import StopRequest, supervise

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
#: Set by the supervisor in its worker's environment: the supervisor's pid.
SUPERVISOR_VAR = "TOOLS_DEV_SUPERVISOR"

REDIS_USER = "app"
#: initdb --auth=trust (LocalPostgres): the server accepts any password for the role.
POSTGRES_PASSWORD = "local"
#: The database the stack creates (TodoPostgresStack DATABASE_NAME).
TODO_DATABASE = "tasks"

#: Starts an app's backend in ``data_dir`` on ``port`` (None: a free one), registers its
#: stop on the stack, and returns the variables the app needs to reach it. Each imports
#: its backend's client library itself: the supervisor never needs them (a faster start).
BackendStarter = Callable[[ExitStack, Path, int | None], dict[str, str]]


def _dynamodb(table: str, partition_key: str, sort_key: str | None = None) -> BackendStarter:
    """dynalite with ``table`` created with the stack's key schema; dummy credentials."""

    def start(stack: ExitStack, data_dir: Path, port: int | None) -> dict[str, str]:
        from tools.backends.dynamodb import REGION, LocalDynamoDB

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
    import redis

    from tools.backends.redis import LocalRedis

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
    from tools.backends.postgres import SUPERUSER, LocalPostgres

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
        self._out: TextIO | None = out
        self._lock = threading.Lock()

    def write(self, line: str) -> None:
        with self._lock:
            if self._out is None:
                return
            try:
                self._out.write(line + "\n")
                self._out.flush()
            # Whoever read the output is gone (make was killed): stopping must go on.
            except OSError:
                self._out = None

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


def run(apps: Sequence[DevApp], stop: StopRequest, log: LogStream) -> int:
    """Serve ``apps`` until a stop is requested (0), or until one app's gunicorn exits
    when serving one app, every app's when serving several (1)."""
    single = len(apps) == 1
    with ExitStack() as stack:
        servers: dict[str, tuple[subprocess.Popen[bytes], ExitStack]] = {}
        for app in apps:
            # A signal during startup waits for the app being started: then nothing is half-started.
            if stop.is_set():
                return 0
            app_stack = stack.enter_context(ExitStack())
            servers[app.name] = (start_app(app_stack, app, single=single, log=log), app_stack)
        log.write("Ctrl-C to stop")
        while not stop.wait(0.2):
            for name, (server, app_stack) in list(servers.items()):
                if server.poll() is None:
                    continue
                exited = f"{name}: gunicorn exited with code {server.returncode}"
                if single:
                    log.write(f"{exited}; stopping everything")
                    return 1
                del servers[name]
                app_stack.close()
                log.write(f"{exited}; it stays down (its backend is stopped), the other apps keep serving")
            if not servers:
                log.write("every app has exited; stopping")
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


def serve(apps: Sequence[DevApp], supervisor: int) -> int:
    """The worker: run ``apps`` until stopped, or until ``supervisor`` (our parent) is gone."""
    stop = StopRequest(parent=supervisor)
    try:
        return run(apps, stop, LogStream(sys.stdout))
    except UsageError as error:
        print(f"dev: {error}", file=sys.stderr)
        return 2
    # A missing binary, a busy port, a backend or app that does not start: one line, no traceback.
    except (process.MissingPrerequisite, RuntimeError, TimeoutError) as error:
        print(f"dev: {error}", file=sys.stderr)
        return 1


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        if len(args) != 1:
            raise UsageError("usage: python -m tools.dev <app>|all|clean")
        if args[0] == "clean":
            return clean()
        apps = APPS if args[0] == "all" else (find_app(args[0]),)
    except UsageError as error:
        print(f"dev: {error}", file=sys.stderr)
        return 2
    supervisor = os.environ.pop(SUPERVISOR_VAR, None)
    if supervisor is None:
        worker_env = {**os.environ, SUPERVISOR_VAR: str(os.getpid())}
        return supervise([sys.executable, "-m", "tools.dev", *args], worker_env, name="dev")
    return serve(apps, int(supervisor))


if __name__ == "__main__":
    sys.exit(main())
