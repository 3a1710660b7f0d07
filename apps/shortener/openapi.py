"""The shortener's OpenAPI document (served at ``/openapi.json``)."""

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
from shortener.routes import MAX_URL_LENGTH

# What a client should send (a DNS host, an optional port, path, query and fragment in
# URL characters); the app checks more loosely: any absolute http(s) URL whose host the
# redirect can encode, non-ASCII included, but without whitespace, control characters or
# a backslash (none of which the pattern allows either).
_URL: JsonObject = {
    "type": "string",
    "maxLength": MAX_URL_LENGTH,
    "pattern": (
        r"^https?://[A-Za-z0-9-]{1,63}(\.[A-Za-z0-9-]{1,63})*(:[0-9]{1,5})?"
        r"(/[A-Za-z0-9._~%/-]*)?(\?[A-Za-z0-9._~%&=+/-]*)?(#[A-Za-z0-9._~%/-]*)?$"
    ),
}

_SHORTEN: JsonObject = {
    "summary": "Shorten a URL sent as the raw body (curl -d) or as JSON",
    "operationId": "shorten",
    "requestBody": {
        "required": True,
        "content": {
            "text/plain": {"schema": _URL},
            **json_content({"type": "object", "required": ["url"], "properties": {"url": _URL}}),
        },
    },
    "responses": {
        "200": {
            "description": "The new short code and its URL",
            "content": json_content(
                {
                    "type": "object",
                    "required": ["ShortCode", "ShortURL"],
                    "properties": {"ShortCode": {"type": "string"}, "ShortURL": {"type": "string"}},
                }
            ),
        },
        **request_errors(),
        "503": backend_unavailable(),
    },
}

_RESOLVE: JsonObject = {
    "summary": "Redirect to the URL behind a short code",
    "operationId": "resolve",
    "parameters": [path_parameter("code", "A short code from POST /")],
    "responses": {
        "302": {
            "description": "Redirect, empty body",
            "headers": {"Location": {"required": True, "schema": {"type": "string"}}},
        },
        "404": error("No such code"),
        "410": error("The link was deactivated"),
        "503": backend_unavailable(),
    },
}

DOCUMENT = api_document(
    title="URL shortener",
    description="POST / a long URL, GET /{code} redirects to it; links in DynamoDB.",
    paths={"/": {"post": _SHORTEN}, "/{code}": {"get": _RESOLVE}},
)
