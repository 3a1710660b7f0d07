"""/dynamodb/read and /dynamodb/write against a real local DynamoDB (dynalite)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from chaos import create_app
from tools.backends import process
from tools.backends.dynamodb import LocalDynamoDB

ClientFactory = Callable[..., FlaskClient]


@pytest.fixture
def make_client(table: str) -> ClientFactory:
    def factory(**config: Any) -> FlaskClient:
        app: Flask = create_app({"TESTING": True, **config})
        return app.test_client()

    return factory


def test_read_of_an_empty_partition(make_client: ClientFactory) -> None:
    response = make_client().get("/dynamodb/read")
    assert response.status_code == 200
    assert response.get_json() == {"count": 0, "items": []}


def test_writes_are_stored_and_read_newest_first(
    make_client: ClientFactory, table: str, local_dynamodb: LocalDynamoDB
) -> None:
    client = make_client()
    written = [client.get("/dynamodb/write").get_json()["item"] for _ in range(3)]
    assert [item["pk"] for item in written] == ["pk"] * 3
    assert len({item["sk"] for item in written}) == 3

    response = client.get("/dynamodb/read")
    assert response.status_code == 200
    assert response.get_json() == {"count": 3, "items": sorted(written, key=lambda i: i["sk"], reverse=True)}
    # Behind the app's back: the items really are in the table.
    stored = local_dynamodb.client().query(
        TableName=table,
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": "pk"}},
    )["Items"]
    assert sorted(item["sk"]["S"] for item in stored) == sorted(item["sk"] for item in written)


@pytest.mark.parametrize("path", ["/dynamodb/read", "/dynamodb/write"])
def test_unreachable_dynamodb_is_a_json_503(
    make_client: ClientFactory, monkeypatch: pytest.MonkeyPatch, path: str
) -> None:
    monkeypatch.setenv("DYNAMODB_ENDPOINT_URL", f"http://{process.LOCALHOST}:{process.free_port()}")
    response = make_client(DYNAMODB_MAX_ATTEMPTS=1).get(path)
    assert response.status_code == 503
    assert response.headers["Retry-After"].isdigit()
    assert response.get_json() == {"error": "DynamoDB is unavailable; retry later"}


@pytest.mark.parametrize("path", ["/dynamodb/read", "/dynamodb/write"])
def test_missing_table_is_a_json_500(
    make_client: ClientFactory, monkeypatch: pytest.MonkeyPatch, path: str
) -> None:
    monkeypatch.setenv("TABLE_NAME", "no-such-table")
    response = make_client().get(path)
    assert response.status_code == 500
    assert response.get_json() == {"error": "internal server error"}


def test_dynamodb_endpoints_stay_when_chaos_is_disabled(
    make_client: ClientFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CHAOS_ENABLED", "false")
    assert make_client().get("/dynamodb/write").status_code == 200
