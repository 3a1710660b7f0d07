"""Data-lifecycle settings shared by the stacks' datastores."""

from __future__ import annotations

from aws_cdk import RemovalPolicy

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
