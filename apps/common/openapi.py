"""Each app's OpenAPI 3 document, served at ``GET /openapi.json``.

An app describes only its own operations; ``api_document`` adds what every app has
(``/healthz``, ``/openapi.json``, the JSON error body) so those are written once.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

from common.errors import DEFAULT_RETRY_AFTER

OPENAPI_PATH = "/openapi.json"

JsonObject = dict[str, Any]

ERROR_SCHEMA: JsonObject = {
    "type": "object",
    "required": ["error"],
    "properties": {"error": {"type": "string"}},
}


def json_content(schema: Mapping[str, Any]) -> JsonObject:
    return {"application/json": {"schema": dict(schema)}}


def error(description: str) -> JsonObject:
    """A response with the common ``{"error": "..."}`` body."""
    return {"description": description, "content": json_content({"$ref": "#/components/schemas/Error"})}


def backend_unavailable() -> JsonObject:
    """503 + ``Retry-After``: what any operation that touches the app's datastore may answer."""
    response = error("The datastore is unreachable or busy; retry after the given seconds")
    response["headers"] = {
        "Retry-After": {
            "description": f"Seconds to wait (default {DEFAULT_RETRY_AFTER})",
            "required": True,
            "schema": {"type": "string", "pattern": "^[0-9]+$"},
        }
    }
    return response


def request_errors() -> JsonObject:
    """What any operation with a request body may answer before it reaches the app's code."""
    return {
        "400": error("The body is missing, not valid JSON or fails validation"),
        "413": error("The body is larger than the app accepts"),
    }


def path_parameter(name: str, description: str, **schema: object) -> JsonObject:
    """A ``<name>`` segment of Flask's default converter (non-empty, no slash); ``schema``
    adds keywords such as ``format``."""
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": description,
        "schema": {"type": "string", "minLength": 1, "pattern": "^[^/]+$", **schema},
    }


_COMMON_PATHS: JsonObject = {
    "/healthz": {
        "get": {
            "summary": "Health check for App Runner; never touches a backend",
            "operationId": "healthz",
            "responses": {
                "200": {
                    "description": "The process serves requests",
                    "content": json_content(
                        {
                            "type": "object",
                            "required": ["status"],
                            "properties": {"status": {"type": "string", "enum": ["ok"]}},
                        }
                    ),
                }
            },
        }
    },
    OPENAPI_PATH: {
        "get": {
            "summary": "This document",
            "operationId": "openapi",
            "responses": {
                "200": {"description": "The OpenAPI document", "content": json_content({"type": "object"})}
            },
        }
    },
}


def api_document(*, title: str, description: str, paths: Mapping[str, JsonObject]) -> JsonObject:
    """The whole document: the app's ``paths`` plus the ones every app serves."""
    return {
        "openapi": "3.0.3",
        "info": {"title": title, "version": "1.0.0", "description": description},
        "paths": {**paths, **_COMMON_PATHS},
        "components": {"schemas": {"Error": ERROR_SCHEMA}},
    }


def serve_openapi(app: Flask, document: JsonObject) -> None:
    """``GET /openapi.json`` answers ``document``."""
    app.add_url_rule(OPENAPI_PATH, "openapi", lambda: document, methods=["GET"])
