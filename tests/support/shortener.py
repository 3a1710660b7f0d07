"""Helpers of the shortener app tests: its table, read behind the app's back."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask import Flask

from tools.backends.dynamodb import LocalDynamoDB

TABLE_NAME = "shortener-links"
PARTITION_KEY = "shortcode"

AppFactory = Callable[..., Flask]


def stored_item(server: LocalDynamoDB, code: str) -> Mapping[str, Any] | None:
    """The raw DynamoDB item for ``code``, read behind the app's back."""
    item: Mapping[str, Any] | None = (
        server.client()
        .get_item(TableName=TABLE_NAME, Key={PARTITION_KEY: {"S": code}}, ConsistentRead=True)
        .get("Item")
    )
    return item


def item_count(server: LocalDynamoDB) -> int:
    return server.client().scan(TableName=TABLE_NAME, Select="COUNT")["Count"]
