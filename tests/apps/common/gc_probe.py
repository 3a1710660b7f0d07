"""A WSGI app that reports its worker's garbage collector, for test_gunicorn_conf."""

from __future__ import annotations

import gc
import json
import os
from collections.abc import Callable, Iterable
from typing import Any

#: Whether the collector ran while gunicorn's master imported this app (preload_app).
IMPORTED_WITH_GC = gc.isenabled()


def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    body = json.dumps(
        {
            "pid": os.getpid(),
            "imported_with_gc": IMPORTED_WITH_GC,
            "gc_enabled": gc.isenabled(),
            "frozen_objects": gc.get_freeze_count(),
        }
    ).encode()
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]
