"""A real PostgreSQL cluster for the session, and an ``app``/``client`` pair on it."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text

from tests.support.todo_postgres import database_of
from todo_postgres import create_app, settings
from tools.backends.postgres import LocalPostgres


@pytest.fixture(scope="session")
def postgres() -> Iterator[LocalPostgres]:
    """TLS on, as on Aurora: the app's DB_SECRET path verifies it (``postgres.ca_file``);
    DATABASE_URL connections use it too (libpq's default, sslmode=prefer)."""
    with LocalPostgres(tls=True) as server:
        yield server


@pytest.fixture(scope="session")
def database_url(postgres: LocalPostgres) -> str:
    return postgres.url(postgres.create_database("todo"))


@pytest.fixture
def fresh_database_url(postgres: LocalPostgres) -> str:
    """An empty database of its own (no schema yet)."""
    return postgres.url(postgres.create_database(f"todo_{uuid.uuid4().hex[:12]}"))


@pytest.fixture
def no_database_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """The developer's shell must not decide which database a test uses."""
    for name in (settings.DATABASE_URL, settings.DB_SECRET, settings.DB_CA_FILE):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def app(database_url: str, no_database_env: None) -> Iterator[Flask]:
    app = create_app({settings.DATABASE_URL_CONFIG: database_url, "TESTING": True})
    yield app
    database = database_of(app)
    with database.engine.begin() as conn:
        conn.execute(text("TRUNCATE tasks"))
    database.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()
