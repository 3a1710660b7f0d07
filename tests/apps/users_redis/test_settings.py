"""The environment contract with the CDK stack, and failing early on a bad environment."""

from __future__ import annotations

import importlib
import sys

import pytest

from common.environment import SettingsError
from tools.backends.process import free_port
from users_redis import create_app, settings
from users_redis.settings import RedisSettings

MEMORYDB = {
    "MEMORYDB_CLUSTER_ENDPOINT": "clustercfg.demo.abc123.memorydb.us-east-1.amazonaws.com:6379",
    "MEMORYDB_USERNAME": "demo-user",
    "MEMORYDB_PASSWORD": "s3cret-s3cret-s3cret",
}


def test_the_stack_sets_exactly_the_memorydb_variables() -> None:
    assert frozenset(MEMORYDB) == settings.STACK_ENV


def test_memorydb_defaults_to_a_verified_tls_cluster_client() -> None:
    assert settings.redis_settings(MEMORYDB) == RedisSettings(
        host="clustercfg.demo.abc123.memorydb.us-east-1.amazonaws.com",
        port=6379,
        username="demo-user",
        password="s3cret-s3cret-s3cret",
        tls=True,
        cluster=True,
        ca_file=None,
    )


@pytest.mark.parametrize("missing", sorted(settings.STACK_ENV))
def test_a_missing_variable_is_named(missing: str) -> None:
    environ = {**MEMORYDB, missing: ""}
    with pytest.raises(SettingsError, match=missing):
        settings.load(environ)


def test_create_app_fails_at_startup_naming_every_missing_variable() -> None:
    with pytest.raises(SettingsError) as error:
        create_app()
    assert all(name in str(error.value) for name in settings.STACK_ENV)


@pytest.mark.parametrize(
    ("overrides", "field", "expected"),
    [
        ({"REDIS_TLS": "false"}, "tls", False),
        ({"REDIS_TLS": "0"}, "tls", False),
        ({"REDIS_CLUSTER": "off"}, "cluster", False),
        ({"REDIS_CLUSTER": "YES"}, "cluster", True),
        ({"REDIS_CA_FILE": "/tmp/ca.pem"}, "ca_file", "/tmp/ca.pem"),
        ({"MEMORYDB_CLUSTER_ENDPOINT": "10.0.0.7"}, "port", 6379),
    ],
)
def test_optional_variables(overrides: dict[str, str], field: str, expected: object) -> None:
    assert getattr(settings.redis_settings({**MEMORYDB, **overrides}), field) == expected


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        ({"REDIS_TLS": "maybe"}, "REDIS_TLS"),
        ({"MEMORYDB_CLUSTER_ENDPOINT": "host:port"}, "MEMORYDB_CLUSTER_ENDPOINT"),
        ({"MEMORYDB_CLUSTER_ENDPOINT": ":6379"}, "MEMORYDB_CLUSTER_ENDPOINT"),
        ({"MEMORYDB_CLUSTER_ENDPOINT": "host:70000"}, "MEMORYDB_CLUSTER_ENDPOINT"),
        ({"REDIS_URL": "http://127.0.0.1:6379"}, "REDIS_URL"),
        ({"REDIS_URL": "redis://127.0.0.1:0"}, "REDIS_URL"),
        # The app would use database 0 and drop the rest without a word.
        ({"REDIS_URL": "redis://127.0.0.1:6379/5"}, "REDIS_URL"),
        ({"REDIS_URL": "redis://127.0.0.1:6379?db=5"}, "REDIS_URL"),
    ],
)
def test_invalid_values_are_named(overrides: dict[str, str], named: str) -> None:
    with pytest.raises(SettingsError, match=named):
        settings.load({**MEMORYDB, **overrides})


def test_redis_url_replaces_memorydb_for_local_runs() -> None:
    local = settings.redis_settings({"REDIS_URL": "rediss://me:p%40ss@127.0.0.1:6390"})
    assert local == RedisSettings(
        host="127.0.0.1", port=6390, username="me", password="p@ss", tls=True, cluster=False
    )
    assert not settings.redis_settings({"REDIS_URL": "redis://localhost"}).tls
    assert settings.redis_settings({"REDIS_URL": "redis://localhost/"}).port == 6379


def test_the_password_stays_out_of_reprs_and_errors() -> None:
    assert MEMORYDB["MEMORYDB_PASSWORD"] not in repr(settings.redis_settings(MEMORYDB))
    with pytest.raises(SettingsError) as error:
        settings.load({"REDIS_URL": "ftp://user:hunter2@host"})
    assert "hunter2" not in str(error.value)


def test_the_wsgi_module_builds_the_app_without_connecting(monkeypatch: pytest.MonkeyPatch) -> None:
    """gunicorn imports users_redis.wsgi before any request: nothing may be listening yet."""
    monkeypatch.setenv("MEMORYDB_CLUSTER_ENDPOINT", f"127.0.0.1:{free_port()}")
    monkeypatch.setenv("MEMORYDB_USERNAME", "demo-user")
    monkeypatch.setenv("MEMORYDB_PASSWORD", "s3cret-s3cret-s3cret")
    monkeypatch.delitem(sys.modules, "users_redis.wsgi", raising=False)
    wsgi = importlib.import_module("users_redis.wsgi")
    response = wsgi.app.test_client().get("/healthz")
    assert response.status_code == 200
