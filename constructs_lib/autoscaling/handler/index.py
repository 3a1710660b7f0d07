"""Custom resource handler: App Runner auto scaling configurations (boto3 and stdlib only).

Invoked by the CDK Provider framework, which reports the result to CloudFormation: a
return value is success, an exception is a failure with its message (never a hang).
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
from collections.abc import Iterator
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
    if request_type in ("Create", "Update"):
        # Update creates a new revision; CloudFormation deletes the old physical id afterwards,
        # once every service uses the new one.
        return _create(event["ResourceProperties"])
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


def _create(properties: dict[str, Any]) -> dict[str, Any]:
    name = properties["AutoScalingConfigurationName"]
    with _reported(f"Creating App Runner auto scaling configuration {name!r}"):
        # CloudFormation passes every property as a string.
        response = _client().create_auto_scaling_configuration(
            AutoScalingConfigurationName=name,
            MinSize=int(properties["MinSize"]),
            MaxSize=int(properties["MaxSize"]),
            MaxConcurrency=int(properties["MaxConcurrency"]),
        )
    arn = response["AutoScalingConfiguration"]["AutoScalingConfigurationArn"]
    LOGGER.info("Created %s", arn)
    return {"PhysicalResourceId": arn, "Data": {"Arn": arn}}


def _delete(physical_id: str) -> dict[str, Any]:
    # Only ARNs arrive here: the Provider framework answers the Delete after a failed Create itself.
    client = _client()
    with _reported(f"Deleting App Runner auto scaling configuration {physical_id}"):
        try:
            client.delete_auto_scaling_configuration(AutoScalingConfigurationArn=physical_id)
        except client.exceptions.ResourceNotFoundException:
            LOGGER.info("Already deleted: %s", physical_id)
    return {"PhysicalResourceId": physical_id}
