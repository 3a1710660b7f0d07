"""Crash-test app: a Hello World page plus endpoints that break it on purpose (its
origin: README, "Where the apps come from").

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

from flask import Flask

from chaos import settings
from chaos.openapi import document
from chaos.routes import STORE, blueprint, crash_blueprint
from chaos.store import ItemStore
from common import create_base_app
from common.dynamodb import DynamoDB
from common.openapi import serve_openapi


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    app = create_base_app(__name__, settings=settings.load(os.environ, config), overrides=config)
    STORE.init_app(app, ItemStore(DynamoDB.from_config(app.config), table_name=app.config["TABLE_NAME"]))
    app.register_blueprint(blueprint)
    # Switched off, the crash endpoints do not exist (404): a deployed copy is no kill switch.
    if app.config["CHAOS_ENABLED"]:
        app.register_blueprint(crash_blueprint)
    serve_openapi(app, document(chaos_enabled=app.config["CHAOS_ENABLED"]))
    return app
