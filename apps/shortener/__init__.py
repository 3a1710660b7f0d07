"""URL shortener: ``POST /`` a long URL, ``GET /<code>`` redirects to it; links in DynamoDB.

Its routes, its ``{"ShortCode": ...}`` response and its item attributes are those of the
Go app it reproduces (README, "Where the apps come from").
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from flask import Flask

from common import create_base_app
from common.dynamodb import DynamoDB
from common.openapi import serve_openapi
from shortener import settings
from shortener.codes import generate_code
from shortener.openapi import DOCUMENT
from shortener.routes import STORE, blueprint
from shortener.store import LinkStore

__all__ = ["create_app"]


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """The app, configured from the environment; ``config`` overrides it (tests).

    Extra config keys: ``DYNAMODB_MAX_ATTEMPTS`` (attempts per DynamoDB call, within the deadline) and
    ``SHORTCODE_GENERATOR`` (a ``() -> str`` replacing the random code generator).
    """
    app = create_base_app(__name__, settings=settings.load(os.environ, config), overrides=config)
    store = LinkStore(
        DynamoDB.from_config(app.config),
        table_name=app.config["TABLE_NAME"],
        generate_code=app.config.get("SHORTCODE_GENERATOR", generate_code),
    )
    STORE.init_app(app, store)
    app.register_blueprint(blueprint)
    serve_openapi(app, DOCUMENT)
    return app
