"""``/dynamodb/read`` and ``/dynamodb/write``: the article's DynamoDB round trips.

Every item lives in one partition, ``pk = "pk"``, sorted by ``sk``, the time of the
write, as in the Go app. Errors come from ``common.dynamodb``: unreachable or
throttled → 503 JSON with Retry-After, anything else → 500 JSON.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any

from flask import Blueprint, current_app

from common.dynamodb import dynamodb_client, dynamodb_errors

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient

PARTITION = "pk"
#: Newest items per read: the partition grows with every write, a response must not.
READ_LIMIT = 25
EXTENSION = "chaos.items"

items = Blueprint("items", __name__)


class Items:
    def __init__(self, *, table_name: str, region: str, endpoint_url: str | None, max_attempts: int) -> None:
        self._table_name = table_name
        self._region = region
        self._endpoint_url = endpoint_url
        self._max_attempts = max_attempts

    @cached_property
    def _client(self) -> DynamoDBClient:
        # First use, so once per gunicorn worker (they fork before serving).
        return dynamodb_client(self._endpoint_url, self._region, max_attempts=self._max_attempts)

    def newest(self) -> list[dict[str, str]]:
        with dynamodb_errors():
            response = self._client.query(
                TableName=self._table_name,
                KeyConditionExpression="#pk = :pk",
                ExpressionAttributeNames={"#pk": "pk"},
                ExpressionAttributeValues={":pk": {"S": PARTITION}},
                ScanIndexForward=False,
                Limit=READ_LIMIT,
            )
        return [{"pk": item["pk"]["S"], "sk": item["sk"]["S"]} for item in response.get("Items", [])]

    def write(self) -> dict[str, str]:
        item = {"pk": PARTITION, "sk": datetime.now(UTC).isoformat(timespec="microseconds")}
        with dynamodb_errors():
            self._client.put_item(
                TableName=self._table_name, Item={name: {"S": value} for name, value in item.items()}
            )
        return item


def _items() -> Items:
    store: Items = current_app.extensions[EXTENSION]
    return store


@items.get("/dynamodb/read")
def read() -> dict[str, Any]:
    found = _items().newest()
    return {"count": len(found), "items": found}


@items.get("/dynamodb/write")
def write() -> dict[str, Any]:
    return {"item": _items().write()}
