"""The chaos app's OpenAPI document against its routes, and a fuzz run on dynalite."""

from __future__ import annotations

import pytest

from chaos import create_app
from chaos.openapi import CRASH_PATHS
from tests.apps.api_checks import FUZZ_REQUESTS, documented_operations, fuzz, routed_operations


@pytest.mark.parametrize("enabled", ["true", "false"])
def test_document_lists_exactly_the_routes(
    chaos_env: None, enabled: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CHAOS_ENABLED", enabled)
    app = create_app()
    assert documented_operations(app) == routed_operations(app)


@pytest.mark.slow
@pytest.mark.usefixtures("table")
def test_fuzz() -> None:
    # The crash operations end the process they run in (here: pytest) or, for /panic,
    # answer 500 by design; they are tested against real gunicorn in test_crash_server.
    sent = fuzz(create_app({"TESTING": True}), exclude_paths=CRASH_PATHS.keys())
    assert sent >= FUZZ_REQUESTS
