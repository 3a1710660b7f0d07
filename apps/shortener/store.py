"""Links in DynamoDB, with GetItem and PutItem only (all the stack's IAM policy allows).

Item: ``shortcode`` (partition key, S), ``longurl`` (S), ``active`` (BOOL), as in the
original Go app.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from common import ApiError
from common.dynamodb import dynamodb_client, dynamodb_errors

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient

log = logging.getLogger(__name__)

#: Tries at a fresh code before giving up; more than one collision in a row means a
#: broken generator, not bad luck.
MAX_CODE_ATTEMPTS = 5


class LinkStore:
    def __init__(
        self,
        *,
        table_name: str,
        region: str,
        endpoint_url: str | None,
        max_attempts: int,
        generate_code: Callable[[], str],
    ) -> None:
        self._table_name = table_name
        self._region = region
        self._endpoint_url = endpoint_url
        self._max_attempts = max_attempts
        self._generate_code = generate_code
        self._client: DynamoDBClient | None = None
        self._lock = threading.Lock()

    def _dynamodb(self) -> DynamoDBClient:
        # Created on first use, once per worker process (gunicorn forks before that).
        if self._client is None:
            with self._lock:
                if self._client is None:
                    self._client = dynamodb_client(
                        self._endpoint_url, self._region, max_attempts=self._max_attempts
                    )
        return self._client

    def create(self, long_url: str) -> str:
        """Store ``long_url`` under a new code; never overwrites an existing code."""
        client = self._dynamodb()
        with dynamodb_errors():
            for _ in range(MAX_CODE_ATTEMPTS):
                code = self._generate_code()
                try:
                    client.put_item(
                        TableName=self._table_name,
                        Item={"shortcode": {"S": code}, "longurl": {"S": long_url}, "active": {"BOOL": True}},
                        ConditionExpression="attribute_not_exists(shortcode)",
                    )
                except client.exceptions.ConditionalCheckFailedException:
                    log.info("short code collision, trying another", extra={"fields": {"code": code}})
                    continue
                return code
        log.error("no free short code after %d attempts", MAX_CODE_ATTEMPTS)
        raise ApiError("could not allocate a short code", status=500)

    def long_url(self, code: str) -> tuple[str, bool] | None:
        """``(long_url, active)`` for ``code``, or None if there is no such code."""
        client = self._dynamodb()
        with dynamodb_errors():
            # Consistent: a link must resolve as soon as its POST has answered.
            item = client.get_item(
                TableName=self._table_name, Key={"shortcode": {"S": code}}, ConsistentRead=True
            ).get("Item")
        if item is None:
            return None
        # Only an explicit false disables a link; the attribute is always written as true.
        return item["longurl"]["S"], item.get("active", {}).get("BOOL", True)
