"""Cpu and Memory value types and the CPU/memory pair check."""

from __future__ import annotations

import pytest
from aws_cdk import Stack, Token
from aws_cdk.assertions import Match, Template

from constructs_lib import AppRunnerService, Cpu, Memory, Source

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
    ],
)
def test_cpu_of_normalizes(text: str, expected: str) -> None:
    assert Cpu.of(text).value == expected


@pytest.mark.parametrize("text", ["3 vCPU", "8 vCPU", "0 vCPU", "1000", "", "one vCPU", "1 GB"])
def test_cpu_of_rejects(text: str) -> None:
    with pytest.raises(ValueError, match=rf"`cpu` must be one of .*, got '{text}'"):
        Cpu.of(text)


@pytest.mark.parametrize(
    ("text", "expected"), [("0.5 GB", "0.5 GB"), ("12 GB", "12 GB"), ("3072", "3 GB"), ("2gb", "2 GB")]
)
def test_memory_of_normalizes(text: str, expected: str) -> None:
    assert Memory.of(text).value == expected


@pytest.mark.parametrize("text", ["5 GB", "16 GB", "0.25 GB", "2000", "", "2 MB"])
def test_memory_of_rejects(text: str) -> None:
    with pytest.raises(ValueError, match=rf"`memory` must be one of .*, got '{text}'"):
        Memory.of(text)


def test_tokens_pass_unchecked() -> None:
    token = Token.as_string({"Ref": "Size"})
    assert Cpu.of(token).value == token
    assert Memory.of(token).value == token


@pytest.mark.parametrize(("cpu", "memory"), VALID_PAIRS)
def test_every_offered_pair_is_accepted(scratch: Stack, new_id: str, cpu: str, memory: str) -> None:
    AppRunnerService(
        scratch,
        new_id,
        source=Source.from_ecr_public("public.ecr.aws/a/b"),
        cpu=Cpu.of(cpu),
        memory=Memory.of(memory),
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
