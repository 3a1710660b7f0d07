"""The shortener's OpenAPI document against its routes, and a fuzz run on dynalite."""

from __future__ import annotations

import pytest
from flask import Flask

from tests.apps.api_checks import FUZZ_REQUESTS, documented_operations, fuzz, routed_operations


def test_document_lists_exactly_the_routes(app: Flask) -> None:
    assert documented_operations(app) == routed_operations(app)


@pytest.mark.slow
def test_fuzz(app: Flask) -> None:
    assert fuzz(app) >= FUZZ_REQUESTS
