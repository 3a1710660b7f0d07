"""apps/common/gunicorn_conf.py: its worker and thread counts, and under real gunicorn
the garbage collector around the fork."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.processes import children
from tools import REPO_ROOT, dev
from tools.backends import process
from tools.local_http import get

WORKERS = 2


def _probe_env() -> dict[str, str]:
    """The environment of a gunicorn serving the probe app instead of an app package."""
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    env.pop("APP_MODULE", None)
    return env


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, int]]:
    """gunicorn with the image's config serving the probe; yields (port, master pid)."""
    port = process.free_port()
    args = [*dev.gunicorn_args(port), "--workers", str(WORKERS), "tests.apps.common.gc_probe:app"]
    env = _probe_env()
    log_file = tmp_path_factory.mktemp("gunicorn") / "gunicorn.log"
    started = process.start(args, log_file=log_file, env=env)
    try:
        process.wait_for_port(port, process=started)
        yield port, started.pid
    finally:
        process.stop(started)


def test_the_master_imports_the_app_without_collecting(server: tuple[int, int]) -> None:
    port, _master = server
    status, body = get(port, "/")
    assert status == 200
    assert json.loads(body)["imported_with_gc"] is False


def test_workers_collect_garbage_and_leave_the_masters_objects_frozen(server: tuple[int, int]) -> None:
    port, master = server
    reports = [json.loads(get(port, "/")[1]) for _ in range(3 * WORKERS)]
    for report in reports:
        assert report["pid"] != master
        # Disabled for good would leak every reference cycle a request makes.
        assert report["gc_enabled"] is True
        assert report["frozen_objects"] > 0


def test_workers_forked_after_a_reload_collect_garbage_too(server: tuple[int, int]) -> None:
    # SIGHUP runs the config file again (so gc.disable() too) and forks new workers
    # without calling when_ready.
    port, master = server
    before = children(master)
    os.kill(master, signal.SIGHUP)
    deadline = time.monotonic() + 20
    while not ((now := children(master)) and len(now) == WORKERS and not now & before):
        assert time.monotonic() < deadline, f"workers {before} not replaced after SIGHUP"
        time.sleep(0.05)
    reports = [json.loads(get(port, "/")[1]) for _ in range(3 * WORKERS)]
    assert {report["pid"] for report in reports} <= now
    assert all(report["gc_enabled"] for report in reports)


def _config_values(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run the config file in a fresh interpreter (it turns the collector off) with ``env``."""
    code = f"import runpy; c = runpy.run_path({str(dev.GUNICORN_CONF)!r}); print(c['workers'], c['threads'])"
    return subprocess.run(
        [sys.executable, "-c", code], env={**os.environ, **env}, capture_output=True, text=True, check=False
    )


def test_worker_and_thread_counts_come_from_the_environment() -> None:
    result = _config_values({"WEB_CONCURRENCY": "3", "GUNICORN_THREADS": "5"})
    assert (result.returncode, result.stdout.split()) == (0, ["3", "5"]), result.stderr


@pytest.mark.parametrize("name", ["WEB_CONCURRENCY", "GUNICORN_THREADS"])
@pytest.mark.parametrize("value", ["0", "-1", "two"])
def test_a_count_below_one_or_not_a_number_is_refused(name: str, value: str) -> None:
    # WEB_CONCURRENCY=0 used to start a master with no workers: listening, never answering.
    result = _config_values({name: value})
    assert result.returncode != 0
    assert f"ValueError: {name} must be a whole number of at least 1, got {value!r}" in result.stderr


#: A config that is the image's, plus a pause in each new worker before it installs its
#: signal handlers (post_fork runs there), announced by a file, so that a test can signal
#: the master exactly while a worker is in that window. A short graceful_timeout keeps the
#: failure quick: the master kills a worker that missed the signal once it runs out.
_PAUSED_FORK_CONF = """\
import pathlib, runpy, time
globals().update(runpy.run_path({conf!r}))
graceful_timeout = 3

def post_fork(server, worker):
    pathlib.Path({marker!r}).touch()
    time.sleep(0.5)
"""


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT, signal.SIGQUIT])
def test_a_stop_signal_reaches_a_worker_still_starting(tmp_path: Path, sig: signal.Signals) -> None:
    marker = tmp_path / "forked"
    conf = tmp_path / "gunicorn_conf.py"
    conf.write_text(_PAUSED_FORK_CONF.format(conf=str(dev.GUNICORN_CONF), marker=str(marker)))
    port = process.free_port()
    args = [*dev.gunicorn_args(port), "-c", str(conf), "--workers", "1", "tests.apps.common.gc_probe:app"]
    env = _probe_env()
    log_file = tmp_path / "gunicorn.log"
    master = process.start(args, log_file=log_file, env=env)
    try:
        while not marker.exists():
            assert master.poll() is None, log_file.read_text()
            time.sleep(0.01)
        master.send_signal(sig)
        returncode = master.wait(timeout=30)
    finally:
        process.stop(master)
    log = log_file.read_text()
    # Without the signal mask across the fork the worker never sees the signal, and the
    # master kills it when graceful_timeout runs out.
    assert "SIGKILL" not in log, log
    assert returncode == 0, log
