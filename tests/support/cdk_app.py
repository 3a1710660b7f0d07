"""Build the repository's CDK app the way the CLI does: with ``cdk.json``'s context."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from aws_cdk import App

REPO_ROOT = Path(__file__).resolve().parents[2]


def cdk_json_context() -> dict[str, Any]:
    context: dict[str, Any] = json.loads((REPO_ROOT / "cdk.json").read_text())["context"]
    return context


def new_app(outdir: Path, **context: Any) -> App:
    """An ``App`` with cdk.json's context, ``context`` overriding it (like ``-c``)."""
    return App(outdir=str(outdir), context={**cdk_json_context(), **context})
