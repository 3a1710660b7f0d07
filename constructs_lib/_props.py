"""Type checks of the props both services take, so a wrong type fails with a message that
names the prop, what it got and what it wants instead of a raw ``AttributeError`` later."""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import aws_ec2 as ec2

from constructs_lib._validation import check_interface, check_mapping, check_type, shown
from constructs_lib.health_check import HealthCheck
from constructs_lib.secret import Secret
from constructs_lib.sizing import Cpu, Memory
from constructs_lib.source import Source

SECRET = (
    "a constructs_lib Secret (Secret.from_secrets_manager(secret) or Secret.from_ssm_parameter(parameter))"
)
SOURCE = (
    "Source.from_asset(...), Source.from_ecr(...), Source.from_ecr_public(...) or "
    "Source.from_code_repository(...)"
)
ROLE = "an iam.IRole (iam.Role(...) or iam.Role.from_role_arn(...))"


def check_role(prop: str, value: object) -> None:
    check_interface(prop, value, "role_arn", ROLE)


def check_secret(prop: str, value: object) -> None:
    check_type(prop, value, Secret, SECRET)


def check_service_props(
    *,
    source: object,
    start_command: object,
    environment: object,
    secrets: object,
    cpu: object,
    memory: object,
    health_check: object,
    vpc: object,
    vpc_subnets: object,
    security_groups: object,
    output_url: object,
) -> None:
    """The props ``AppRunnerService`` and ``ExpressService`` share (numbers are range-checked,
    which checks their type too)."""
    if source is None:
        raise TypeError(f"`source` is required: {SOURCE}")
    check_type("source", source, Source, f"a Source ({SOURCE})")
    check_type("start_command", start_command, str, "a str")
    check_mapping("environment", environment, str, "a str")
    check_mapping("secrets", secrets, Secret, SECRET)
    check_type("cpu", cpu, Cpu, 'a Cpu (Cpu.ONE_VCPU or Cpu.of("1 vCPU"))')
    check_type("memory", memory, Memory, 'a Memory (Memory.TWO_GB or Memory.of("2 GB"))')
    check_type(
        "health_check",
        health_check,
        HealthCheck,
        "a HealthCheck (HealthCheck.http(...) or HealthCheck.tcp())",
    )
    check_interface("vpc", vpc, "vpc_id", "an ec2.IVpc (ec2.Vpc(...) or ec2.Vpc.from_lookup(...))")
    check_type("vpc_subnets", vpc_subnets, ec2.SubnetSelection, "an ec2.SubnetSelection")
    if security_groups is not None:
        if isinstance(security_groups, str) or not isinstance(security_groups, Sequence):
            raise TypeError(
                f"`security_groups` must be a list of ec2.ISecurityGroup, got {shown(security_groups)}"
            )
        for index, group in enumerate(security_groups):
            check_interface(f"security_groups[{index}]", group, "security_group_id", "an ec2.ISecurityGroup")
    check_type("output_url", output_url, bool, "a bool")
