"""The users app's OpenAPI document against its routes, and a fuzz run on a real Redis."""

from __future__ import annotations

import pytest
from flask import Flask

from tests.apps.api_checks import FUZZ_REQUESTS, documented_operations, fuzz, routed_operations
from tests.support.users_redis import Backend
from users_redis import create_app


def test_document_lists_exactly_the_routes(standalone: Backend) -> None:
    app = create_app(standalone.config)
    assert documented_operations(app) == routed_operations(app)


@pytest.mark.slow
def test_fuzz(standalone: Backend) -> None:
    app: Flask = create_app({**standalone.config, "TESTING": True})
    assert fuzz(app) >= FUZZ_REQUESTS
