"""The article's todo API: ``GET /`` health text and CRUD under ``/api/v1/tasks``."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, request
from sqlalchemy import delete, func, insert, select, update

from common import NotFound, json_object
from todo_postgres import validation
from todo_postgres.db import Database
from todo_postgres.models import Task

EXTENSION = "todo_postgres"

bp = Blueprint("todo", __name__)

# Each route also with a trailing slash, as its own rule: a redirect would turn a
# POST into a second request, and strict_slashes=False answers 404 instead of 405.
COLLECTION = "/api/v1/tasks"
ITEM = COLLECTION + "/<raw_id>"


def _db() -> Database:
    database: Database = current_app.extensions[EXTENSION]
    return database


def _missing(task_id: object) -> NotFound:
    return NotFound(f"task {task_id} not found")


@bp.get("/")
def health() -> tuple[str, int, dict[str, str]]:
    return "OK", 200, {"Content-Type": "text/plain; charset=utf-8"}


@bp.get(COLLECTION)
@bp.get(COLLECTION + "/")
def list_tasks() -> list[dict[str, Any]]:
    page = validation.page(request.args)
    query = (
        select(Task).order_by(Task.created_at.desc(), Task.id.desc()).limit(page.limit).offset(page.offset)
    )
    with _db().session() as session:
        return [task.to_json() for task in session.scalars(query)]


@bp.post(COLLECTION)
@bp.post(COLLECTION + "/")
def create_task() -> tuple[dict[str, Any], int]:
    values = validation.new_task(json_object())
    with _db().session() as session:
        task = session.scalars(insert(Task).values(**values).returning(Task)).one()
    # Only now is the transaction committed: a 201 is never sent for a lost write.
    return task.to_json(), 201


@bp.get(ITEM)
@bp.get(ITEM + "/")
def get_task(raw_id: str) -> dict[str, Any]:
    task_id = validation.task_id(raw_id)
    with _db().session() as session:
        task = session.get(Task, task_id)
    if task is None:
        raise _missing(task_id)
    return task.to_json()


@bp.put(ITEM)
@bp.put(ITEM + "/")
def update_task(raw_id: str) -> dict[str, Any]:
    task_id = validation.task_id(raw_id)
    changes = validation.task_changes(json_object())
    statement = (
        update(Task)
        .where(Task.id == task_id)
        .values(**changes, updated_at=func.now())
        .returning(Task)
        .execution_options(synchronize_session=False)
    )
    with _db().session() as session:
        task = session.scalars(statement).one_or_none()
    if task is None:
        raise _missing(task_id)
    return task.to_json()


@bp.delete(ITEM)
@bp.delete(ITEM + "/")
def delete_task(raw_id: str) -> tuple[str, int]:
    task_id = validation.task_id(raw_id)
    with _db().session() as session:
        deleted = session.execute(delete(Task).where(Task.id == task_id).returning(Task.id)).first()
    if deleted is None:
        raise _missing(task_id)
    return "", 204
