"""The users app's OpenAPI document (served at ``/openapi.json``)."""

from __future__ import annotations

from common.openapi import (
    JsonObject,
    api_document,
    backend_unavailable,
    error,
    json_content,
    path_parameter,
    request_errors,
)
from users_redis.model import MAX_FIELD_LENGTH

_FIELD: JsonObject = {"type": "string", "minLength": 1, "maxLength": MAX_FIELD_LENGTH}
_USER: JsonObject = {
    "type": "object",
    "required": ["email", "name"],
    # No "/": GET /{email} could not find it.
    "properties": {"email": {**_FIELD, "format": "email", "pattern": "^[^/]+$"}, "name": _FIELD},
}

_SAVE: JsonObject = {
    "summary": "Create a user, or replace the name of an existing one",
    "operationId": "saveUser",
    "requestBody": {"required": True, "content": json_content(_USER)},
    "responses": {
        "200": {"description": "Saved; empty body, as in the original app"},
        **request_errors(),
        "503": backend_unavailable(),
    },
}

_GET: JsonObject = {
    "summary": "Find a user by email",
    "operationId": "getUser",
    "parameters": [path_parameter("email", "The user's email address")],
    "responses": {
        "200": {"description": "The user", "content": json_content(_USER)},
        "400": error("Not a valid email address"),
        "404": error("No such user"),
        "503": backend_unavailable(),
    },
}

DOCUMENT = api_document(
    title="Users on Redis",
    description="POST / saves a user, GET /{email} finds one; users in Redis (MemoryDB on AWS).",
    paths={"/": {"post": _SAVE}, "/{email}": {"get": _GET}},
)
