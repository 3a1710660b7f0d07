"""Links in DynamoDB, with GetItem and PutItem only (all the stack's IAM policy allows).

Item: ``shortcode`` (partition key, S), ``longurl`` (S), ``active`` (BOOL), as in the
original Go app.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from common.dynamodb import DynamoDB, put_new_item

#: Tries at a fresh code before giving up; more than one collision in a row means a
#: broken generator, not bad luck.
MAX_CODE_ATTEMPTS = 5


class LinkStore:
    def __init__(self, dynamodb: DynamoDB, *, table_name: str, generate_code: Callable[[], str]) -> None:
        self._table_name = table_name
        self._generate_code = generate_code
        self._dynamodb = dynamodb

    def create(self, long_url: str) -> str:
        """Store ``long_url`` under a new code; never overwrites an existing code."""

        def new_link() -> dict[str, Any]:
            code = self._generate_code()
            return {"shortcode": {"S": code}, "longurl": {"S": long_url}, "active": {"BOOL": True}}

        with self._dynamodb.request():
            item = put_new_item(
                self._dynamodb,
                self._table_name,
                "shortcode",
                new_link,
                stored=self._stored,
                attempts=MAX_CODE_ATTEMPTS,
                what="short code",
            )
        code: str = item["shortcode"]["S"]
        return code

    def _stored(self, item: Mapping[str, Any]) -> Mapping[str, Any] | None:
        """The item stored under ``item``'s code, read consistently (GetItem)."""
        stored: Mapping[str, Any] | None = self._dynamodb.call(
            lambda client: client.get_item(
                TableName=self._table_name, Key={"shortcode": item["shortcode"]}, ConsistentRead=True
            )
        ).get("Item")
        return stored

    def long_url(self, code: str) -> tuple[str, bool] | None:
        """``(long_url, active)`` for ``code``, or None if there is no such code."""
        with self._dynamodb.request():
            # Consistent: a link must resolve as soon as its POST has answered.
            item = self._dynamodb.call(
                lambda client: client.get_item(
                    TableName=self._table_name, Key={"shortcode": {"S": code}}, ConsistentRead=True
                )
            ).get("Item")
        if item is None:
            return None
        # Only an explicit false disables a link; the attribute is always written as true.
        return item["longurl"]["S"], item.get("active", {}).get("BOOL", True)
