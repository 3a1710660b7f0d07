"""Build the repository's CDK app the way the CLI does: with ``cdk.json``'s context."""

from __future__ import annotations

from cdk.context import cdk_json_context, new_app

__all__ = ["cdk_json_context", "new_app"]
