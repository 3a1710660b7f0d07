"""Many writers at once, and many processes creating the schema at once."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from flask import Flask
from sqlalchemy import inspect

from todo_postgres.db import Database

TASKS = "/api/v1/tasks"
T = TypeVar("T")


def run_together(count: int, work: Callable[[int], T]) -> list[T]:
    """``work(0..count-1)`` on ``count`` threads released at the same instant."""
    barrier = threading.Barrier(count)

    def started_together(n: int) -> T:
        barrier.wait(timeout=10)
        return work(n)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(started_together, range(count)))


def test_concurrent_creates_are_all_stored(app: Flask) -> None:
    threads, per_thread = 8, 15

    def create_many(n: int) -> list[str]:
        client = app.test_client()
        ids = []
        for i in range(per_thread):
            response = client.post(TASKS, json={"title": f"thread {n} task {i}"})
            assert response.status_code == 201, response.get_json()
            ids.append(response.get_json()["id"])
        return ids

    created = [task_id for ids in run_together(threads, create_many) for task_id in ids]
    assert len(set(created)) == threads * per_thread
    listed = app.test_client().get(TASKS, query_string={"limit": 1000}).get_json()
    assert sorted(t["id"] for t in listed) == sorted(created)


def test_concurrent_schema_creation_is_safe(fresh_database_url: str) -> None:
    # Each Database is its own engine, as in separate gunicorn workers or instances.
    databases = [Database(fresh_database_url) for _ in range(8)]
    try:
        run_together(len(databases), lambda n: databases[n].ensure_schema())
        assert inspect(databases[0].engine).get_table_names() == ["tasks"]
    finally:
        for database in databases:
            database.dispose()
