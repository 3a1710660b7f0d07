"""Breaking the serving process on purpose: what the crash routes (``chaos.routes``) do.

Under gunicorn each worker is one process: ``/exit`` and ``/fatal`` end that worker
(the master starts a new one) and every request in flight on it; ``?scope=container``
ends the master too, i.e. the container. ``/use-all-memory`` first lets its worker's
other requests finish, so it fails only its own.
"""

from __future__ import annotations

import logging
import os
import resource
import signal
from pathlib import Path
from typing import NoReturn

from flask import request

from common import BadRequest, worker

log = logging.getLogger(__name__)

MIB = 1024 * 1024
EXIT_STATUS = 1
SCOPES = ("process", "container")
#: Of the instance's memory, what the workers' caps leave to the gunicorn master (about
#: 35 MB with the app preloaded) and to the rest of the container (page cache, gunicorn's
#: heartbeat files in /dev/shm).
MASTER_HEADROOM_MB = 128
_PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
#: The address space glibc reserves for a thread's malloc arena (HEAP_MAX_SIZE, 64-bit).
ARENA_BYTES = 64 * MIB


def requested_scope() -> str:
    """The request's ``scope`` (default ``process``), or ``BadRequest``."""
    scope = request.args.get("scope", "process")
    if scope not in SCOPES:
        raise BadRequest(f"scope must be one of {', '.join(SCOPES)}, not {scope!r}")
    return scope


def _exit(scope: str) -> NoReturn:
    """End this process with status 1 without unwinding: no response, no cleanup."""
    # Only signal the parent if it is a gunicorn master; otherwise this process is the server.
    if scope == "container" and request.environ.get("SERVER_SOFTWARE", "").startswith("gunicorn/"):
        log.critical("ending the whole server", extra={"fields": {"master_pid": os.getppid()}})
        # QUIT is gunicorn's quick shutdown: the master stops its workers and exits.
        os.kill(os.getppid(), signal.SIGQUIT)
    os._exit(EXIT_STATUS)


def exit_requested(scope: str) -> NoReturn:
    log.warning("exit requested", extra={"fields": {"scope": scope}})
    _exit(scope)


def fatal_error(scope: str) -> NoReturn:
    log.critical("fatal error", extra={"fields": {"scope": scope}})
    _exit(scope)


def worker_share_mb(instance_mb: int, workers: int) -> int:
    """Each worker's memory when ``workers`` share an instance of ``instance_mb``: what the
    master's headroom leaves, split evenly. Together the workers' caps then stay within
    the instance, even if all of them run out of memory at once: a worker capped at the
    whole instance made the kernel's OOM killer end it (or another process) instead."""
    return max((instance_mb - MASTER_HEADROOM_MB) // workers, 0)


def _memory_pages(field: int) -> int:
    """A field of /proc/self/statm, in bytes (0: the address space, 1: resident)."""
    return int(Path("/proc/self/statm").read_text().split()[field]) * _PAGE_SIZE


def _cap_memory(share_bytes: int) -> None:
    """Cap the address space so that this process can hold ``share_bytes`` of memory at
    most: what it holds now plus what is left of its share.

    RLIMIT_AS counts reserved address space too, and a threaded worker reserves far more
    than it uses (a stack per thread, 64 MB per malloc arena): a cap at the share alone
    would leave it almost nothing. What the trap adds, it touches, so it is all memory.
    One arena is set aside: once the cap refuses a new mapping, glibc's malloc grows
    into the address space the thread's arena has already reserved, which the cap does
    not see.
    """
    limit = _memory_pages(0) + max(share_bytes - _memory_pages(1) - ARENA_BYTES, 0)
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    soft = limit if hard == resource.RLIM_INFINITY else min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def use_all_memory(instance_mb: int, chunk_mb: int) -> NoReturn:
    """Allocate ``chunk_mb`` at a time until this worker's share of ``instance_mb`` is
    used up, then exit with ``EXIT_STATUS``, the request unanswered."""
    serving = worker.current()
    workers = serving.cfg.workers if serving else 1
    share_mb = worker_share_mb(instance_mb, workers)
    fields = {"limit_mb": share_mb, "instance_mb": instance_mb, "workers": workers}
    log.warning("allocating until out of memory", extra={"fields": fields})
    if serving is not None:
        # Other requests on this worker would fail with MemoryError once it is at its
        # cap, or be cut off when it exits: it takes no new ones, and they finish first.
        worker.retire(serving)
    # The cap is what makes this die with MemoryError instead of taking the host down.
    _cap_memory(share_mb * MIB)
    chunks: list[bytearray] = []
    try:
        while True:
            # bytearray(n) zero-fills, so every page is touched and held, not only reserved.
            chunks.append(bytearray(chunk_mb * MIB))
            log.info("memory consumed", extra={"fields": {"consumed_mb": len(chunks) * chunk_mb}})
    except MemoryError:
        # Measured before letting go: the most this worker held.
        held_mb = _memory_pages(1) // MIB
        consumed_mb = len(chunks) * chunk_mb
        chunks.clear()
        log.critical(
            "out of memory: worker exiting",
            extra={"fields": {**fields, "consumed_mb": consumed_mb, "rss_mb": held_mb}},
        )
    # A capped process cannot be trusted to serve again: exit, its request unanswered.
    os._exit(EXIT_STATUS)
