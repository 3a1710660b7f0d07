from __future__ import annotations

import pytest

from chaos import create_app
from chaos.settings import STACK_ENV, load
from common.environment import SettingsError

REQUIRED_ENV = {"TABLE_NAME": "items", "AWS_REGION": "eu-west-1"}


def test_stack_env_is_exactly_what_the_stack_sets() -> None:
    assert frozenset({"TABLE_NAME", "AWS_REGION", "CHAOS_ENABLED", "MEMORY_LIMIT_MB"}) == STACK_ENV


def test_defaults() -> None:
    settings = load(REQUIRED_ENV)
    assert settings == {
        "TABLE_NAME": "items",
        "AWS_REGION": "eu-west-1",
        "DYNAMODB_ENDPOINT_URL": None,
        "CHAOS_ENABLED": True,
        "MEMORY_LIMIT_MB": 2048,
        "MEMORY_CHUNK_MB": 256,
        "DYNAMODB_MAX_ATTEMPTS": 3,
    }


def test_every_stack_variable_is_read() -> None:
    env = {**REQUIRED_ENV, "CHAOS_ENABLED": "false", "MEMORY_LIMIT_MB": "1024"}
    settings = load({**env, "DYNAMODB_ENDPOINT_URL": "http://127.0.0.1:8000", "MEMORY_CHUNK_MB": "16"})
    assert {name: settings[name] for name in STACK_ENV} == {
        "TABLE_NAME": "items",
        "AWS_REGION": "eu-west-1",
        "CHAOS_ENABLED": False,
        "MEMORY_LIMIT_MB": 1024,
    }
    assert settings["DYNAMODB_ENDPOINT_URL"] == "http://127.0.0.1:8000"
    assert settings["MEMORY_CHUNK_MB"] == 16


def test_missing_required_variables_are_all_named() -> None:
    with pytest.raises(SettingsError, match="TABLE_NAME, AWS_REGION"):
        load({"TABLE_NAME": " "})


@pytest.mark.parametrize(("raw", "expected"), [("true", True), ("1", True), ("FALSE", False), ("off", False)])
def test_chaos_enabled_flag(raw: str, expected: bool) -> None:
    assert load({**REQUIRED_ENV, "CHAOS_ENABLED": raw})["CHAOS_ENABLED"] is expected


@pytest.mark.parametrize(
    ("name", "raw"),
    [
        ("CHAOS_ENABLED", "maybe"),
        ("MEMORY_LIMIT_MB", "2G"),
        ("MEMORY_LIMIT_MB", "0"),
        ("MEMORY_CHUNK_MB", "-16"),
    ],
)
def test_malformed_values_are_rejected_by_name(name: str, raw: str) -> None:
    with pytest.raises(SettingsError, match=name):
        load({**REQUIRED_ENV, name: raw})


def test_dynamodb_settings_are_checked() -> None:
    # Which values are malformed: tests/apps/common/test_dynamodb_settings.py.
    assert (
        load({**REQUIRED_ENV, "DYNAMODB_ENDPOINT_URL": "http://127.0.0.1:8000"})["DYNAMODB_ENDPOINT_URL"]
        == "http://127.0.0.1:8000"
    )
    with pytest.raises(SettingsError, match=r"AWS_REGION .*, not 'us east 1'"):
        load({**REQUIRED_ENV, "AWS_REGION": "us east 1"})


def test_malformed_dynamodb_settings_stop_the_app_at_startup(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TABLE_NAME", "items")
    monkeypatch.setenv("AWS_REGION", "us east 1")
    monkeypatch.setenv("DYNAMODB_ENDPOINT_URL", "127.0.0.1:8000")

    with pytest.raises(SettingsError, match=r"AWS_REGION .*; DYNAMODB_ENDPOINT_URL"):
        create_app()
