"""URL shortener: ``POST /`` a long URL, ``GET /<code>`` redirects to it; links in DynamoDB.

The Python take on the Go app of "Use AWS App Runner, DynamoDB, and CDK To Deploy and
Run a Cloud-native Go App": same routes, same ``{"ShortCode": ...}`` response and the
same item attributes.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from flask import Flask

from common import create_base_app
from common.openapi import serve_openapi
from shortener import settings
from shortener.codes import generate_code
from shortener.openapi import DOCUMENT
from shortener.store import LinkStore
from shortener.views import STORE, blueprint

__all__ = ["create_app"]


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """The app, configured from the environment; ``config`` overrides it (tests).

    Extra config keys: ``DYNAMODB_MAX_ATTEMPTS`` (attempts per DynamoDB call, within the deadline) and
    ``SHORTCODE_GENERATOR`` (a ``() -> str`` replacing the random code generator).
    """
    app = create_base_app(__name__, settings=settings.load(os.environ, config), overrides=config)
    app.extensions[STORE] = LinkStore(
        table_name=app.config["TABLE_NAME"],
        region=app.config["AWS_REGION"],
        endpoint_url=app.config.get("DYNAMODB_ENDPOINT_URL"),
        max_attempts=app.config["DYNAMODB_MAX_ATTEMPTS"],
        generate_code=app.config.get("SHORTCODE_GENERATOR", generate_code),
    )
    app.register_blueprint(blueprint)
    serve_openapi(app, DOCUMENT)
    return app
