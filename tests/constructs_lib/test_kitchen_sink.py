"""One stack using every feature of the library, on both platforms, must pass every quality gate."""

from __future__ import annotations

from typing import Any

import pytest
from aws_cdk import Acknowledgment, App, Duration, IgnoreMode, Stack, Validations
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_ssm as ssm
from aws_cdk.assertions import Template

from constructs_lib import (
    AppRunnerService,
    AutoScalingConfig,
    ConfigurationSource,
    Cpu,
    ExpressService,
    HealthCheck,
    IpAddressType,
    Memory,
    Runtime,
    ScalingMetric,
    Secret,
    Source,
    VpcConnectedService,
)
from tests.support.gates import (
    acknowledgements,
    cfn_lint_findings,
    nag_findings,
    reason_problems,
    secret_literals,
)

CONNECTION = "arn:aws:apprunner:us-east-1:123456789012:connection/github/0123456789abcdef"
PUBLIC_IMAGE = "public.ecr.aws/aws-containers/hello-app-runner:latest"


def _fixture_secret(stack: Stack, id: str) -> secretsmanager.Secret:
    secret = secretsmanager.Secret(stack, id)
    Validations.of(secret).acknowledge(
        Acknowledgment(
            id="AwsSolutions-SMG4",
            reason="This test fixture secret stands in for an application secret whose rotation "
            "is owned by the application, not by the construct library.",
        )
    )
    return secret


def _build(asset_directory: str) -> tuple[App, Stack]:
    app = App()
    stack = Stack(app, "KitchenSink")
    key = kms.Key(stack, "Key", enable_key_rotation=True)
    scaling = AutoScalingConfig(
        stack, "Scaling", name="kitchen-sink", min_size=1, max_size=4, max_concurrency=80
    )
    AutoScalingConfig(stack, "OtherScaling", name="kitchen-sink-2")
    whole = _fixture_secret(stack, "ApiKey")
    database = _fixture_secret(stack, "Database")
    parameter = ssm.StringParameter(stack, "Setting", string_value="on")

    service = AppRunnerService(
        stack,
        "Asset",
        source=Source.from_asset(
            asset_directory,
            file="Dockerfile",
            build_args={"APP": "demo"},
            exclude=["*", "!Dockerfile"],
            ignore_mode=IgnoreMode.DOCKER,
        ),
        service_name="kitchen-sink-asset",
        port=8080,
        start_command="python -m http.server 8080",
        environment={"LOG_LEVEL": "info"},
        secrets={"API_KEY": Secret.from_secrets_manager(whole)},
        cpu=Cpu.TWO_VCPU,
        memory=Memory.FOUR_GB,
        health_check=HealthCheck.http(
            path="/healthz", interval=Duration.seconds(10), timeout=Duration.seconds(5)
        ),
        auto_scaling_config=scaling,
        tracing=True,
        auto_deployments_enabled=True,
        kms_key=key,
        is_publicly_accessible=True,
        ip_address_type=IpAddressType.DUAL_STACK,
        output_url=True,
    )
    service.add_secret("DB_PASSWORD", Secret.from_secrets_manager(database, field="password"))
    service.add_secret("SETTING", Secret.from_ssm_parameter(parameter))

    repository = ecr.Repository(stack, "Repository", image_scan_on_push=True)
    AppRunnerService(stack, "Ecr", source=Source.from_ecr(repository, "v1"), health_check=HealthCheck.tcp())
    AppRunnerService(
        stack,
        "Public",
        source=Source.from_ecr_public(PUBLIC_IMAGE),
        cpu=Cpu.QUARTER_VCPU,
        memory=Memory.HALF_GB,
    )
    AppRunnerService(
        stack,
        "Code",
        source=Source.from_code_repository(
            "https://github.com/owner/repo",
            "main",
            CONNECTION,
            runtime=Runtime.PYTHON_311,
            build_command="pip install -r requirements.txt",
            start_command="python app.py",
        ),
        port=8000,
        secrets={"TOKEN": Secret.from_ssm_parameter(parameter)},
    )
    AppRunnerService(
        stack,
        "CodeFromRepository",
        source=Source.from_code_repository(
            "https://github.com/owner/repo",
            "main",
            CONNECTION,
            configuration_source=ConfigurationSource.REPOSITORY,
        ),
    )

    vpc = ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=1)
    vpc.add_flow_log("FlowLog")
    connected = VpcConnectedService(
        stack, "Connected", vpc=vpc, source=Source.from_ecr_public(PUBLIC_IMAGE), auto_scaling_config=scaling
    )
    cache = ec2.SecurityGroup(stack, "Cache", vpc=vpc, description="Cache reachable from the service only")
    cache.connections.allow_from(connected, ec2.Port.tcp(6379), "Redis from the App Runner service")

    express = ExpressService(
        stack,
        "Express",
        source=Source.from_asset(asset_directory, build_args={"APP": "demo"}),
        port=8000,
        start_command="python -m http.server 8000",
        environment={"LOG_LEVEL": "info"},
        secrets={"API_KEY": Secret.from_secrets_manager(whole)},
        cpu=Cpu.EIGHT_VCPU,
        memory=Memory.of("20 GB"),
        health_check=HealthCheck.http(path="/healthz"),
        min_tasks=2,
        max_tasks=8,
        scaling_metric=ScalingMetric.REQUEST_COUNT_PER_TARGET,
        scaling_target=6000,
        vpc=vpc,
        log_retention=logs.RetentionDays.ONE_WEEK,
        service_name="kitchen-sink-express",
        tags={"team": "platform"},
        output_url=True,
    )
    express.add_secret("DB_PASSWORD", Secret.from_secrets_manager(database, field="password"))
    express.add_secret("SETTING", Secret.from_ssm_parameter(parameter))
    cache.connections.allow_from(express, ec2.Port.tcp(6379), "Redis from the ECS Express Mode service")
    ExpressService(
        stack,
        "ExpressPrivate",
        source=Source.from_ecr(repository, "v1"),
        vpc=vpc,
        vpc_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS),
        security_groups=[cache],
        scaling_metric=ScalingMetric.AVERAGE_MEMORY,
    )
    ExpressService(stack, "ExpressDefaultVpc", source=Source.from_ecr_public(PUBLIC_IMAGE))
    return app, stack


@pytest.fixture(scope="module")
def kitchen_sink(asset_directory: str) -> tuple[App, dict[str, Any]]:
    app, stack = _build(asset_directory)
    return app, dict(Template.from_stack(stack).to_json())


def test_cdk_nag_is_clean(kitchen_sink: tuple[App, dict[str, Any]]) -> None:
    app, _ = kitchen_sink
    assert nag_findings(app) == []


def test_cfn_lint_is_clean(kitchen_sink: tuple[App, dict[str, Any]]) -> None:
    _, template = kitchen_sink
    assert cfn_lint_findings(template) == []


def test_no_secret_in_the_template(kitchen_sink: tuple[App, dict[str, Any]]) -> None:
    _, template = kitchen_sink
    assert secret_literals(template) == []


def test_every_acknowledgement_has_a_reason(kitchen_sink: tuple[App, dict[str, Any]]) -> None:
    app, _ = kitchen_sink
    acks = acknowledgements(app)
    assert any("AwsSolutions-" in ack.rule_id for ack in acks)
    assert reason_problems(acks) == []


def test_every_feature_is_in_the_template(kitchen_sink: tuple[App, dict[str, Any]]) -> None:
    _, template = kitchen_sink
    types = [resource["Type"] for resource in template["Resources"].values()]
    assert types.count("AWS::AppRunner::Service") == 6
    assert types.count("AWS::ECS::ExpressGatewayService") == 3
    for resource_type in (
        "AWS::AppRunner::VpcConnector",
        "AWS::AppRunner::ObservabilityConfiguration",
        "Custom::AppRunnerAutoScalingConfiguration",
    ):
        assert resource_type in types
