"""Custom resource handler: App Runner auto scaling configurations (boto3 and stdlib only).

Invoked by the CDK Provider framework, which reports the result to CloudFormation: a
return value is success, an exception is a failure with its message (never a hang).
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

if TYPE_CHECKING:
    from mypy_boto3_apprunner import AppRunnerClient

LOGGER = logging.getLogger()
LOGGER.setLevel(logging.INFO)

# Fail fast: the Provider framework retries nothing, CloudFormation gets our error message. A slow
# API must end in that message, not in "Task timed out": 3 attempts x (3 s + 10 s) plus at most
# 3 s of backoff is 42 s, well within the function's 1-minute timeout. (total_max_attempts counts
# the first call; botocore's max_attempts would not.)
_CLIENT_CONFIG = Config(
    connect_timeout=3, read_timeout=10, retries={"total_max_attempts": 3, "mode": "standard"}
)


@functools.cache
def _client() -> AppRunnerClient:
    return boto3.client("apprunner", config=_CLIENT_CONFIG)


def on_event(event: dict[str, Any], context: object) -> dict[str, Any]:
    """Dispatch a CloudFormation Create, Update or Delete request."""
    # The pre-signed ResponseURL lets anyone answer for this resource: never log it.
    LOGGER.info(json.dumps({**event, "ResponseURL": "<redacted>"}, default=str))
    request_type = event["RequestType"]
    if request_type == "Create":
        return _create(event["ResourceProperties"])
    if request_type == "Update":
        return _update(event["PhysicalResourceId"], event["ResourceProperties"])
    if request_type == "Delete":
        return _delete(event["PhysicalResourceId"])
    raise ValueError(f"Unsupported RequestType {request_type!r}")


@contextlib.contextmanager
def _reported(action: str) -> Iterator[None]:
    """Turn an App Runner API failure into an error message CloudFormation shows."""
    try:
        yield
    except (ClientError, BotoCoreError) as error:
        raise RuntimeError(f"{action} failed: {error}") from error


def _requested(properties: dict[str, Any]) -> dict[str, Any]:
    """The configuration ``properties`` ask for, as App Runner's API spells it."""
    # CloudFormation passes every property as a string.
    return {
        "AutoScalingConfigurationName": properties["AutoScalingConfigurationName"],
        "MinSize": int(properties["MinSize"]),
        "MaxSize": int(properties["MaxSize"]),
        "MaxConcurrency": int(properties["MaxConcurrency"]),
    }


def _result(arn: str) -> dict[str, Any]:
    return {"PhysicalResourceId": arn, "Data": {"Arn": arn}}


def _create(properties: dict[str, Any]) -> dict[str, Any]:
    requested = _requested(properties)
    with _reported(
        f"Creating App Runner auto scaling configuration {requested['AutoScalingConfigurationName']!r}"
    ):
        response = _client().create_auto_scaling_configuration(**requested)
    arn = response["AutoScalingConfiguration"]["AutoScalingConfigurationArn"]
    LOGGER.info("Created %s", arn)
    return _result(arn)


def _matches(current: Mapping[str, Any], requested: Mapping[str, Any]) -> bool:
    return all(current.get(key) == value for key, value in requested.items())


def _update(physical_id: str, properties: dict[str, Any]) -> dict[str, Any]:
    """The revision behind ``physical_id`` if it already is what ``properties`` ask for, else a new one.

    A new revision gets a new physical id, and CloudFormation deletes the old one once every
    service uses the new one. The rollback of an Update that failed sends the old properties
    back for the old physical id: that revision is kept (the service still uses it), not
    joined by yet another one that would orphan it.
    """
    client = _client()
    with _reported(f"Describing App Runner auto scaling configuration {physical_id}"):
        try:
            current = client.describe_auto_scaling_configuration(AutoScalingConfigurationArn=physical_id)[
                "AutoScalingConfiguration"
            ]
        except client.exceptions.ResourceNotFoundException:
            current = None
    requested = _requested(properties)
    if current is not None and current.get("Status") == "ACTIVE" and _matches(current, requested):
        LOGGER.info("Already as requested: %s", physical_id)
        return _result(physical_id)
    return _create(properties)


def _delete(physical_id: str) -> dict[str, Any]:
    # Only ARNs arrive here: the Provider framework answers the Delete after a failed Create itself.
    client = _client()
    with _reported(f"Deleting App Runner auto scaling configuration {physical_id}"):
        try:
            client.delete_auto_scaling_configuration(AutoScalingConfigurationArn=physical_id)
        except client.exceptions.ResourceNotFoundException:
            LOGGER.info("Already deleted: %s", physical_id)
    return {"PhysicalResourceId": physical_id}
