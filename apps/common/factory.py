"""The part of every app's ``create_app`` that is the same for all of them."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from flask import Flask, Response

from common.errors import register_error_handlers
from common.log import configure_logging, register_request_logging

#: Request bodies above this many bytes get 413 (each app may lower or raise it).
DEFAULT_MAX_CONTENT_LENGTH = 16 * 1024


def healthz() -> tuple[dict[str, str], int]:
    """App Runner's health check: never touches a backend, so a slow datastore cannot
    make App Runner replace healthy instances."""
    return {"status": "ok"}, 200


class _App(Flask):
    def make_default_options_response(self) -> Response:
        """Flask's automatic ``OPTIONS`` answer (its ``Allow`` header) without the
        ``text/html`` type of a body it does not have."""
        response = super().make_default_options_response()
        del response.headers["Content-Type"]
        return response


def create_base_app(
    import_name: str,
    *,
    settings: Mapping[str, Any],
    overrides: Mapping[str, Any] | None = None,
) -> Flask:
    """A Flask app with JSON errors, request logging and ``GET /healthz``.

    ``settings`` is what the app read from its environment; ``overrides`` is the
    ``config`` passed to ``create_app`` (tests), applied last.
    """
    # No static files in any app: without this Flask adds an undocumented /static/<path> route.
    app = _App(import_name, static_folder=None)
    # "/a//b" is not found (a JSON 404) rather than redirected to "/a/b" with an HTML page.
    app.url_map.merge_slashes = False
    app.config["MAX_CONTENT_LENGTH"] = DEFAULT_MAX_CONTENT_LENGTH
    app.config.from_mapping(settings)
    if overrides:
        app.config.from_mapping(overrides)
    configure_logging(app.config.get("LOG_LEVEL") or os.environ.get("LOG_LEVEL", "INFO"))
    register_error_handlers(app)
    register_request_logging(app)
    app.add_url_rule("/healthz", "healthz", healthz, methods=["GET"])
    return app
