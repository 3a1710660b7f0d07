"""gunicorn settings shared by every app image (``gunicorn -c common/gunicorn_conf.py``).

Environment:
  PORT              listen port (default 8080, App Runner's default port)
  WEB_CONCURRENCY   worker processes (default: one per CPU this process may run on)
  GUNICORN_THREADS  threads per worker (default 8)
  APP_MODULE        app package; serves ``<APP_MODULE>.wsgi:app`` (set by the Dockerfile)
"""

import gc
import os
import signal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from common.worker import Worker


def _count(name: str, default: int) -> int:
    """The whole number >= 1 in environment variable ``name``, or ``default`` if unset.
    gunicorn would take 0 workers and then serve nothing, with no error."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise ValueError(f"{name} must be a whole number of at least 1, got {raw!r}")
    return int(raw)


bind = f"0.0.0.0:{os.environ.get('PORT', '8080')}"
# gthread, one worker per CPU, eight threads each: the best of the configurations
# `make bench-server-configs` compared (docs/benchmarks.md). Threads overlap the
# datastore round trips that dominate every app's requests; a second process on the
# same CPU only adds switching between them.
# The CPUs this process may run on, not the host's: a cpuset or taskset limits them.
workers = _count("WEB_CONCURRENCY", len(os.sched_getaffinity(0)))
worker_class = "gthread"
threads = _count("GUNICORN_THREADS", 8)
timeout = 30
# Import the app once in the master, then fork: workers start in milliseconds instead of
# each paying the imports at once (cold start, `make bench`). The apps open backend
# clients lazily in each worker; todo_postgres drops the master's pooled connection
# after the fork (todo_postgres/db.py).
preload_app = True
# Python's recipe for forking servers (``gc.freeze`` docs): no collections while the
# master imports the app (they would only re-scan objects that live as long as the
# process), then freeze those objects before the first fork, so collections in the
# workers never touch them and their memory pages stay shared with the master.
gc.disable()


def _freeze_and_collect(server: object) -> None:
    gc.freeze()
    gc.enable()


# SIGHUP runs this file again (collector off) and preloads the app anew, then forks new
# workers without calling when_ready: without this they would never collect garbage.
on_reload = _freeze_and_collect

# A stop signal must reach every worker, even one forked a moment before it. Until a new
# worker installs its own handlers it still has the master's, which only queue the signal
# for a master loop the worker never runs: a SIGTERM in that window was lost, and the
# master then waited the whole graceful_timeout before killing the worker (podman stop's
# 10 s ran out first: exit 137). So the master blocks these signals across each fork, and
# the worker unblocks them once its handlers are in place: a pending one is then
# delivered to them.
_STOP_SIGNALS = frozenset({signal.SIGTERM, signal.SIGINT, signal.SIGQUIT})


def _unblock_stop_signals() -> None:
    signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOP_SIGNALS)


def when_ready(server: object) -> None:
    """Called once the app is loaded and the socket bound, before any worker is forked."""
    _freeze_and_collect(server)
    # Registered here, once per master: SIGHUP runs this file again but not when_ready.
    os.register_at_fork(after_in_parent=_unblock_stop_signals)


def pre_fork(server: object, worker: object) -> None:
    """Called in the master just before it forks ``worker``."""
    signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS)


def post_worker_init(worker: "Worker") -> None:
    """Called in each worker once it has the app and its own signal handlers: the app may
    reach its worker through ``common.worker`` (chaos sizes and ends it)."""
    # Imported here: the app, loaded by now, put ``common`` on the path.
    from common import worker as serving

    serving.attach(worker)
    _unblock_stop_signals()


graceful_timeout = 10
keepalive = 5
# The apps log every request themselves as JSON; gunicorn's access log would double it.
accesslog = None
errorlog = "-"
# App Runner's front end is the only way in; trust its X-Forwarded-Proto for https URLs.
forwarded_allow_ips = "*"
# gunicorn 27's control socket lives under $HOME, shared by every gunicorn of a user
# (clashes between dev/test servers) and absent for the image's home-less user.
control_socket_disable = True
# Heartbeat files on tmpfs: a container's overlay filesystem can stall workers.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None

if os.environ.get("APP_MODULE"):
    wsgi_app = f"{os.environ['APP_MODULE']}.wsgi:app"
