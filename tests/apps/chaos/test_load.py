"""Concurrent /dynamodb/write on dynalite: every acknowledged item is in the table."""

from __future__ import annotations

from chaos import create_app
from chaos.store import PARTITION
from tests.apps.api_checks import WRITES_PER_WRITER, run_writers
from tools.backends.dynamodb import LocalDynamoDB


def test_every_acknowledged_item_is_stored(table: str, local_dynamodb: LocalDynamoDB) -> None:
    app = create_app({"TESTING": True})
    clients = [app.test_client() for _ in range(8)]

    def write(writer: int, n: int) -> str | None:
        response = clients[writer].get("/dynamodb/write")
        assert response.status_code < 500, response.get_data(as_text=True)
        return str(response.get_json()["item"]["sk"]) if response.status_code == 200 else None

    written = run_writers(write, writers=len(clients))

    # Healthy backends: every write is acknowledged, none refused.
    assert len(written) == len(clients) * WRITES_PER_WRITER
    # Two writes with the same key would be one item: each acknowledged write must be its own.
    assert len(set(written)) == len(written)
    paginator = local_dynamodb.client().get_paginator("query")
    pages = paginator.paginate(
        TableName=table,
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": PARTITION}},
        ConsistentRead=True,
    )
    stored = {item["sk"]["S"] for page in pages for item in page["Items"]}
    assert stored == set(written)
