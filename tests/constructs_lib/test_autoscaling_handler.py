"""The custom resource handler against botocore's Stubber, which validates every request and
response against the real App Runner API model. No network, no AWS account."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from aws_cdk import App, Stack
from aws_cdk.assertions import Capture, Template
from botocore.stub import Stubber

from constructs_lib import AutoScalingConfig
from constructs_lib.autoscaling.handler import index

PREFIX = "arn:aws:apprunner:us-east-1:123456789012:autoscalingconfiguration/web-small"
ARN_1 = f"{PREFIX}/1/0123456789abcdef0123456789abcdef"
ARN_2 = f"{PREFIX}/2/fedcba9876543210fedcba9876543210"
PROPERTIES = {
    "ServiceToken": "arn:aws:lambda:us-east-1:123456789012:function:provider",
    "AutoScalingConfigurationName": "web-small",
    "MinSize": "2",
    "MaxSize": "5",
    "MaxConcurrency": "50",
}


@pytest.fixture
def stubber(monkeypatch: pytest.MonkeyPatch) -> Iterator[Stubber]:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    index._client.cache_clear()
    with Stubber(index._client()) as stub:
        yield stub
        stub.assert_no_pending_responses()
    index._client.cache_clear()


def _event(request_type: str, **extra: Any) -> dict[str, Any]:
    return {
        "RequestType": request_type,
        "ResponseURL": "https://cloudformation-custom-resource-response.example/secret-signature",
        "StackId": "arn:aws:cloudformation:us-east-1:123456789012:stack/s/1",
        "RequestId": "request-1",
        "LogicalResourceId": "Scaling",
        "ResourceType": "Custom::AppRunnerAutoScalingConfiguration",
        "ResourceProperties": PROPERTIES,
        **extra,
    }


def _created(arn: str, revision: int) -> dict[str, Any]:
    return {
        "AutoScalingConfiguration": {
            "AutoScalingConfigurationArn": arn,
            "AutoScalingConfigurationName": "web-small",
            "AutoScalingConfigurationRevision": revision,
            "Latest": True,
            "Status": "ACTIVE",
            "MaxConcurrency": 50,
            "MinSize": 2,
            "MaxSize": 5,
        }
    }


EXPECTED_CREATE = {
    "AutoScalingConfigurationName": "web-small",
    "MinSize": 2,
    "MaxSize": 5,
    "MaxConcurrency": 50,
}


def test_create_returns_the_arn_as_physical_id(stubber: Stubber) -> None:
    stubber.add_response("create_auto_scaling_configuration", _created(ARN_1, 1), EXPECTED_CREATE)
    assert index.on_event(_event("Create"), None) == {"PhysicalResourceId": ARN_1, "Data": {"Arn": ARN_1}}


def _described(arn: str, revision: int, **changes: Any) -> dict[str, Any]:
    configuration = {**_created(arn, revision)["AutoScalingConfiguration"], **changes}
    return {"AutoScalingConfiguration": configuration}


def test_update_creates_a_new_revision(stubber: Stubber) -> None:
    stubber.add_response(
        "describe_auto_scaling_configuration",
        _described(ARN_1, 1, MaxSize=3),
        {"AutoScalingConfigurationArn": ARN_1},
    )
    stubber.add_response("create_auto_scaling_configuration", _created(ARN_2, 2), EXPECTED_CREATE)
    event = _event("Update", PhysicalResourceId=ARN_1, OldResourceProperties={**PROPERTIES, "MaxSize": "3"})
    # A new physical id: CloudFormation deletes revision 1 once the services use revision 2.
    assert index.on_event(event, None) == {"PhysicalResourceId": ARN_2, "Data": {"Arn": ARN_2}}


def test_a_rollback_to_what_the_revision_already_is_keeps_it(stubber: Stubber) -> None:
    # The Update to MaxSize 8 failed; CloudFormation rolls back with the old properties for the
    # old physical id, which the service still uses. A new revision would orphan it.
    stubber.add_response(
        "describe_auto_scaling_configuration", _described(ARN_1, 1), {"AutoScalingConfigurationArn": ARN_1}
    )
    event = _event("Update", PhysicalResourceId=ARN_1, OldResourceProperties={**PROPERTIES, "MaxSize": "8"})
    assert index.on_event(event, None) == {"PhysicalResourceId": ARN_1, "Data": {"Arn": ARN_1}}


@pytest.mark.parametrize(
    "difference",
    [
        {"MinSize": 1},
        {"MaxConcurrency": 100},
        {"AutoScalingConfigurationName": "web-large"},
        {"Status": "INACTIVE"},
    ],
)
def test_an_update_to_anything_else_creates_a_revision(stubber: Stubber, difference: dict[str, Any]) -> None:
    stubber.add_response(
        "describe_auto_scaling_configuration",
        _described(ARN_1, 1, **difference),
        {"AutoScalingConfigurationArn": ARN_1},
    )
    stubber.add_response("create_auto_scaling_configuration", _created(ARN_2, 2), EXPECTED_CREATE)
    event = _event("Update", PhysicalResourceId=ARN_1, OldResourceProperties=PROPERTIES)
    assert index.on_event(event, None)["PhysicalResourceId"] == ARN_2


def test_an_update_of_a_deleted_revision_creates_one(stubber: Stubber) -> None:
    stubber.add_client_error(
        "describe_auto_scaling_configuration",
        service_error_code="ResourceNotFoundException",
        http_status_code=400,
        expected_params={"AutoScalingConfigurationArn": ARN_1},
    )
    stubber.add_response("create_auto_scaling_configuration", _created(ARN_2, 2), EXPECTED_CREATE)
    event = _event("Update", PhysicalResourceId=ARN_1, OldResourceProperties=PROPERTIES)
    assert index.on_event(event, None)["PhysicalResourceId"] == ARN_2


def test_a_failed_describe_raises_a_clear_message(stubber: Stubber) -> None:
    stubber.add_client_error(
        "describe_auto_scaling_configuration",
        service_error_code="AccessDeniedException",
        service_message="not allowed",
        http_status_code=400,
        expected_params={"AutoScalingConfigurationArn": ARN_1},
    )
    event = _event("Update", PhysicalResourceId=ARN_1, OldResourceProperties=PROPERTIES)
    with pytest.raises(
        RuntimeError, match=rf"^Describing App Runner auto scaling configuration {ARN_1} failed: "
    ):
        index.on_event(event, None)


def test_delete_removes_that_revision(stubber: Stubber) -> None:
    stubber.add_response(
        "delete_auto_scaling_configuration", _created(ARN_1, 1), {"AutoScalingConfigurationArn": ARN_1}
    )
    assert index.on_event(_event("Delete", PhysicalResourceId=ARN_1), None) == {"PhysicalResourceId": ARN_1}


def test_delete_of_a_missing_configuration_succeeds(stubber: Stubber) -> None:
    stubber.add_client_error(
        "delete_auto_scaling_configuration",
        service_error_code="ResourceNotFoundException",
        http_status_code=400,
        expected_params={"AutoScalingConfigurationArn": ARN_1},
    )
    assert index.on_event(_event("Delete", PhysicalResourceId=ARN_1), None) == {"PhysicalResourceId": ARN_1}


def test_create_failure_raises_a_clear_message(stubber: Stubber) -> None:
    stubber.add_client_error(
        "create_auto_scaling_configuration",
        service_error_code="ServiceQuotaExceededException",
        service_message="Too many configurations",
        http_status_code=402,
        expected_params=EXPECTED_CREATE,
    )
    with pytest.raises(
        RuntimeError,
        match=r"Creating App Runner auto scaling configuration 'web-small' failed: .*Too many configurations",
    ):
        index.on_event(_event("Create"), None)


def test_delete_failure_raises_a_clear_message(stubber: Stubber) -> None:
    stubber.add_client_error(
        "delete_auto_scaling_configuration",
        service_error_code="InvalidRequestException",
        service_message="Configuration is in use",
        http_status_code=400,
        expected_params={"AutoScalingConfigurationArn": ARN_1},
    )
    with pytest.raises(
        RuntimeError, match=rf"Deleting App Runner auto scaling configuration {ARN_1} failed: .*in use"
    ):
        index.on_event(_event("Delete", PhysicalResourceId=ARN_1), None)


def test_response_url_is_never_logged(stubber: Stubber, caplog: pytest.LogCaptureFixture) -> None:
    stubber.add_response("create_auto_scaling_configuration", _created(ARN_1, 1), EXPECTED_CREATE)
    with caplog.at_level("INFO"):
        index.on_event(_event("Create"), None)
    assert "secret-signature" not in caplog.text
    assert "<redacted>" in caplog.text


def test_unknown_request_type_is_rejected(stubber: Stubber) -> None:
    with pytest.raises(ValueError, match=r"Unsupported RequestType 'Rollback'"):
        index.on_event(_event("Rollback"), None)


def test_a_slow_api_fails_well_before_the_lambda_times_out() -> None:
    stack = Stack(App(), "Test")
    AutoScalingConfig(stack, "Scaling", name="web-small")
    timeout = Capture()
    Template.from_stack(stack).has_resource_properties(
        "AWS::Lambda::Function", {"Handler": "index.on_event", "Timeout": timeout}
    )
    # The client as botocore normalizes it: total attempts, whichever retries key was used.
    client = boto3.client(
        "apprunner",
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=index._CLIENT_CONFIG,
    )
    config: Any = client.meta.config  # botocore sets its attributes dynamically: untyped
    attempts = config.retries["total_max_attempts"]
    # Standard mode waits at most min(2 ** i, 20) s before retry i (throttling, the slowest).
    backoff = sum(min(2**i, 20) for i in range(attempts - 1))
    worst = attempts * (config.connect_timeout + config.read_timeout) + backoff
    # A quarter of the timeout is left for start-up, logging and the error response.
    assert worst <= 0.75 * timeout.as_number(), f"{worst} s of API calls in a {timeout.as_number()} s Lambda"
