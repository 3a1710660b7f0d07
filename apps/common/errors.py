"""One JSON error shape for every app: ``{"error": "<message>"}`` with the right status.

Nothing the app answers is an HTML page or a stack trace: HTTP errors keep their status
and headers (``Allow`` on 405, ``Retry-After`` on 503), anything unexpected becomes a
logged 500. A request gunicorn cannot parse never reaches the app: gunicorn answers it
with its own HTML page (400, or 414 for a request line over 4094 bytes).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from flask import Flask, Response, jsonify
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)

#: Seconds a client should wait before retrying when a backend is down.
DEFAULT_RETRY_AFTER = 5


class ApiError(Exception):
    """An error the client should see, rendered as JSON with ``status``."""

    status: int = 400

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status
        self.headers = dict(headers or {})


class BadRequest(ApiError):
    status = 400


class NotFound(ApiError):
    status = 404


class BackendUnavailable(ApiError):
    """The app's datastore is unreachable or throttling: 503 with ``Retry-After``."""

    status = 503

    def __init__(
        self, message: str = "backend unavailable", *, retry_after: int = DEFAULT_RETRY_AFTER
    ) -> None:
        super().__init__(message, headers={"Retry-After": str(retry_after)})


def error_response(status: int, message: str, headers: Mapping[str, str] | None = None) -> Response:
    response = jsonify(error=message)
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _handle_api_error(error: ApiError) -> Response:
    if error.status >= 500:
        log.warning("request failed: %s", error.message)
    return error_response(error.status, error.message, error.headers)


def _handle_http_exception(error: HTTPException) -> Response:
    # Keep werkzeug's headers (e.g. Allow on 405) but not its HTML content type.
    headers = {k: v for k, v in error.get_headers() if k.lower() != "content-type"}
    return error_response(error.code or 500, error.description or error.name, headers)


def _handle_unexpected(error: Exception) -> Response:
    log.exception("unhandled error")
    return error_response(500, "internal server error")


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(ApiError, _handle_api_error)
    app.register_error_handler(HTTPException, _handle_http_exception)
    app.register_error_handler(Exception, _handle_unexpected)
