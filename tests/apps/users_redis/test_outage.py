"""Redis down, silent, out of memory or read-only: 503 JSON with Retry-After; the app recovers."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest
import redis
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.apps.users_redis.conftest import Backend
from tests.apps.users_redis.test_api import new_email
from tools.backends.process import free_port
from users_redis import create_app, settings, store


def assert_unavailable(response: TestResponse) -> None:
    assert response.status_code == 503
    assert response.is_json
    assert response.get_json() == {"error": "user store unavailable, retry later"}
    assert int(response.headers["Retry-After"]) > 0


def test_outage_answers_503_and_the_app_recovers(backend: Backend, client: FlaskClient) -> None:
    email = new_email()
    assert client.post("/", json={"email": email, "name": "before"}).status_code == 200

    with backend.down():
        assert_unavailable(client.post("/", json={"email": email, "name": "during"}))
        assert_unavailable(client.get(f"/{email}"))
        assert client.get("/healthz").status_code == 200

    # Same app, same client object: pooled connections to the old server are replaced.
    assert client.post("/", json={"email": email, "name": "after"}).status_code == 200
    assert client.get(f"/{email}").get_json() == {"email": email, "name": "after"}


def test_app_started_while_redis_is_down_connects_when_it_returns(backend: Backend) -> None:
    with backend.down():
        app: Flask = create_app(backend.config)
        client = app.test_client()
        assert client.get("/healthz").status_code == 200
        assert_unavailable(client.get(f"/{new_email()}"))

    email = new_email()
    assert client.post("/", json={"email": email, "name": "n"}).status_code == 200
    assert client.get(f"/{email}").get_json() == {"email": email, "name": "n"}


def test_redis_out_of_memory_is_unavailable_not_a_crash(standalone: Backend) -> None:
    client = create_app(standalone.config).test_client()
    admin = redis.Redis.from_url(standalone.config[settings.URL])
    admin.config_set("maxmemory-policy", "noeviction")
    admin.config_set("maxmemory", 1)
    try:
        assert_unavailable(client.post("/", json={"email": new_email(), "name": "x"}))
    finally:
        admin.config_set("maxmemory", 0)
        admin.close()


def test_a_read_only_replica_is_unavailable_not_a_crash(standalone: Backend) -> None:
    """As during a MemoryDB failover, when a write reaches a node that is now a replica."""
    client = create_app(standalone.config).test_client()
    admin = redis.Redis.from_url(standalone.config[settings.URL])
    admin.replicaof("127.0.0.1", free_port())  # no master there: it stays a read-only replica
    try:
        assert_unavailable(client.post("/", json={"email": new_email(), "name": "x"}))
    finally:
        admin.replicaof("NO", "ONE")
        admin.close()
    assert client.post("/", json={"email": new_email(), "name": "x"}).status_code == 200


@pytest.fixture
def silent_server() -> Iterator[str]:
    """A ``redis://`` URL whose server accepts connections and never answers, like a
    node that hangs or a network that drops replies."""
    listener = socket.create_server(("127.0.0.1", 0))
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except TimeoutError:
                continue

    acceptor = threading.Thread(target=accept, daemon=True)
    acceptor.start()
    try:
        yield f"redis://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        acceptor.join()
        for connection in (*accepted, listener):
            connection.close()


def test_a_redis_that_never_answers_is_unavailable_not_a_hang(
    silent_server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without the client's command timeout the request would wait forever."""
    monkeypatch.setattr(store, "COMMAND_TIMEOUT", 0.2)
    client = create_app({settings.URL: silent_server}).test_client()
    answers: list[TestResponse] = []
    request = threading.Thread(target=lambda: answers.append(client.get(f"/{new_email()}")), daemon=True)
    request.start()
    request.join(30)  # a hang guard, far above the 0.2 s timeout and its one retry

    assert answers, "the request still waits on a Redis that never answers"
    assert_unavailable(answers[0])
