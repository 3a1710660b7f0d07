"""A paused Aurora Serverless v2 cluster (todo_postgres:min_acu 0): its sessions have
ended, and a new connection is accepted but waits while the instance resumes (about
15 s). The first request after a pause must wait for the resume and succeed.

A ``HoldingProxy`` in front of the local PostgreSQL plays the paused endpoint: the pause
drops the connections it relays, and it holds each new one before relaying it.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import make_url

from tests.support.outage import answers_while_healthz_answers, assert_unavailable
from tests.support.todo_postgres import database_of
from todo_postgres import create_app, settings
from todo_postgres.db import DEADLINE_SECONDS
from tools.backends.postgres import LocalPostgres
from tools.backends.proxy import HoldingProxy

pytestmark = pytest.mark.slow

TASKS = "/api/v1/tasks"
#: Longer than the 3 s the app used to wait for a connection, shorter than a real resume
#: to keep the test short; the app's deadline (DEADLINE_SECONDS) covers a real one.
RESUME_SECONDS = 5.0


@pytest.fixture
def paused_endpoint(postgres: LocalPostgres) -> Iterator[HoldingProxy]:
    with HoldingProxy(postgres.port) as proxy:
        yield proxy


@pytest.fixture
def app(paused_endpoint: HoldingProxy, database_url: str, no_database_env: None) -> Iterator[Flask]:
    url = make_url(database_url).set(port=paused_endpoint.port)
    app = create_app({settings.DATABASE_URL_CONFIG: url, "TESTING": True})
    yield app
    database_of(app).dispose()


def pause(endpoint: HoldingProxy, resume_seconds: float) -> None:
    """The sessions end; each new connection waits ``resume_seconds`` for the instance."""
    endpoint.hold = resume_seconds
    endpoint.drop_connections()


def test_the_first_request_after_a_pause_waits_for_the_resume_and_succeeds(
    app: Flask, paused_endpoint: HoldingProxy
) -> None:
    assert RESUME_SECONDS + 1 < DEADLINE_SECONDS
    task = app.test_client().post(TASKS, json={"title": "before the pause"}).get_json()
    accepted_before = paused_endpoint.accepted

    pause(paused_endpoint, RESUME_SECONDS)
    (read,) = answers_while_healthz_answers(
        app, [lambda client: client.get(f"{TASKS}/{task['id']}")], within=DEADLINE_SECONDS + 10
    )

    assert read.status_code == 200, read.get_json()
    assert read.get_json() == task
    assert paused_endpoint.accepted > accepted_before, "the request was served without reconnecting"
    assert app.test_client().delete(f"{TASKS}/{task['id']}").status_code == 204


def test_a_resume_longer_than_the_deadline_is_a_503_and_the_next_request_succeeds(
    app: Flask, paused_endpoint: HoldingProxy
) -> None:
    database_of(app).deadline_seconds = 1.0
    pause(paused_endpoint, resume_seconds=60)
    (listing,) = answers_while_healthz_answers(app, [lambda client: client.get(TASKS)], within=10)
    assert_unavailable(listing, "database unavailable")

    paused_endpoint.hold = 0.0  # resumed
    assert app.test_client().get(TASKS).status_code == 200
