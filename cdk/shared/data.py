"""Data-lifecycle settings shared by the stacks' datastores."""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from constructs import Construct

from cdk.context import Context

_POLICIES = {
    "retain": RemovalPolicy.RETAIN,
    "destroy": RemovalPolicy.DESTROY,
    "snapshot": RemovalPolicy.SNAPSHOT,
}


def removal_policy(context: Context, app: str, *, allow_snapshot: bool = False) -> RemovalPolicy:
    """``<app>:removal_policy``: retain (keep data when the stack is deleted), destroy
    (demo: delete with the stack) or, for databases, snapshot."""
    options = ["retain", "destroy", *(["snapshot"] if allow_snapshot else [])]
    return _POLICIES[context.choice(f"{app}:removal_policy", options)]


@dataclass(frozen=True)
class Capacity:
    """Provisioned read/write capacity units; no ``Capacity`` means on-demand billing."""

    read: int
    write: int


def app_table(
    scope: Construct,
    context: Context,
    app: str,
    *,
    partition_key: str,
    sort_key: str | None = None,
    capacity: Capacity | None = None,
) -> dynamodb.Table:
    """A table with string keys, point-in-time recovery on and ``<app>:removal_policy``."""

    def key(name: str) -> dynamodb.Attribute:
        return dynamodb.Attribute(name=name, type=dynamodb.AttributeType.STRING)

    return dynamodb.Table(
        scope,
        "Table",
        partition_key=key(partition_key),
        sort_key=key(sort_key) if sort_key else None,
        billing_mode=dynamodb.BillingMode.PROVISIONED if capacity else dynamodb.BillingMode.PAY_PER_REQUEST,
        read_capacity=capacity.read if capacity else None,
        write_capacity=capacity.write if capacity else None,
        point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
            point_in_time_recovery_enabled=True
        ),
        removal_policy=removal_policy(context, app),
    )
