"""Real Redis for the users app: a standalone server and a TLS + ACL cluster like MemoryDB."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.support.users_redis import Backend, cluster_config
from tools.backends.redis import LocalRedis, LocalRedisCluster
from users_redis import create_app, settings


@pytest.fixture(scope="session")
def local_redis() -> Iterator[LocalRedis]:
    with LocalRedis() as server:
        yield server


@pytest.fixture(scope="session")
def redis_cluster() -> Iterator[LocalRedisCluster]:
    with LocalRedisCluster() as cluster:
        yield cluster


@pytest.fixture(autouse=True)
def _no_redis_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """A developer's REDIS_URL or MEMORYDB_* must not leak into the apps under test."""
    for name in settings.ALL_ENV:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def standalone(local_redis: LocalRedis) -> Backend:
    return Backend(local_redis, {settings.URL: local_redis.url})


@pytest.fixture
def cluster(redis_cluster: LocalRedisCluster) -> Backend:
    return Backend(redis_cluster, cluster_config(redis_cluster))


@pytest.fixture(params=["standalone", "cluster"])
def backend(request: pytest.FixtureRequest) -> Backend:
    """Each test using it runs on both: standalone, and the MemoryDB-like cluster."""
    chosen: Backend = request.getfixturevalue(request.param)
    return chosen


@pytest.fixture
def app(backend: Backend) -> Flask:
    return create_app({**backend.config, "TESTING": True})


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()
