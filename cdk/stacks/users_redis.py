"""UsersRedisStack: the users API (App Runner + MemoryDB for Redis). Placeholder until its app issue lands."""

from __future__ import annotations

from typing import Any

from aws_cdk import CfnWaitConditionHandle, Stack
from constructs import Construct


class UsersRedisStack(Stack):
    def __init__(self, scope: Construct, construct_id: str, **kwargs: Any) -> None:
        super().__init__(
            scope, construct_id, description="users API (App Runner + MemoryDB for Redis)", **kwargs
        )
        CfnWaitConditionHandle(self, "Placeholder")
