"""Backends shared by the app test suites (shortener, chaos)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tools.backends.dynamodb import REGION, LocalDynamoDB


@pytest.fixture(scope="session")
def local_dynamodb() -> Iterator[LocalDynamoDB]:
    """One in-memory dynalite for the whole session; each suite creates its own tables."""
    with LocalDynamoDB() as server:
        yield server


@pytest.fixture
def dynamodb_env(local_dynamodb: LocalDynamoDB, monkeypatch: pytest.MonkeyPatch) -> LocalDynamoDB:
    """The environment an app needs to reach the session's dynalite (never real AWS)."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "local")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "local")
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.setenv("AWS_REGION", REGION)
    monkeypatch.setenv("DYNAMODB_ENDPOINT_URL", local_dynamodb.endpoint_url)
    return local_dynamodb
