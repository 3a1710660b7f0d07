"""The throwaway PostgreSQL the tests, ``make dev`` and ``make bench`` start."""

from __future__ import annotations

import os
import shutil
import signal
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.processes import pids_of
from tools.backends import postgres
from tools.backends.postgres import LocalPostgres


def _postmasters_on(port: int) -> list[int]:
    return pids_of("postgres", str(port))


@pytest.fixture
def server() -> Iterator[LocalPostgres]:
    """A server with a data dir of its own, as ``make dev`` keeps one: nothing removes it
    from under a postmaster that was left running (which then stops by itself)."""
    base = Path(tempfile.mkdtemp(prefix="localpg-test-"))
    if os.geteuid() == 0:
        shutil.chown(base, "postgres", "postgres")  # initdb runs as postgres
    server = LocalPostgres(data_dir=base / "data")
    yield server
    for pid in _postmasters_on(server.port):  # left by a failing test: never outlive it
        os.kill(pid, signal.SIGKILL)
    shutil.rmtree(base, ignore_errors=True)


def test_a_start_that_times_out_leaves_no_server_running(
    server: LocalPostgres, monkeypatch: pytest.MonkeyPatch
) -> None:
    # pg_ctl -t 0 gives up at once, while the postmaster it launched goes on starting.
    monkeypatch.setattr(postgres, "_START_TIMEOUT", 0)

    with pytest.raises(RuntimeError, match="pg_ctl start failed"), server:
        pass

    assert _postmasters_on(server.port) == []
