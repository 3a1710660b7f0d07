"""The chaos app's OpenAPI document (served at ``/openapi.json``).

The crash operations are only in the document when they exist (CHAOS_ENABLED).
"""

from __future__ import annotations

from chaos.crash import SCOPES
from common.openapi import JsonObject, api_document, backend_unavailable, error, json_content

_ITEM: JsonObject = {
    "type": "object",
    "required": ["pk", "sk"],
    "properties": {"pk": {"type": "string"}, "sk": {"type": "string"}},
}
_NO_RESPONSE: JsonObject = {
    "description": (
        "No response: the worker exits with status 1; with scope=container the gunicorn master "
        "then shuts down too (its quick shutdown, status 0), so the container stops"
    )
}
_SCOPE: JsonObject = {
    "name": "scope",
    "in": "query",
    "description": "process (default): the worker; container: the gunicorn master too",
    "schema": {"type": "string", "enum": list(SCOPES)},
}


def _get(operation_id: str, summary: str, responses: JsonObject, **extra: object) -> JsonObject:
    return {"get": {"operationId": operation_id, "summary": summary, "responses": responses, **extra}}


_APP_PATHS: JsonObject = {
    "/": _get(
        "home",
        "A Hello World HTML page",
        {"200": {"description": "HTML page", "content": {"text/html": {"schema": {"type": "string"}}}}},
    ),
    "/dynamodb/read": _get(
        "read",
        "The newest items of the partition",
        {
            "200": {
                "description": "At most the 25 newest items",
                "content": json_content(
                    {
                        "type": "object",
                        "required": ["count", "items"],
                        "properties": {
                            "count": {"type": "integer"},
                            "items": {"type": "array", "items": _ITEM},
                        },
                    }
                ),
            },
            "503": backend_unavailable(),
        },
    ),
    "/dynamodb/write": _get(
        "write",
        "Write an item keyed by the current time",
        {
            "200": {
                "description": "The item written",
                "content": json_content(
                    {"type": "object", "required": ["item"], "properties": {"item": _ITEM}}
                ),
            },
            "503": backend_unavailable(),
        },
    ),
}

CRASH_PATHS: JsonObject = {
    "/panic": _get("panic", "An unhandled exception", {"500": error("Always: internal server error")}),
    "/exit": _get(
        "exit",
        "Exit with status 1",
        {"400": error("Unknown scope"), "default": _NO_RESPONSE},
        parameters=[_SCOPE],
    ),
    "/fatal": _get(
        "fatal",
        "Log a fatal error, then exit with status 1",
        {"400": error("Unknown scope"), "default": _NO_RESPONSE},
        parameters=[_SCOPE],
    ),
    "/use-all-memory": _get(
        "useAllMemory",
        "Once the worker's other requests are done, allocate until MemoryError at its share of "
        "MEMORY_LIMIT_MB, then exit with status 1",
        {"default": _NO_RESPONSE},
    ),
}

_TITLE = "Chaos"
_DESCRIPTION = "Hello World, DynamoDB round trips and endpoints that crash the server on purpose."


def document(*, chaos_enabled: bool) -> JsonObject:
    paths = {**_APP_PATHS, **CRASH_PATHS} if chaos_enabled else _APP_PATHS
    return api_document(title=_TITLE, description=_DESCRIPTION, paths=paths)
