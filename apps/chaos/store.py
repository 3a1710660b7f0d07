"""The items behind ``/dynamodb/read`` and ``/dynamodb/write``, in DynamoDB.

Every item lives in one partition, ``pk = "pk"``, sorted by ``sk``, the time of the
write; ``write_id`` tells one write's item from another's (see
``ItemStore.write``). Errors come from ``common.dynamodb``: unreachable or throttled → 503
JSON with Retry-After, anything else → 500 JSON.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from common.dynamodb import DynamoDB, put_new_item

PARTITION = "pk"
#: Newest items per read: the partition grows with every write, a response must not.
READ_LIMIT = 25
#: Writes in the same microsecond (other workers, other instances) would share a sort
#: key; each retries with a new time, so none replaces another.
MAX_WRITE_ATTEMPTS = 5


class ItemStore:
    def __init__(self, dynamodb: DynamoDB, *, table_name: str) -> None:
        self._table_name = table_name
        self._dynamodb = dynamodb

    def newest(self) -> list[dict[str, str]]:
        with self._dynamodb.request():
            response = self._dynamodb.call(
                lambda client: client.query(
                    TableName=self._table_name,
                    KeyConditionExpression="#pk = :pk",
                    ExpressionAttributeNames={"#pk": "pk"},
                    ExpressionAttributeValues={":pk": {"S": PARTITION}},
                    ScanIndexForward=False,
                    Limit=READ_LIMIT,
                )
            )
        return [{"pk": item["pk"]["S"], "sk": item["sk"]["S"]} for item in response.get("Items", [])]

    def write(self) -> dict[str, str]:
        """Store a new item; its ``pk`` and ``sk``.

        ``write_id`` tells this write's item from another write's of the same microsecond:
        ``put_new_item`` takes a stored item equal to ours for our own, written by an
        attempt whose response was lost.
        """
        write_id = uuid.uuid4().hex

        def new_item() -> dict[str, Any]:
            return {
                "pk": {"S": PARTITION},
                "sk": {"S": datetime.now(UTC).isoformat(timespec="microseconds")},
                "write_id": {"S": write_id},
            }

        with self._dynamodb.request():
            item = put_new_item(
                self._dynamodb,
                self._table_name,
                "sk",
                new_item,
                stored=self._stored,
                attempts=MAX_WRITE_ATTEMPTS,
                what="sort key",
            )
        return {"pk": item["pk"]["S"], "sk": item["sk"]["S"]}

    def _stored(self, item: Mapping[str, Any]) -> Mapping[str, Any] | None:
        """The item stored under ``item``'s key, read consistently: a Query, the one read
        the stack grants (Query and PutItem only)."""
        response = self._dynamodb.call(
            lambda client: client.query(
                TableName=self._table_name,
                KeyConditionExpression="#pk = :pk AND #sk = :sk",
                ExpressionAttributeNames={"#pk": "pk", "#sk": "sk"},
                ExpressionAttributeValues={":pk": item["pk"], ":sk": item["sk"]},
                ConsistentRead=True,
            )
        )
        found = response.get("Items", [])
        return found[0] if found else None
