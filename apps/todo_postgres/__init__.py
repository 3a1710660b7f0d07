"""Todo API on PostgreSQL (Aurora on AWS): ``GET /`` health text and task CRUD under
``/api/v1/tasks`` (its origin: README, "Where the apps come from")."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from typing import Any

from flask import Flask

from common import BackendUnavailable, create_base_app
from common.openapi import serve_openapi
from todo_postgres import settings
from todo_postgres.db import STARTUP_DEADLINE_SECONDS, Database
from todo_postgres.openapi import DOCUMENT
from todo_postgres.routes import STORE, blueprint

log = logging.getLogger(__name__)


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    app = create_base_app(__name__, settings=settings.load(os.environ, config), overrides=config)
    database = Database(
        app.config[settings.DATABASE_URL_CONFIG], role=app.config.get(settings.DATABASE_ROLE_CONFIG)
    )
    STORE.init_app(app, database)
    try:
        database.ensure_schema(STARTUP_DEADLINE_SECONDS)
    except BackendUnavailable:
        # Keep serving (/healthz stays green, the API answers 503); the first request
        # after the database comes back creates the schema.
        log.warning("database unreachable at startup; schema creation deferred")
    app.register_blueprint(blueprint)
    serve_openapi(app, DOCUMENT)
    return app
