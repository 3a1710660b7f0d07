"""/dynamodb/read and /dynamodb/write against a real local DynamoDB (dynalite)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from chaos import create_app
from chaos.store import MAX_WRITE_ATTEMPTS, READ_LIMIT
from tests.apps.common.lost_response import LostResponseProxy
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


def test_read_returns_only_the_newest_read_limit_items(make_client: ClientFactory) -> None:
    client = make_client()
    written = [client.get("/dynamodb/write").get_json()["item"] for _ in range(READ_LIMIT + 5)]
    assert len({item["sk"] for item in written}) == READ_LIMIT + 5

    response = client.get("/dynamodb/read")

    assert response.status_code == 200
    newest = sorted(written, key=lambda i: i["sk"], reverse=True)[:READ_LIMIT]
    assert response.get_json() == {"count": READ_LIMIT, "items": newest}


def frozen_clock(monkeypatch: pytest.MonkeyPatch, times: Iterator[datetime]) -> None:
    """``datetime.now`` in ``chaos.store`` answers ``times`` in turn: two workers (or
    instances) writing in the same microsecond."""

    class Clock(datetime):
        @classmethod
        def now(cls, tz: Any = None) -> Clock:
            moment = next(times)
            return cls.fromtimestamp(moment.timestamp(), tz)

    # By module: the package exports the blueprint under the name ``items``.
    monkeypatch.setattr(sys.modules["chaos.store"], "datetime", Clock)


def test_writes_in_the_same_microsecond_are_all_stored(
    make_client: ClientFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    same = datetime(2026, 1, 1, tzinfo=UTC)
    later = datetime(2026, 1, 1, 0, 0, 1, tzinfo=UTC)
    frozen_clock(monkeypatch, iter([same, same, later]))
    client = make_client()

    first = client.get("/dynamodb/write").get_json()["item"]
    second = client.get("/dynamodb/write").get_json()["item"]

    assert first["sk"] == same.isoformat(timespec="microseconds")
    assert second["sk"] == later.isoformat(timespec="microseconds")
    read = client.get("/dynamodb/read").get_json()
    assert read == {"count": 2, "items": [second, first]}


def test_a_clock_that_never_moves_is_a_json_500_not_an_overwrite(
    make_client: ClientFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    same = datetime(2026, 1, 1, tzinfo=UTC)
    frozen_clock(monkeypatch, iter([same] * (1 + MAX_WRITE_ATTEMPTS)))
    client = make_client()
    assert client.get("/dynamodb/write").status_code == 200

    response = client.get("/dynamodb/write")

    assert response.status_code == 500
    assert response.get_json() == {"error": "could not allocate a sort key"}
    assert client.get("/dynamodb/read").get_json()["count"] == 1


def test_a_lost_write_response_stores_one_item(
    make_client: ClientFactory, local_dynamodb: LocalDynamoDB
) -> None:
    with LostResponseProxy(local_dynamodb.port, operation="PutItem") as proxy:
        response = make_client(DYNAMODB_ENDPOINT_URL=proxy.endpoint_url).get("/dynamodb/write")

    # DynamoDB stored the first PutItem, its answer was lost, botocore sent it again
    # (and that retry found the sort key taken: by this very write).
    assert proxy.operations[:2] == ["PutItem", "PutItem"]
    assert response.status_code == 200
    written = response.get_json()["item"]
    assert make_client().get("/dynamodb/read").get_json() == {"count": 1, "items": [written]}


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
