"""Structured logs: one JSON object per line on stdout, one line per request."""

from __future__ import annotations

import json
import logging
import sys
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from flask import Flask

if TYPE_CHECKING:
    from _typeshed import OptExcInfo
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

_REQUEST_LOGGER = "request"
# One encoder for every line: json.dumps(..., default=str) would build a new one each time.
_encode = json.JSONEncoder(default=str).encode


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            entry.update(fields)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return _encode(entry)


#: The values LOG_LEVEL may take, in any case.
LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def configure_logging(level: str = "INFO") -> None:
    """Send the root logger to stdout as JSON at ``level`` (a name from ``LEVELS``, any
    case); idempotent so tests can build many apps."""
    name = level.strip().upper()
    if name not in LEVELS:
        raise ValueError(f"LOG_LEVEL must be one of {', '.join(LEVELS)} (any case), got {level!r}")
    root = logging.getLogger()
    if not any(getattr(h, "_json_stdout", False) for h in root.handlers):
        handler = logging.StreamHandler(sys.stdout)
        handler.setFormatter(JsonFormatter())
        handler._json_stdout = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    root.setLevel(name)


class RequestLog:
    """WSGI middleware that logs each request once: method, path, status, latency.

    Around the whole Flask app rather than in its request hooks: the latency covers
    routing and error handling too, and a request costs no hook dispatch.
    """

    def __init__(self, app: WSGIApplication) -> None:
        self.app = app
        self.log = logging.getLogger(_REQUEST_LOGGER)

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        started = time.perf_counter()
        status = 500  # stays so if the app raises before it starts a response

        def record_status(
            status_line: str,
            headers: list[tuple[str, str]],
            exc_info: OptExcInfo | None = None,
        ) -> Callable[[bytes], object]:
            nonlocal status
            status = int(status_line[:3])
            return start_response(status_line, headers, exc_info)

        try:
            return self.app(environ, record_status)
        finally:
            self.log.info(
                "request",
                extra={
                    "fields": {
                        "method": environ.get("REQUEST_METHOD"),
                        "path": _path(environ),
                        "status": status,
                        "latency_ms": round((time.perf_counter() - started) * 1000, 2),
                    }
                },
            )


def _path(environ: WSGIEnvironment) -> str:
    """The request path as Flask's ``request.path`` has it (WSGI strings are latin-1)."""
    path: str = environ.get("PATH_INFO", "")
    return "/" + path.encode("latin-1").decode(errors="replace").lstrip("/")


def register_request_logging(app: Flask) -> None:
    app.wsgi_app = RequestLog(app.wsgi_app)  # type: ignore[method-assign]
