"""Redis down, out of memory or read-only: 503 JSON with Retry-After, fast; the app recovers."""

from __future__ import annotations

import time

import redis
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.apps.users_redis.conftest import Backend
from tests.apps.users_redis.test_api import new_email
from tools.backends.process import free_port
from users_redis import create_app, settings

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


def test_redis_out_of_memory_is_unavailable_not_a_crash(standalone: Backend) -> None:
    client = create_app(standalone.config).test_client()
    admin = redis.Redis.from_url(standalone.config[settings.URL])
    admin.config_set("maxmemory-policy", "noeviction")
    admin.config_set("maxmemory", 1)
    try:
        assert_unavailable(client.post("/", json={"email": new_email(), "name": "x"}), time.monotonic())
    finally:
        admin.config_set("maxmemory", 0)
        admin.close()


def test_a_read_only_replica_is_unavailable_not_a_crash(standalone: Backend) -> None:
    """As during a MemoryDB failover, when a write reaches a node that is now a replica."""
    client = create_app(standalone.config).test_client()
    admin = redis.Redis.from_url(standalone.config[settings.URL])
    admin.replicaof("127.0.0.1", free_port())  # no master there: it stays a read-only replica
    try:
        assert_unavailable(client.post("/", json={"email": new_email(), "name": "x"}), time.monotonic())
    finally:
        admin.replicaof("NO", "ONE")
        admin.close()
    assert client.post("/", json={"email": new_email(), "name": "x"}).status_code == 200
