"""Build the repository's CDK app the way the CLI does: with ``cdk.json``'s context."""

from __future__ import annotations

from pathlib import Path

from cdk.context import cdk_json_context, new_app

REPO_ROOT = Path(__file__).resolve().parents[2]

__all__ = ["REPO_ROOT", "cdk_json_context", "new_app"]
