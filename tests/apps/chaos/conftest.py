"""Fixtures for the chaos app: the Flask test client (in process) for everything that
does not end a process; the crash endpoints are tested against real gunicorn."""

from __future__ import annotations

import uuid

import pytest
from flask import Flask
from flask.testing import FlaskClient

from chaos import create_app
from tests.support.chaos import REGION, TABLE_NAME
from tools.backends.dynamodb import LocalDynamoDB


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


@pytest.fixture
def table(dynamodb_env: LocalDynamoDB, chaos_env: None, monkeypatch: pytest.MonkeyPatch) -> str:
    """A fresh table keyed as in the stack (pk, sk), named in TABLE_NAME."""
    name = f"chaos-{uuid.uuid4().hex[:12]}"
    dynamodb_env.create_table(name, partition_key="pk", sort_key="sk")
    monkeypatch.setenv("TABLE_NAME", name)
    return name
