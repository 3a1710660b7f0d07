"""TodoPostgresStack: the todo API (App Runner + Aurora PostgreSQL Serverless v2). Placeholder."""

from __future__ import annotations

from typing import Any

from aws_cdk import CfnWaitConditionHandle, Stack
from constructs import Construct


class TodoPostgresStack(Stack):
    def __init__(self, scope: Construct, construct_id: str, **kwargs: Any) -> None:
        super().__init__(
            scope,
            construct_id,
            description="todo API (App Runner + Aurora PostgreSQL Serverless v2)",
            **kwargs,
        )
        CfnWaitConditionHandle(self, "Placeholder")
