"""The todo app's OpenAPI document (served at ``/openapi.json``)."""

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
from todo_postgres.models import TITLE_MAX_LENGTH
from todo_postgres.routes import COLLECTION
from todo_postgres.validation import MAX_LIMIT, MAX_OFFSET, UUID_PATTERN

_TITLE: JsonObject = {"type": "string", "minLength": 1, "maxLength": TITLE_MAX_LENGTH}
_TASK: JsonObject = {
    "type": "object",
    "required": ["id", "title", "completed", "created_at", "updated_at"],
    "properties": {
        "id": {"type": "string", "format": "uuid"},
        "title": {"type": "string"},
        "completed": {"type": "boolean"},
        "created_at": {"type": "string", "format": "date-time"},
        "updated_at": {"type": "string", "format": "date-time"},
    },
}
_TASK_RESPONSE: JsonObject = {"description": "The task", "content": json_content(_TASK)}
_UNAVAILABLE: JsonObject = {"503": backend_unavailable()}
_BAD_ID: JsonObject = {"400": error("The task id is not a UUID of 8-4-4-4-12 hex digits")}
_NO_TASK: JsonObject = {"404": error("No such task")}


def _page_parameter(name: str, low: int, high: int) -> JsonObject:
    return {"name": name, "in": "query", "schema": {"type": "integer", "minimum": low, "maximum": high}}


_COLLECTION: JsonObject = {
    "get": {
        "summary": "Tasks, newest first",
        "operationId": "listTasks",
        "parameters": [_page_parameter("limit", 1, MAX_LIMIT), _page_parameter("offset", 0, MAX_OFFSET)],
        "responses": {
            "200": {
                "description": "One page of tasks",
                "content": json_content({"type": "array", "items": _TASK}),
            },
            "400": error("limit or offset out of range"),
            **_UNAVAILABLE,
        },
    },
    "post": {
        "summary": "Create a task",
        "operationId": "createTask",
        "requestBody": {
            "required": True,
            "content": json_content(
                {
                    "type": "object",
                    "required": ["title"],
                    "properties": {"title": _TITLE, "completed": {"type": "boolean"}},
                }
            ),
        },
        "responses": {"201": _TASK_RESPONSE, **request_errors(), **_UNAVAILABLE},
    },
}

_ITEM: JsonObject = {
    # The pattern spells out the only form format uuid allows, and the app accepts.
    "parameters": [path_parameter("raw_id", "The task's id", format="uuid", pattern=UUID_PATTERN)],
    "get": {
        "summary": "One task",
        "operationId": "getTask",
        "responses": {"200": _TASK_RESPONSE, **_BAD_ID, **_NO_TASK, **_UNAVAILABLE},
    },
    "put": {
        "summary": "Change a task's title and/or completed",
        "operationId": "updateTask",
        "requestBody": {
            "required": True,
            "content": json_content(
                {
                    "type": "object",
                    "minProperties": 1,
                    "properties": {"title": _TITLE, "completed": {"type": "boolean"}},
                }
            ),
        },
        "responses": {
            "200": _TASK_RESPONSE,
            **request_errors(),
            "400": error("The task id is not a UUID of 8-4-4-4-12 hex digits, or the body is not valid"),
            **_NO_TASK,
            **_UNAVAILABLE,
        },
    },
    "delete": {
        "summary": "Delete a task",
        "operationId": "deleteTask",
        "responses": {"204": {"description": "Deleted"}, **_BAD_ID, **_NO_TASK, **_UNAVAILABLE},
    },
}


def _with_trailing_slash(path: str, item: JsonObject) -> dict[str, JsonObject]:
    """The routes answer with and without a trailing slash; operation ids stay unique."""
    slashed = {
        key: {**value, "operationId": value["operationId"] + "Slash"} if isinstance(value, dict) else value
        for key, value in item.items()
    }
    return {path: item, path + "/": slashed}


DOCUMENT = api_document(
    title="Todo on PostgreSQL",
    description="CRUD for tasks under /api/v1/tasks; tasks in PostgreSQL (Aurora on AWS).",
    paths={
        "/": {
            "get": {
                "summary": "Health text, as in the original app",
                "operationId": "home",
                "responses": {
                    "200": {"description": "OK", "content": {"text/plain": {"schema": {"type": "string"}}}}
                },
            }
        },
        **_with_trailing_slash(COLLECTION, _COLLECTION),
        **_with_trailing_slash(COLLECTION + "/{raw_id}", _ITEM),
    },
)
