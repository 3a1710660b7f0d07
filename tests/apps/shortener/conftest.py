"""The shortener against a real local DynamoDB (dynalite), table keyed as in the stack."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from shortener import create_app
from tests.support.shortener import PARTITION_KEY, TABLE_NAME, AppFactory
from tools.backends.dynamodb import LocalDynamoDB


@pytest.fixture(scope="session")
def links_table(local_dynamodb: LocalDynamoDB) -> str:
    local_dynamodb.create_table(TABLE_NAME, partition_key=PARTITION_KEY)
    return TABLE_NAME


@pytest.fixture
def make_app(dynamodb_env: LocalDynamoDB, links_table: str, monkeypatch: pytest.MonkeyPatch) -> AppFactory:
    """``create_app`` with the environment the stack would set, pointed at dynalite;
    keyword arguments become config overrides."""
    monkeypatch.setenv("TABLE_NAME", links_table)

    def factory(**config: Any) -> Flask:
        return create_app({"TESTING": True, **config})

    return factory


@pytest.fixture
def app(make_app: AppFactory) -> Flask:
    return make_app()


@pytest.fixture
def client(app: Flask) -> Iterator[FlaskClient]:
    with app.test_client() as test_client:
        yield test_client
