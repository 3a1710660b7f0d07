"""Crash-test app: the article's Hello World plus endpoints that break it on purpose.

``GET /`` the HTML page, ``/healthz``; ``/panic`` (500), ``/exit`` and ``/fatal``
(the worker exits 1; ``?scope=container`` ends the gunicorn master too) and
``/use-all-memory`` (the worker lets its other requests finish, caps its memory at its
share of MEMORY_LIMIT_MB and dies of MemoryError), all 404 when CHAOS_ENABLED=false; ``/dynamodb/read`` and
``/dynamodb/write`` on TABLE_NAME. Environment: see ``chaos.settings``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from flask import Flask, Response

from chaos import settings
from chaos.crash import crash
from chaos.items import EXTENSION, Items, items
from chaos.openapi import document
from common import create_base_app
from common.openapi import serve_openapi

HOME_PAGE = "<html><head><title>Hello</title></head><body><h1>World</h1></body></html>"


def home() -> Response:
    return Response(HOME_PAGE, mimetype="text/html")


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    app = create_base_app(__name__, settings=settings.load(os.environ, config), overrides=config)
    app.add_url_rule("/", "home", home, methods=["GET"])
    app.extensions[EXTENSION] = Items(
        table_name=app.config["TABLE_NAME"],
        region=app.config["AWS_REGION"],
        endpoint_url=app.config["DYNAMODB_ENDPOINT_URL"],
        max_attempts=app.config["DYNAMODB_MAX_ATTEMPTS"],
    )
    app.register_blueprint(items)
    # Switched off, the crash endpoints do not exist (404): a deployed copy is no kill switch.
    if app.config["CHAOS_ENABLED"]:
        app.register_blueprint(crash)
    serve_openapi(app, document(chaos_enabled=app.config["CHAOS_ENABLED"]))
    return app
