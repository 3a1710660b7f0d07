"""Fixtures for the chaos app: the Flask test client (in process) for everything that
does not end a process; the crash endpoints are tested against real gunicorn."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from chaos import create_app

TABLE_NAME = "chaos-test"
REGION = "us-east-1"


@pytest.fixture
def chaos_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """The required variables, and none of the optional ones leaking in from the shell."""
    monkeypatch.setenv("TABLE_NAME", TABLE_NAME)
    monkeypatch.setenv("AWS_REGION", REGION)
    for name in ("CHAOS_ENABLED", "MEMORY_LIMIT_MB", "MEMORY_CHUNK_MB"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def app(chaos_env: None) -> Flask:
    return create_app({"TESTING": True})


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()
