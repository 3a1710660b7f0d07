"""Redis down: 503 JSON with Retry-After, fast; the same app recovers when Redis returns."""

from __future__ import annotations

import time

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.apps.users_redis.conftest import Backend
from tests.apps.users_redis.test_api import new_email
from users_redis import create_app

#: The client's timeouts and single retry bound an outage answer well below this.
MAX_OUTAGE_ANSWER_SECONDS = 5.0


def assert_unavailable(response: TestResponse, started: float) -> None:
    assert response.status_code == 503
    assert response.is_json
    assert response.get_json() == {"error": "user store unavailable, retry later"}
    assert int(response.headers["Retry-After"]) > 0
    assert time.monotonic() - started < MAX_OUTAGE_ANSWER_SECONDS


def test_outage_answers_503_and_the_app_recovers(backend: Backend, client: FlaskClient) -> None:
    email = new_email()
    assert client.post("/", json={"email": email, "name": "before"}).status_code == 200

    with backend.down():
        started = time.monotonic()
        assert_unavailable(client.post("/", json={"email": email, "name": "during"}), started)
        started = time.monotonic()
        assert_unavailable(client.get(f"/{email}"), started)
        assert client.get("/healthz").status_code == 200

    # Same app, same client object: pooled connections to the old server are replaced.
    assert client.post("/", json={"email": email, "name": "after"}).status_code == 200
    assert client.get(f"/{email}").get_json() == {"email": email, "name": "after"}


def test_app_started_while_redis_is_down_connects_when_it_returns(backend: Backend) -> None:
    with backend.down():
        app: Flask = create_app(backend.config)
        client = app.test_client()
        assert client.get("/healthz").status_code == 200
        started = time.monotonic()
        assert_unavailable(client.get(f"/{new_email()}"), started)

    email = new_email()
    assert client.post("/", json={"email": email, "name": "n"}).status_code == 200
    assert client.get(f"/{email}").get_json() == {"email": email, "name": "n"}
