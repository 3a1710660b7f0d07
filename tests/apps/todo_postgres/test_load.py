"""Concurrent creates on a real PostgreSQL: every acknowledged task reads back exactly."""

from __future__ import annotations

from typing import Any

from flask import Flask

from tests.apps.api_checks import WRITES_PER_WRITER, run_writers


def test_every_acknowledged_task_reads_back(app: Flask) -> None:
    clients = [app.test_client() for _ in range(8)]

    def create(writer: int, n: int) -> dict[str, Any] | None:
        task = {"title": f"task {writer}-{n}", "completed": n % 2 == 0}
        response = clients[writer].post("/api/v1/tasks", json=task)
        assert response.status_code < 500, response.get_data(as_text=True)
        if response.status_code != 201:
            return None
        created: dict[str, Any] = response.get_json()
        assert {key: created[key] for key in task} == task
        return created

    tasks = run_writers(create, writers=len(clients))

    # Healthy backends: every write is acknowledged, none refused.
    assert len(tasks) == len(clients) * WRITES_PER_WRITER
    client = app.test_client()
    for task in tasks:
        response = client.get(f"/api/v1/tasks/{task['id']}")
        assert (response.status_code, response.get_json()) == (200, task)
