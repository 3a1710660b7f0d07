"""The todo API: ``GET /`` health text and CRUD under ``/api/v1/tasks``."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, request
from sqlalchemy import RowMapping, delete, func, insert, select, update

from common import NotFound, json_object
from common.extensions import Extension
from common.responses import empty_response
from todo_postgres import validation
from todo_postgres.db import Database
from todo_postgres.models import task_json, tasks

STORE = Extension("todo_postgres.store", Database)

blueprint = Blueprint("todo", __name__)

# Each route also with a trailing slash, as its own rule: a redirect would turn a
# POST into a second request, and strict_slashes=False answers 404 instead of 405.
COLLECTION = "/api/v1/tasks"
ITEM = COLLECTION + "/<raw_id>"


def _missing(task_id: object) -> NotFound:
    return NotFound(f"task {task_id} not found")


def _found(task: RowMapping | None, task_id: object) -> dict[str, Any]:
    """The task's JSON, or a 404 when the statement matched no row."""
    if task is None:
        raise _missing(task_id)
    return task_json(task)


@blueprint.get("/")
def health() -> tuple[str, int, dict[str, str]]:
    return "OK", 200, {"Content-Type": "text/plain; charset=utf-8"}


@blueprint.get(COLLECTION)
@blueprint.get(COLLECTION + "/")
def list_tasks() -> list[dict[str, Any]]:
    page = validation.page(request.args)
    query = (
        select(tasks)
        .order_by(tasks.c.created_at.desc(), tasks.c.id.desc())
        .limit(page.limit)
        .offset(page.offset)
    )
    with STORE.get().connection() as conn:
        return [task_json(row) for row in conn.execute(query).mappings()]


@blueprint.post(COLLECTION)
@blueprint.post(COLLECTION + "/")
def create_task() -> tuple[dict[str, Any], int]:
    values = validation.new_task(json_object())
    with STORE.get().connection() as conn:
        task = conn.execute(insert(tasks).values(**values).returning(*tasks.c)).mappings().one()
    # Autocommit: the row is committed once the INSERT returns, so a 201 is never sent
    # for a lost write.
    return task_json(task), 201


@blueprint.get(ITEM)
@blueprint.get(ITEM + "/")
def get_task(raw_id: str) -> dict[str, Any]:
    task_id = validation.task_id(raw_id)
    with STORE.get().connection() as conn:
        task = conn.execute(select(tasks).where(tasks.c.id == task_id)).mappings().one_or_none()
    return _found(task, task_id)


@blueprint.put(ITEM)
@blueprint.put(ITEM + "/")
def update_task(raw_id: str) -> dict[str, Any]:
    task_id = validation.task_id(raw_id)
    changes = validation.task_changes(json_object())
    statement = (
        update(tasks)
        .where(tasks.c.id == task_id)
        .values(**changes, updated_at=func.now())
        .returning(*tasks.c)
    )
    with STORE.get().connection() as conn:
        task = conn.execute(statement).mappings().one_or_none()
    return _found(task, task_id)


@blueprint.delete(ITEM)
@blueprint.delete(ITEM + "/")
def delete_task(raw_id: str) -> Response:
    task_id = validation.task_id(raw_id)
    with STORE.get().connection() as conn:
        deleted = conn.execute(delete(tasks).where(tasks.c.id == task_id).returning(tasks.c.id)).first()
    if deleted is None:
        raise _missing(task_id)
    return empty_response(204)
