"""The environment contract with the CDK stack."""

from __future__ import annotations

import importlib
import re

import botocore.session
import pytest
from flask import Flask

from common.dynamodb import dynamodb_client
from shortener import create_app, settings
from tests.apps.shortener.conftest import AppFactory


def test_stack_env_is_exactly_what_the_stack_sets() -> None:
    assert frozenset({"TABLE_NAME", "AWS_REGION"}) == settings.STACK_ENV


def test_missing_variables_are_named(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in settings.STACK_ENV:
        monkeypatch.delenv(name, raising=False)

    with pytest.raises(settings.MissingSetting, match="AWS_REGION, TABLE_NAME"):
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


def dynamodb_regions() -> list[str]:
    """Every region botocore knows DynamoDB in, across partitions (GovCloud, China, ISO)."""
    session = botocore.session.get_session()
    return [
        region
        for partition in session.get_available_partitions()
        for region in session.get_available_regions("dynamodb", partition_name=partition)
    ]


BAD_REGIONS = ["us east 1", "us-east-1 ", "US-EAST-1", "useast1", "us-east", "eu_west_1", "us-east-1a"]
BAD_ENDPOINTS = [
    "127.0.0.1:8000",
    "localhost:8000",
    "ftp://127.0.0.1:8000",
    "http://",
    "http://:8000",
    "http://127.0.0.1:99999",
    "http://127.0.0.1:port",
    "http://exa mple.com",
]
GOOD_ENDPOINTS = [
    "http://127.0.0.1:8000",
    "http://localhost:8000",
    "HTTPS://dynamodb.eu-west-1.amazonaws.com",
    "http://[::1]:8000",
]


def test_every_dynamodb_region_is_accepted() -> None:
    regions = dynamodb_regions()
    assert {"us-east-1", "us-gov-west-1", "cn-north-1", "eu-central-2"} <= set(regions)

    for region in regions:
        assert settings.load({"TABLE_NAME": "links", "AWS_REGION": region})["AWS_REGION"] == region


@pytest.mark.parametrize("region", BAD_REGIONS)
def test_malformed_region_stops_the_app_at_startup(monkeypatch: pytest.MonkeyPatch, region: str) -> None:
    monkeypatch.setenv("TABLE_NAME", "links")
    monkeypatch.setenv("AWS_REGION", region)

    with pytest.raises(settings.InvalidSetting, match=f"AWS_REGION .*, not {re.escape(repr(region))}"):
        create_app()


@pytest.mark.parametrize("url", BAD_ENDPOINTS)
def test_malformed_endpoint_url_stops_the_app_at_startup(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    monkeypatch.setenv("TABLE_NAME", "links")
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    monkeypatch.setenv("DYNAMODB_ENDPOINT_URL", url)

    with pytest.raises(
        settings.InvalidSetting, match=f"DYNAMODB_ENDPOINT_URL .*, not {re.escape(repr(url))}"
    ):
        create_app()


@pytest.mark.parametrize("url", GOOD_ENDPOINTS)
def test_endpoint_urls_botocore_takes_are_accepted(url: str) -> None:
    config = settings.load({"TABLE_NAME": "links", "AWS_REGION": "eu-west-1", "DYNAMODB_ENDPOINT_URL": url})

    assert config["DYNAMODB_ENDPOINT_URL"] == url
    # What the app will do with it: botocore makes a client for it.
    dynamodb_client(url, "eu-west-1")


def test_both_malformed_settings_are_named_at_once() -> None:
    environ = {"TABLE_NAME": "links", "AWS_REGION": "us east 1", "DYNAMODB_ENDPOINT_URL": "127.0.0.1:8000"}

    with pytest.raises(settings.InvalidSetting, match=r"AWS_REGION .*; DYNAMODB_ENDPOINT_URL"):
        settings.load(environ)


def test_a_setting_the_caller_provides_is_not_checked_in_the_environment() -> None:
    environ = {"TABLE_NAME": "links", "AWS_REGION": "us east 1"}

    assert settings.load(environ, provided={"AWS_REGION"})["TABLE_NAME"] == "links"
