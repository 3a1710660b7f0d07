"""Structured logs: one JSON object per line on stdout, one line per request."""

from __future__ import annotations

import json
import logging
import sys
import time

from flask import Flask, Response, g, request

_REQUEST_LOGGER = "request"


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
        return json.dumps(entry, default=str)


def configure_logging(level: str = "INFO") -> None:
    """Send the root logger to stdout as JSON; idempotent so tests can build many apps."""
    root = logging.getLogger()
    if not any(getattr(h, "_json_stdout", False) for h in root.handlers):
        handler = logging.StreamHandler(sys.stdout)
        handler.setFormatter(JsonFormatter())
        handler._json_stdout = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    root.setLevel(level)


def register_request_logging(app: Flask) -> None:
    logger = logging.getLogger(_REQUEST_LOGGER)

    @app.before_request
    def _start_timer() -> None:
        g.request_started = time.perf_counter()

    @app.after_request
    def _log_request(response: Response) -> Response:
        started = g.get("request_started")
        latency_ms = round((time.perf_counter() - started) * 1000, 2) if started else None
        logger.info(
            "request",
            extra={
                "fields": {
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "latency_ms": latency_ms,
                }
            },
        )
        return response
