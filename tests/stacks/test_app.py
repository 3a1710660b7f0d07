"""The app's wiring: stack names, environment, prefixes and nag enforcement."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from aws_cdk import Stack, Token, aws_s3
from aws_cdk.assertions import Capture, Match, Template

from cdk.app import build_app, enforce_nag, new_app
from cdk.context import ContextError, configuration_error
from tests.support.synth import STACK_NAMES, Synthesized, stack_template


def test_app_has_one_stack_per_app(synthesized: Synthesized) -> None:
    names = sorted(s.stack_name for s in synthesized.assembly.stacks_recursively)
    assert names == sorted(["ShortenerStack", "UsersRedisStack", "TodoPostgresStack", "ChaosStack"])


def test_stacks_are_environment_agnostic_without_cli_credentials(synthesized: Synthesized) -> None:
    assert all(Token.is_unresolved(synthesized.stack(name).account) for name in STACK_NAMES)


def test_stacks_take_account_and_region_from_the_cli(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CDK_DEFAULT_ACCOUNT", "123456789012")
    monkeypatch.setenv("CDK_DEFAULT_REGION", "eu-west-1")
    app = build_app(new_app(tmp_path), nag=False)
    stack = Stack.of(app.node.find_child("ShortenerStack"))
    assert (stack.account, stack.region) == ("123456789012", "eu-west-1")


def test_stack_prefix_lets_copies_coexist(tmp_path: Path) -> None:
    app = build_app(new_app(tmp_path, stack_prefix="Staging"), nag=False)
    assert sorted(child.node.id for child in app.node.children if isinstance(child, Stack)) == sorted(
        f"Staging{name}" for name in STACK_NAMES
    )


def test_a_long_stack_prefix_still_gives_each_stack_its_own_auto_scaling_name(tmp_path: Path) -> None:
    app = build_app(new_app(tmp_path, stack_prefix="VeryLongStagingEnvironmentPrefix42-"), nag=False)
    names = set()
    for stack in (child for child in app.node.children if isinstance(child, Stack)):
        name = Capture()
        Template.from_stack(stack).has_resource_properties(
            "Custom::AppRunnerAutoScalingConfiguration", {"AutoScalingConfigurationName": name}
        )
        names.add(name.as_string())
    assert len(names) == len(STACK_NAMES)
    assert all(len(name) <= 32 for name in names)


def test_enforced_nag_fails_synthesis_on_a_finding(tmp_path: Path) -> None:
    app = new_app(tmp_path)
    aws_s3.Bucket(Stack(app, "Careless"), "Bucket")
    enforce_nag(app)
    with pytest.raises(RuntimeError, match=r"AwsSolutions-S1\b"):
        app.synth()


def test_region_context_overrides_the_cli_region(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CDK_DEFAULT_REGION", "eu-west-1")
    app = build_app(new_app(tmp_path, region="ap-southeast-2"), nag=False)
    assert Stack.of(app.node.find_child("ChaosStack")).region == "ap-southeast-2"


def test_a_region_without_app_runner_names_the_platform_switch(tmp_path: Path) -> None:
    with pytest.raises(ContextError) as error:
        build_app(new_app(tmp_path, region="eu-south-1"), nag=False)
    assert re.fullmatch(
        r"Configuration error in ShortenerStack: App Runner is not offered in 'eu-south-1' \(it is in "
        r"ap-northeast-1, .*, us-west-2\): deploy shortener on ECS Express Mode with "
        r'CONTEXT="platform=ecs_express" \(or shortener:platform=ecs_express\)',
        configuration_error(error.value),
    )


def test_ecs_express_deploys_where_app_runner_is_not_offered(tmp_path: Path) -> None:
    app = build_app(new_app(tmp_path, region="eu-south-1", platform="ecs_express"), nag=False)
    stack = Stack.of(app.node.find_child("ShortenerStack"))
    assert stack.region == "eu-south-1"
    Template.from_stack(stack).resource_count_is("AWS::ECS::ExpressGatewayService", 1)


SCALING_ID = "0123456789abcdef0123456789abcdef"
SHARED_SCALING = f"arn:aws:apprunner:us-east-1:123456789012:autoscalingconfiguration/shared/3/{SCALING_ID}"


@pytest.mark.parametrize(("choice", "rendered"), [("default", None), (SHARED_SCALING, SHARED_SCALING)])
def test_a_stack_can_use_app_runners_default_or_a_shared_auto_scaling_configuration(
    tmp_path: Path, choice: str, rendered: str | None
) -> None:
    template = stack_template(tmp_path, "ShortenerStack", **{"shortener:auto_scaling_configuration": choice})
    template.resource_count_is("Custom::AppRunnerAutoScalingConfiguration", 0)
    template.resource_count_is("AWS::Lambda::Function", 0)
    template.has_resource_properties(
        "AWS::AppRunner::Service", {"AutoScalingConfigurationArn": rendered or Match.absent()}
    )


def test_a_malformed_auto_scaling_configuration_is_refused(tmp_path: Path) -> None:
    with pytest.raises(
        ContextError,
        match=r"^context `chaos:auto_scaling_configuration` must be empty \(the stack's own\), `default` "
        r"\(App Runner's\) or the ARN of an auto scaling configuration revision, got 'shared'"
        r"\nin ChaosStack$",
    ):
        build_app(new_app(tmp_path, **{"chaos:auto_scaling_configuration": "shared"}), nag=False)


@pytest.mark.parametrize("prefix", ["my_copy", "2024-", "Staging Copy"])
def test_a_stack_prefix_cloudformation_would_refuse_is_a_context_error(prefix: str, tmp_path: Path) -> None:
    with pytest.raises(ContextError) as error:
        build_app(new_app(tmp_path, stack_prefix=prefix), nag=False)
    assert configuration_error(error.value) == (
        "Configuration error: context `stack_prefix` must be a letter followed by letters, "
        f"digits and '-', got {prefix!r}"
    )


def test_a_construct_error_is_reported_with_the_stack_it_is_in(tmp_path: Path) -> None:
    context = {"users_redis:cpu": "2 vCPU", "users_redis:memory": "3 GB"}
    with pytest.raises(ValueError) as error:
        build_app(new_app(tmp_path, **context), nag=False)
    assert configuration_error(error.value) == (
        "Configuration error in UsersRedisStack: `memory` '3 GB' is not available with `cpu` '2 vCPU'; "
        "with 2 vCPU choose one of 4 GB, 6 GB"
    )
