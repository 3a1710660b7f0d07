"""TLS to the database as on Aurora: DB_SECRET's connection verifies the server's
certificate chain against DB_CA_FILE and its name against the host it connects to.

The session's PostgreSQL speaks TLS with a certificate for 127.0.0.1 signed by a
throwaway CA (``postgres.ca_file``); ``localhost`` reaches the same server under a name
its certificate does not list.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import text

from tests.support.todo_postgres import database_of
from todo_postgres import create_app
from tools.backends.postgres import SUPERUSER, LocalPostgres
from tools.backends.tls import generate_ca

TASKS = "/api/v1/tasks"
#: ``(host, ca_file[, port])``: the app as the stack runs it.
SecretApp = Callable[..., Flask]
REFUSED_LOG = "database unavailable: its TLS certificate was not accepted (DB_CA_FILE)"


@pytest.fixture
def secret_app(
    postgres: LocalPostgres, no_database_env: None, monkeypatch: pytest.MonkeyPatch
) -> Iterator[SecretApp]:
    """``make(host, ca_file, port)``: the app as the stack runs it (DB_SECRET, DB_CA_FILE)."""
    made: list[Flask] = []

    def make(host: str, ca_file: Path, port: int = postgres.port) -> Flask:
        secret = {"host": host, "port": port, "username": SUPERUSER, "password": "x", "dbname": "postgres"}
        monkeypatch.setenv("DB_SECRET", json.dumps(secret))
        monkeypatch.setenv("DB_CA_FILE", str(ca_file))
        app = create_app({"TESTING": True})
        made.append(app)
        return app

    yield make
    for app in made:
        database_of(app).dispose()


def test_the_server_verified_against_its_ca_is_used_over_tls(
    secret_app: SecretApp, postgres: LocalPostgres
) -> None:
    assert postgres.ca_file is not None
    app = secret_app("127.0.0.1", postgres.ca_file)
    created = app.test_client().post(TASKS, json={"title": "over TLS"})
    assert created.status_code == 201, created.get_json()
    with database_of(app).connection() as conn:
        assert conn.scalar(text("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")) is True
        conn.execute(text("DELETE FROM tasks"))


@pytest.mark.parametrize("case", ["another CA", "another host name"])
def test_a_certificate_that_does_not_verify_is_a_503_with_a_clear_log_line(
    secret_app: SecretApp,
    postgres: LocalPostgres,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    case: str,
) -> None:
    assert postgres.ca_file is not None
    if case == "another CA":
        app = secret_app("127.0.0.1", generate_ca(tmp_path, "not-the-servers-ca").cert_file)
        cause = "certificate verify failed"
    else:
        app = secret_app("localhost", postgres.ca_file)
        cause = 'does not match host name "localhost"'

    caplog.clear()  # the schema check at start-up failed the same way
    with caplog.at_level(logging.ERROR, logger="todo_postgres.db"):
        response = app.test_client().get(TASKS)

    assert response.status_code == 503
    assert response.get_json() == {"error": "database unavailable"}
    assert int(response.headers["Retry-After"]) > 0
    (line,) = [record.getMessage() for record in caplog.records if record.levelno == logging.ERROR]
    assert line.startswith(REFUSED_LOG)
    assert cause in line


@pytest.fixture(scope="module")
def plain_postgres() -> Iterator[LocalPostgres]:
    with LocalPostgres() as server:
        yield server


def test_a_server_without_tls_is_refused(
    secret_app: SecretApp, postgres: LocalPostgres, plain_postgres: LocalPostgres
) -> None:
    """verify-full never falls back to plain text (libpq's default, prefer, would)."""
    assert postgres.ca_file is not None
    app = secret_app("127.0.0.1", postgres.ca_file, plain_postgres.port)
    response = app.test_client().get(TASKS)
    assert response.status_code == 503
    assert response.get_json() == {"error": "database unavailable"}
