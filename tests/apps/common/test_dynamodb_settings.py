"""apps/common/dynamodb.py: which AWS_REGION and DYNAMODB_ENDPOINT_URL values the apps
using DynamoDB (shortener, chaos) accept at start-up, and the client they make."""

from __future__ import annotations

import boto3
import botocore.session
import pytest
from botocore.awsrequest import AWSPreparedRequest
from botocore.exceptions import ClientError

from common.dynamodb import (
    ATTEMPT_SECONDS,
    CONNECT_TIMEOUT_SECONDS,
    DEADLINE_SECONDS,
    READ_TIMEOUT_SECONDS,
    USER_AGENT_PREFIX,
    DynamoDB,
    dynamodb_client,
    dynamodb_setting_errors,
    user_agent,
)
from tools.backends.dynamodb import REGION, LocalDynamoDB

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
    """Every region botocore knows DynamoDB in, across partitions (GovCloud, China, ISO)."""
    session = botocore.session.get_session()
    regions = [
        region
        for partition in session.get_available_partitions()
        for region in session.get_available_regions("dynamodb", partition_name=partition)
    ]
    assert {"us-east-1", "us-gov-west-1", "cn-north-1", "eu-central-2"} <= set(regions)

    assert [region for region in regions if dynamodb_setting_errors(region, None)] == []


@pytest.mark.parametrize("region", BAD_REGIONS)
def test_malformed_region_is_named(region: str) -> None:
    assert dynamodb_setting_errors(region, None) == [
        f"AWS_REGION must be an AWS region name such as us-east-1, not {region!r}"
    ]


@pytest.mark.parametrize("url", BAD_ENDPOINTS)
def test_malformed_endpoint_url_is_named(url: str) -> None:
    (error,) = dynamodb_setting_errors("eu-west-1", url)
    assert error.startswith("DYNAMODB_ENDPOINT_URL must be an http:// or https:// URL")
    assert error.endswith(f", not {url!r}")


@pytest.mark.parametrize("url", GOOD_ENDPOINTS)
def test_endpoint_urls_botocore_takes_are_accepted(url: str) -> None:
    assert dynamodb_setting_errors("eu-west-1", url) == []
    # What the app will do with it: botocore makes a client for it.
    dynamodb_client(url, "eu-west-1")


def test_both_malformed_settings_are_named() -> None:
    errors = dynamodb_setting_errors("us east 1", "127.0.0.1:8000")
    assert [error.split()[0] for error in errors] == ["AWS_REGION", "DYNAMODB_ENDPOINT_URL"]


def test_the_client_has_no_retries_of_its_own_and_an_attempt_fits_the_deadline() -> None:
    """botocore has no overall deadline and its backoff may exceed what is left of one:
    ``DynamoDB.call`` retries instead, only while a whole attempt still fits."""
    config = dynamodb_client("http://127.0.0.1:8000", "eu-west-1").meta.config
    # botocore's stubs do not list Config's options as attributes.
    options = {name: getattr(config, name) for name in ("retries", "connect_timeout", "read_timeout")}
    assert options == {
        "retries": {"mode": "standard", "total_max_attempts": 1},
        "connect_timeout": CONNECT_TIMEOUT_SECONDS,
        "read_timeout": READ_TIMEOUT_SECONDS,
    }
    assert CONNECT_TIMEOUT_SECONDS + READ_TIMEOUT_SECONDS == ATTEMPT_SECONDS < DEADLINE_SECONDS
    # An answer lost once (a read timeout) is asked for again, and the retry still fits.
    assert READ_TIMEOUT_SECONDS + ATTEMPT_SECONDS <= DEADLINE_SECONDS


def test_the_client_sends_a_fixed_user_agent_and_leaves_validation_to_dynamodb(
    dynamodb_env: LocalDynamoDB,
) -> None:
    """Both cost CPU on every call (issue 26); neither changes what a request does."""
    client = dynamodb_client(dynamodb_env.endpoint_url, REGION)
    user_agents: list[str] = []

    def record(request: AWSPreparedRequest, **kwargs: object) -> None:
        sent: str | bytes = request.headers["User-Agent"]
        user_agents.append(sent.decode() if isinstance(sent, bytes) else sent)

    client.meta.events.register("before-send.dynamodb", record)
    key = {"shortcode": {"S": "abc"}}
    with pytest.raises(ClientError) as missing:
        client.get_item(TableName="no-such-table", Key=key)
    # A table name botocore would have refused (at least 3 characters) reaches DynamoDB,
    # which refuses it as a client error: a logged 500, as botocore's refusal was.
    with pytest.raises(ClientError) as refused:
        client.get_item(TableName="x", Key=key)
    assert [error.value.response["Error"]["Code"] for error in (missing, refused)] == [
        "ResourceNotFoundException",
        "ValidationException",
    ]
    # The same string each time, ours: not one botocore built (which starts "Boto3/").
    assert len(user_agents) == 2
    assert user_agents[0] == user_agents[1]
    assert user_agents[0].startswith(f"{user_agent()} ")
    assert user_agent() == f"{USER_AGENT_PREFIX} Boto3/{boto3.__version__}"


def test_the_client_comes_from_the_config_the_settings_load() -> None:
    assert isinstance(DynamoDB.from_config({"AWS_REGION": "eu-west-1", "DYNAMODB_MAX_ATTEMPTS": 2}), DynamoDB)
    with pytest.raises(TypeError, match="AWS_REGION None or DYNAMODB_MAX_ATTEMPTS 3 has the wrong type"):
        DynamoDB.from_config({"AWS_REGION": None, "DYNAMODB_MAX_ATTEMPTS": 3})
