"""The environment contract with the CDK stack."""

from __future__ import annotations

import importlib

import pytest
from flask import Flask

from common.environment import SettingsError
from shortener import create_app, settings
from tests.support.shortener import AppFactory


def test_stack_env_is_exactly_what_the_stack_sets() -> None:
    assert frozenset({"TABLE_NAME", "AWS_REGION"}) == settings.STACK_ENV


def test_missing_variables_are_named(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in settings.STACK_ENV:
        monkeypatch.delenv(name, raising=False)

    with pytest.raises(SettingsError, match="AWS_REGION, TABLE_NAME"):
        create_app()


def test_config_may_supply_required_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in settings.STACK_ENV:
        monkeypatch.delenv(name, raising=False)

    app = create_app({"TABLE_NAME": "links", "AWS_REGION": "eu-west-1"})

    assert (app.config["TABLE_NAME"], app.config["AWS_REGION"]) == ("links", "eu-west-1")


def test_environment_is_read_when_the_app_is_created(make_app: AppFactory) -> None:
    app = make_app()

    assert app.config["TABLE_NAME"] == "shortener-links"
    assert app.config["DYNAMODB_ENDPOINT_URL"].startswith("http://127.0.0.1:")


@pytest.mark.usefixtures("make_app")
def test_wsgi_module_builds_the_app_from_the_environment() -> None:
    wsgi = importlib.import_module("shortener.wsgi")

    assert isinstance(wsgi.app, Flask)


def test_malformed_region_stops_the_app_at_startup(monkeypatch: pytest.MonkeyPatch) -> None:
    # Which values are malformed: tests/apps/common/test_dynamodb_settings.py.
    monkeypatch.setenv("TABLE_NAME", "links")
    monkeypatch.setenv("AWS_REGION", "us east 1")

    with pytest.raises(SettingsError, match=r"AWS_REGION .*, not 'us east 1'"):
        create_app()


def test_malformed_endpoint_url_stops_the_app_at_startup(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TABLE_NAME", "links")
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    monkeypatch.setenv("DYNAMODB_ENDPOINT_URL", "127.0.0.1:8000")

    with pytest.raises(SettingsError, match=r"DYNAMODB_ENDPOINT_URL .*, not '127.0.0.1:8000'"):
        create_app()


def test_both_malformed_settings_are_named_at_once() -> None:
    environ = {"TABLE_NAME": "links", "AWS_REGION": "us east 1", "DYNAMODB_ENDPOINT_URL": "127.0.0.1:8000"}

    with pytest.raises(SettingsError, match=r"AWS_REGION .*; DYNAMODB_ENDPOINT_URL"):
        settings.load(environ)


def test_a_setting_the_caller_provides_is_not_checked_in_the_environment() -> None:
    environ = {"TABLE_NAME": "links", "AWS_REGION": "us east 1"}

    assert settings.load(environ, {"AWS_REGION": "eu-west-1"})["TABLE_NAME"] == "links"
