"""Endpoints that break the serving process on purpose, as in the article's Go app.

Under gunicorn each worker is one process: ``/exit``, ``/fatal`` and
``/use-all-memory`` end that worker (the master starts a new one) and every request
in flight on it; ``?scope=container`` ends the master too, i.e. the container.
"""

from __future__ import annotations

import logging
import os
import resource
import signal
from typing import NoReturn

from flask import Blueprint, current_app, request

from common import BadRequest

log = logging.getLogger(__name__)

MIB = 1024 * 1024
EXIT_STATUS = 1
SCOPES = ("process", "container")

crash = Blueprint("crash", __name__)


def _scope() -> str:
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


@crash.get("/panic")
def panic() -> NoReturn:
    raise RuntimeError("oh no")


@crash.get("/exit")
def exit_process() -> NoReturn:
    scope = _scope()
    log.warning("exit requested", extra={"fields": {"scope": scope}})
    _exit(scope)


@crash.get("/fatal")
def fatal() -> NoReturn:
    scope = _scope()
    log.critical("fatal error", extra={"fields": {"scope": scope}})
    _exit(scope)


def _cap_address_space(limit_bytes: int) -> None:
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    soft = limit_bytes if hard == resource.RLIM_INFINITY else min(limit_bytes, hard)
    resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


@crash.get("/use-all-memory")
def use_all_memory() -> NoReturn:
    limit_mb: int = current_app.config["MEMORY_LIMIT_MB"]
    chunk_mb: int = current_app.config["MEMORY_CHUNK_MB"]
    # The cap is what makes this die with MemoryError instead of taking the host down.
    _cap_address_space(limit_mb * MIB)
    log.warning("allocating until out of memory", extra={"fields": {"limit_mb": limit_mb}})
    chunks: list[bytearray] = []
    try:
        while True:
            # bytearray(n) zero-fills, so the pages are really touched, as in the Go app.
            chunks.append(bytearray(chunk_mb * MIB))
            log.info("memory consumed", extra={"fields": {"consumed_mb": len(chunks) * chunk_mb}})
    except MemoryError:
        consumed_mb = len(chunks) * chunk_mb
        chunks.clear()
        log.critical(
            "out of memory: worker exiting",
            extra={"fields": {"consumed_mb": consumed_mb, "limit_mb": limit_mb}},
        )
    # A capped process cannot be trusted to serve again: exit rather than answer 500.
    os._exit(EXIT_STATUS)
