"""A prop of the wrong type fails at synth time with a TypeError naming the prop, what it got and
what it wants, instead of a raw AttributeError from deep inside the construct."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from aws_cdk import Stack
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_secretsmanager as secretsmanager

from constructs_lib import (
    AppRunnerService,
    AutoScalingConfig,
    ExpressService,
    HealthCheck,
    Secret,
    Source,
)

IMAGE = "public.ecr.aws/aws-containers/hello-app-runner:latest"
SERVICES: dict[str, Callable[..., object]] = {
    "AppRunnerService": AppRunnerService,
    "ExpressService": ExpressService,
}


def _cdk_secret(scope: Stack, id: str) -> secretsmanager.Secret:
    return secretsmanager.Secret(scope, f"{id}CdkSecret")


# (prop, bad value or a function of (scope, id) that makes it, what the message must say)
COMMON_CASES: list[tuple[str, Any, str]] = [
    ("source", "web", r"^`source` must be a Source \(Source.from_asset\(...\), .*\), got str 'web'$"),
    ("cpu", "1 vCPU", r"^`cpu` must be a Cpu \(Cpu.ONE_VCPU or Cpu.of\(\"1 vCPU\"\)\), got str '1 vCPU'$"),
    ("memory", 2048, r"^`memory` must be a Memory \(Memory.TWO_GB or Memory.of\(\"2 GB\"\)\), got int 2048$"),
    ("health_check", "/healthz", r"^`health_check` must be a HealthCheck \(.*\), got str '/healthz'$"),
    ("environment", ["A=b"], r"^`environment` must be a mapping of names to a str, got list$"),
    ("environment", {"A": 1}, r"^`environment\['A'\]` must be a str, got int 1$"),
    (
        "secrets",
        lambda scope, id: {"K": _cdk_secret(scope, id)},
        r"^`secrets\['K'\]` must be a constructs_lib Secret \(Secret.from_secrets_manager\(secret\) or "
        r"Secret.from_ssm_parameter\(parameter\)\), got aws_cdk.aws_secretsmanager.Secret$",
    ),
    ("start_command", ["serve"], r"^`start_command` must be a str, got list$"),
    ("port", "8080", r"^`port` must be a whole number \(int\), got str '8080'$"),
    ("vpc", "vpc-0123", r"^`vpc` must be an ec2.IVpc \(.*\), got str 'vpc-0123'$"),
    ("output_url", "yes", r"^`output_url` must be a bool, got str 'yes'$"),
]
APP_RUNNER_CASES: list[tuple[str, Any, str]] = [
    (
        "instance_role",
        "arn:aws:iam::123456789012:role/x",
        r"^`instance_role` must be an iam.IRole \(.*\), got str",
    ),
    ("tracing", 1, r"^`tracing` must be a bool, got int 1$"),
    (
        "auto_scaling_config",
        3,
        r"^`auto_scaling_config` must be an AutoScalingConfig or an auto scaling .*got int 3$",
    ),
]
EXPRESS_CASES: list[tuple[str, Any, str]] = [
    ("task_role", "role", r"^`task_role` must be an iam.IRole \(.*\), got str 'role'$"),
    ("min_tasks", "2", r"^`min_tasks` must be a whole number \(int\), got str '2'$"),
    ("log_retention", 30, r"^`log_retention` must be a logs.RetentionDays, got int 30$"),
    ("tags", {"team": 1}, r"^`tags\['team'\]` must be a str, got int 1$"),
]


def _cases() -> list[Any]:
    cases = []
    for service, factory in SERVICES.items():
        specific = APP_RUNNER_CASES if service == "AppRunnerService" else EXPRESS_CASES
        for prop, value, message in COMMON_CASES + specific:
            case = (factory, prop, value, message)
            cases.append(pytest.param(case, id=f"{service}-{prop}-{type(value).__name__}"))
    return cases


@pytest.mark.parametrize("case", _cases())
def test_a_prop_of_the_wrong_type_is_named(
    scratch: Stack, new_id: str, case: tuple[Callable[..., object], str, Any, str]
) -> None:
    factory, prop, value, message = case
    props: dict[str, Any] = {"source": Source.from_ecr_public(IMAGE)}
    props[prop] = value(scratch, new_id) if callable(value) else value
    with pytest.raises(TypeError, match=message):
        factory(scratch, new_id, **props)


@pytest.mark.parametrize("factory", SERVICES.values(), ids=SERVICES.keys())
def test_a_missing_source_is_named(scratch: Stack, new_id: str, factory: Callable[..., object]) -> None:
    with pytest.raises(TypeError, match=r"^`source` is required: Source.from_asset\(...\)"):
        factory(scratch, new_id, source=None)


@pytest.mark.parametrize("factory", SERVICES.values(), ids=SERVICES.keys())
def test_add_secret_and_add_environment_variable_check_their_arguments(
    scratch: Stack, new_id: str, factory: Callable[..., Any]
) -> None:
    service = factory(scratch, new_id, source=Source.from_ecr_public(IMAGE))
    with pytest.raises(
        TypeError, match=r"^`secret` must be a constructs_lib Secret .*got aws_cdk.aws_secretsmanager"
    ):
        service.add_secret("K", _cdk_secret(scratch, new_id))
    with pytest.raises(TypeError, match=r"^`value` must be a str, got int 3$"):
        service.add_environment_variable("K", 3)
    with pytest.raises(TypeError, match=r"^`name` of an environment variable must be a str, got int 3$"):
        service.add_environment_variable(3, "x")


def test_security_groups_must_be_a_list_of_groups(scratch: Stack, new_id: str) -> None:
    vpc = ec2.Vpc(scratch, f"{new_id}Vpc", max_azs=2, nat_gateways=0)
    text: Any = "sg-1"
    with pytest.raises(
        TypeError, match=r"^`security_groups` must be a list of ec2.ISecurityGroup, got str 'sg-1'$"
    ):
        ExpressService(scratch, new_id, source=Source.from_ecr_public(IMAGE), vpc=vpc, security_groups=text)
    with pytest.raises(
        TypeError, match=r"^`security_groups\[0\]` must be an ec2.ISecurityGroup, got str 'sg-1'$"
    ):
        ExpressService(
            scratch, f"{new_id}B", source=Source.from_ecr_public(IMAGE), vpc=vpc, security_groups=[text]
        )


FACTORY_CASES: list[tuple[Callable[..., object], dict[str, Any], str]] = [
    (
        Source.from_asset,
        {"directory": 3},
        r"^`directory` must be a str \(the path of the Docker build context\), got int 3$",
    ),
    (
        Source.from_ecr,
        {"repository": "my-repo"},
        r"^`repository` must be an ecr.IRepository, got str 'my-repo'$",
    ),
    (Source.from_ecr_public, {"image_identifier": None}, r"^`image_identifier` must be a str, got NoneType$"),
    (
        Secret.from_secrets_manager,
        {"secret": "arn:aws:secretsmanager:x"},
        r"^`secret` must be a secretsmanager.ISecret",
    ),
    (
        Secret.from_ssm_parameter,
        {"parameter": "/my/param"},
        r"^`parameter` must be an ssm.IParameter, got str '/my/param'$",
    ),
    (
        HealthCheck.http,
        {"interval": 5},
        r"^`interval` must be a Duration \(Duration.seconds\(n\)\), got int 5$",
    ),
    (HealthCheck.http, {"path": 3}, r"^`path` must be a str, got int 3$"),
    (
        HealthCheck.tcp,
        {"healthy_threshold": "2"},
        r"^`healthy_threshold` must be a whole number \(int\), got str '2'$",
    ),
]


@pytest.mark.parametrize(("make", "props", "message"), FACTORY_CASES)
def test_factories_name_the_wrong_type(
    make: Callable[..., object], props: dict[str, Any], message: str
) -> None:
    with pytest.raises(TypeError, match=message):
        make(**props)


def test_auto_scaling_config_names_the_wrong_type(scratch: Stack, new_id: str) -> None:
    seven: Any = 7
    five: Any = "5"
    with pytest.raises(TypeError, match=r"^`name` must be a str, got int 7$"):
        AutoScalingConfig(scratch, new_id, name=seven)
    with pytest.raises(TypeError, match=re.escape("`max_size` must be a whole number (int), got str '5'")):
        AutoScalingConfig(scratch, f"{new_id}B", name="web-small", max_size=five)
