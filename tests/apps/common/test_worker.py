"""``common.worker``: the gunicorn worker serving this process, if any (the retiring
itself is tested under real gunicorn: tests/apps/chaos/test_crash_server.py)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from common import worker


@dataclass
class Config:
    workers: int = 2
    graceful_timeout: float = 10.0


@dataclass
class FakeWorker:
    pid: int
    cfg: Config


@pytest.fixture(autouse=True)
def detached() -> Iterator[None]:
    yield
    worker._current = None


def test_outside_gunicorn_there_is_no_worker() -> None:
    assert worker.current() is None


def test_the_attached_worker_is_this_process_only() -> None:
    mine = FakeWorker(os.getpid(), Config())
    worker.attach(mine)
    assert worker.current() is mine
    # Attached in a process this one was forked from: not this process's worker.
    worker.attach(FakeWorker(os.getpid() + 1, Config()))
    assert worker.current() is None
