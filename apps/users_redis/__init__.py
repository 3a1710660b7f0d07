"""Users API on Redis (MemoryDB in AWS): ``POST /`` saves a user, ``GET /<email>`` finds one
(its origin: README, "Where the apps come from")."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from flask import Flask

from common import create_base_app
from common.openapi import serve_openapi
from users_redis import settings
from users_redis.openapi import DOCUMENT
from users_redis.routes import STORE, blueprint
from users_redis.store import UserStore


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """The app, configured from the environment.

    ``config`` overrides environment variables by name (e.g. ``{"REDIS_URL": ...}``) and
    any other Flask config; tests use it instead of changing ``os.environ``.
    """
    app = create_base_app(__name__, settings=settings.load(os.environ, config), overrides=config)
    STORE.init_app(app, UserStore(app.config["REDIS"]))
    app.register_blueprint(blueprint)
    serve_openapi(app, DOCUMENT)
    return app
