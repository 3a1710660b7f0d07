"""Cpu and Memory value types and each platform's CPU/memory pair check."""

from __future__ import annotations

import pytest
from aws_cdk import Stack, Token
from aws_cdk.assertions import Match, Template

from constructs_lib import AppRunnerService, Cpu, ExpressService, Memory, Source

VALID_PAIRS = [
    ("0.25 vCPU", "0.5 GB"),
    ("0.25 vCPU", "1 GB"),
    ("0.5 vCPU", "1 GB"),
    ("1 vCPU", "2 GB"),
    ("1 vCPU", "3 GB"),
    ("1 vCPU", "4 GB"),
    ("2 vCPU", "4 GB"),
    ("2 vCPU", "6 GB"),
    ("4 vCPU", "8 GB"),
    ("4 vCPU", "10 GB"),
    ("4 vCPU", "12 GB"),
]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0.25 vCPU", "0.25 vCPU"),
        ("4 vCPU", "4 vCPU"),
        ("1vcpu", "1 vCPU"),
        ("1024", "1 vCPU"),
        ("256", "0.25 vCPU"),
        ("8 vCPU", "8 vCPU"),
        ("16384", "16 vCPU"),
        ("2.0 vCPU", "2 vCPU"),
    ],
)
def test_cpu_of_normalizes(text: str, expected: str) -> None:
    assert Cpu.of(text).value == expected


@pytest.mark.parametrize(("text", "units"), [("0.25 vCPU", "256"), ("1 vCPU", "1024"), ("16 vCPU", "16384")])
def test_cpu_renders_ecs_units(text: str, units: str) -> None:
    assert Cpu.of(text).units == units


@pytest.mark.parametrize(
    "text", ["3 vCPU", "32 vCPU", "0 vCPU", "1000", "", "one vCPU", "1 GB", "1.2.3 vCPU"]
)
def test_cpu_of_rejects(text: str) -> None:
    with pytest.raises(ValueError, match=rf"`cpu` must be one of .*, got '{text}'"):
        Cpu.of(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0.5 GB", "0.5 GB"),
        ("12 GB", "12 GB"),
        ("3072", "3 GB"),
        ("2gb", "2 GB"),
        ("5 GB", "5 GB"),
        ("30 GB", "30 GB"),
        ("120 GB", "120 GB"),
        ("65536", "64 GB"),
    ],
)
def test_memory_of_normalizes(text: str, expected: str) -> None:
    assert Memory.of(text).value == expected


@pytest.mark.parametrize(("text", "mebibytes"), [("0.5 GB", "512"), ("2 GB", "2048"), ("120 GB", "122880")])
def test_memory_renders_ecs_mebibytes(text: str, mebibytes: str) -> None:
    assert Memory.of(text).mebibytes == mebibytes


@pytest.mark.parametrize(
    "text", ["1.5 GB", "31 GB", "34 GB", "68 GB", "128 GB", "0.25 GB", "2000", "", "2 MB", "x GB"]
)
def test_memory_of_rejects(text: str) -> None:
    with pytest.raises(ValueError, match=rf"`memory` must be one of .*, got '{text}'"):
        Memory.of(text)


def test_tokens_pass_unchecked() -> None:
    token = Token.as_string({"Ref": "Size"})
    assert Cpu.of(token).value == token
    assert Memory.of(token).value == token
    assert Cpu.of(token).units == token
    assert Memory.of(token).mebibytes == token


@pytest.mark.parametrize("cpu", ["8 vCPU", "16 vCPU"])
def test_app_runner_refuses_fargate_only_cpus(scratch: Stack, new_id: str, cpu: str) -> None:
    with pytest.raises(
        ValueError,
        match=rf"^`cpu` '{cpu}' is not available on App Runner; "
        r"choose one of 0.25 vCPU, 0.5 vCPU, 1 vCPU, 2 vCPU, 4 vCPU$",
    ):
        AppRunnerService(
            scratch,
            new_id,
            source=Source.from_ecr_public("public.ecr.aws/a/b"),
            cpu=Cpu.of(cpu),
            memory=Memory.of("32 GB"),
        )


@pytest.mark.parametrize(("cpu", "memory"), VALID_PAIRS)
def test_every_offered_pair_is_accepted(stack: Stack, cpu: str, memory: str) -> None:
    AppRunnerService(
        stack,
        "Service",
        source=Source.from_ecr_public("public.ecr.aws/a/b"),
        cpu=Cpu.of(cpu),
        memory=Memory.of(memory),
    )
    Template.from_stack(stack).has_resource_properties(
        "AWS::AppRunner::Service",
        {"InstanceConfiguration": Match.object_like({"Cpu": cpu, "Memory": memory})},
    )


@pytest.mark.parametrize(
    ("cpu", "memory", "allowed"),
    [
        ("0.25 vCPU", "2 GB", "0.5 GB, 1 GB"),
        ("0.5 vCPU", "0.5 GB", "1 GB"),
        ("0.5 vCPU", "2 GB", "1 GB"),
        ("1 vCPU", "1 GB", "2 GB, 3 GB, 4 GB"),
        ("1 vCPU", "6 GB", "2 GB, 3 GB, 4 GB"),
        ("2 vCPU", "3 GB", "4 GB, 6 GB"),
        ("2 vCPU", "8 GB", "4 GB, 6 GB"),
        ("4 vCPU", "6 GB", "8 GB, 10 GB, 12 GB"),
    ],
)
def test_unavailable_pair_is_rejected(
    scratch: Stack, new_id: str, cpu: str, memory: str, allowed: str
) -> None:
    with pytest.raises(
        ValueError,
        match=rf"`memory` '{memory}' is not available with `cpu` '{cpu}'; "
        rf"with {cpu} choose one of {allowed}$",
    ):
        AppRunnerService(
            scratch,
            new_id,
            source=Source.from_ecr_public("public.ecr.aws/a/b"),
            cpu=Cpu.of(cpu),
            memory=Memory.of(memory),
        )


def test_default_memory_must_fit_the_cpu(scratch: Stack, new_id: str) -> None:
    with pytest.raises(ValueError, match=r"`memory` '2 GB' is not available with `cpu` '4 vCPU'"):
        AppRunnerService(
            scratch, new_id, source=Source.from_ecr_public("public.ecr.aws/a/b"), cpu=Cpu.FOUR_VCPU
        )


def test_default_size_is_one_vcpu_two_gb(stack: Stack, public_source: Source) -> None:
    AppRunnerService(stack, "Service", source=public_source)
    Template.from_stack(stack).has_resource_properties(
        "AWS::AppRunner::Service",
        {"InstanceConfiguration": {"Cpu": "1 vCPU", "Memory": "2 GB", "InstanceRoleArn": Match.any_value()}},
    )


def test_chosen_size_is_rendered(stack: Stack, public_source: Source) -> None:
    AppRunnerService(stack, "Service", source=public_source, cpu=Cpu.QUARTER_VCPU, memory=Memory.HALF_GB)
    Template.from_stack(stack).has_resource_properties(
        "AWS::AppRunner::Service",
        {"InstanceConfiguration": Match.object_like({"Cpu": "0.25 vCPU", "Memory": "0.5 GB"})},
    )


FARGATE_PAIRS = [
    ("0.25 vCPU", "0.5 GB"),
    ("0.25 vCPU", "2 GB"),
    ("0.5 vCPU", "1 GB"),
    ("0.5 vCPU", "4 GB"),
    ("1 vCPU", "2 GB"),
    ("1 vCPU", "5 GB"),
    ("1 vCPU", "8 GB"),
    ("2 vCPU", "16 GB"),
    ("4 vCPU", "30 GB"),
    ("8 vCPU", "16 GB"),
    ("8 vCPU", "60 GB"),
    ("16 vCPU", "32 GB"),
    ("16 vCPU", "120 GB"),
]


@pytest.mark.parametrize(("cpu", "memory"), FARGATE_PAIRS)
def test_every_fargate_pair_is_accepted_and_rendered_in_units_and_mib(
    stack: Stack, cpu: str, memory: str
) -> None:
    ExpressService(
        stack,
        "Service",
        source=Source.from_ecr_public("public.ecr.aws/a/b"),
        cpu=Cpu.of(cpu),
        memory=Memory.of(memory),
    )
    Template.from_stack(stack).has_resource_properties(
        "AWS::ECS::ExpressGatewayService",
        {"Cpu": Cpu.of(cpu).units, "Memory": str(int(float(memory.split(maxsplit=1)[0]) * 1024))},
    )


@pytest.mark.parametrize(
    ("cpu", "memory", "allowed"),
    [
        ("0.25 vCPU", "3 GB", "one of 0.5 GB, 1 GB, 2 GB"),
        ("0.5 vCPU", "0.5 GB", "1-4 GB in steps of 1 GB"),
        ("1 vCPU", "1 GB", "2-8 GB in steps of 1 GB"),
        ("1 vCPU", "9 GB", "2-8 GB in steps of 1 GB"),
        ("2 vCPU", "2 GB", "4-16 GB in steps of 1 GB"),
        ("4 vCPU", "32 GB", "8-30 GB in steps of 1 GB"),
        ("8 vCPU", "18 GB", "16-60 GB in steps of 4 GB"),
        ("16 vCPU", "36 GB", "32-120 GB in steps of 8 GB"),
    ],
)
def test_pair_fargate_does_not_offer_is_rejected(
    scratch: Stack, new_id: str, cpu: str, memory: str, allowed: str
) -> None:
    with pytest.raises(
        ValueError,
        match=rf"^`memory` '{memory}' is not available with `cpu` '{cpu}' on Fargate; "
        rf"with {cpu} choose {allowed}$",
    ):
        ExpressService(
            scratch,
            new_id,
            source=Source.from_ecr_public("public.ecr.aws/a/b"),
            cpu=Cpu.of(cpu),
            memory=Memory.of(memory),
        )
