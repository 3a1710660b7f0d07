"""AutoScalingConfig: validation, custom resource, scoped IAM and one provider per stack."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

import pytest
from aws_cdk import App, CfnElement, CfnParameter, Fn, Stack, Token
from aws_cdk import aws_iam as iam
from aws_cdk.assertions import Match, Template

from constructs_lib import AppRunnerService, AutoScalingConfig, Source
from tests.support.gates import nag_findings


@pytest.mark.parametrize(
    ("props", "message"),
    [
        ({"min_size": 0}, r"`min_size` must be a whole number between 1 and 25, got 0$"),
        ({"min_size": 26}, r"`min_size` must be a whole number between 1 and 25, got 26$"),
        ({"max_size": 0}, r"`max_size` must be a whole number between 1 and 25, got 0$"),
        ({"max_size": 26}, r"`max_size` must be a whole number between 1 and 25, got 26$"),
        ({"max_concurrency": 0}, r"`max_concurrency` must be a whole number between 1 and 200, got 0$"),
        ({"max_concurrency": 201}, r"`max_concurrency` must be a whole number between 1 and 200, got 201$"),
        ({"min_size": 2.5}, r"`min_size` must be a whole number between 1 and 25, got 2.5$"),
        ({"max_size": 1.5}, r"`max_size` must be a whole number between 1 and 25, got 1.5$"),
        ({"max_concurrency": True}, r"`max_concurrency` must be a whole number between 1 and 200, got True$"),
        ({"min_size": 5, "max_size": 4}, r"`max_size` must be >= `min_size` \(5\), got 4$"),
        ({"name": "abc"}, r"`name` must be 4 to 32 characters long, got 'abc'$"),
        ({"name": "a" * 33}, r"`name` must be 4 to 32 characters long, got '"),
        ({"name": "-abcd"}, r"`name` must start with a letter or digit"),
        ({"name": "ab/cd"}, r"`name` must start with a letter or digit"),
        ({"name": "web-small\n"}, r"`name` must start with a letter or digit.*, got 'web-small\\n'$"),
    ],
)
def test_invalid_props_are_rejected(scratch: Stack, new_id: str, props: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        AutoScalingConfig(scratch, new_id, **{"name": "valid-name", **props})


@pytest.mark.parametrize(
    ("name", "min_size", "max_size", "max_concurrency"),
    [("valid-name", 1, 1, 1), ("valid-name", 25, 25, 200), ("a" * 32, 1, 25, 100), ("abcd", 1, 25, 100)],
)
def test_boundary_props_are_accepted(
    stack: Stack, name: str, min_size: int, max_size: int, max_concurrency: int
) -> None:
    AutoScalingConfig(
        stack, "Scaling", name=name, min_size=min_size, max_size=max_size, max_concurrency=max_concurrency
    )
    Template.from_stack(stack).has_resource_properties(
        "Custom::AppRunnerAutoScalingConfiguration",
        {
            "AutoScalingConfigurationName": name,
            "MinSize": min_size,
            "MaxSize": max_size,
            "MaxConcurrency": max_concurrency,
        },
    )


def _number_parameter(stack: Stack, id: str) -> int:
    """A Number parameter's value: a token (which Python types as a float)."""
    return cast(int, CfnParameter(stack, id, type="Number").value_as_number)


def test_token_bounds_are_left_to_deploy_time(stack: Stack) -> None:
    AutoScalingConfig(
        stack,
        "Scaling",
        name="tokens",
        min_size=_number_parameter(stack, "MinSize"),
        max_size=cast(int, Token.as_number(Fn.import_value("MaxSize"))),
        max_concurrency=_number_parameter(stack, "MaxConcurrency"),
    )
    Template.from_stack(stack).has_resource_properties(
        "Custom::AppRunnerAutoScalingConfiguration",
        {
            "MinSize": {"Ref": "MinSize"},
            "MaxSize": {"Fn::ImportValue": "MaxSize"},
            "MaxConcurrency": {"Ref": "MaxConcurrency"},
        },
    )


@pytest.mark.parametrize(
    ("min_size", "max_size"),
    [(25, None), (None, 1)],
    ids=["token max_size above min_size 25", "token min_size below max_size 1"],
)
def test_max_size_is_not_compared_with_a_token(
    stack: Stack, min_size: int | None, max_size: int | None
) -> None:
    size = _number_parameter(stack, "Size")
    AutoScalingConfig(
        stack,
        "Scaling",
        name="mixed",
        min_size=size if min_size is None else min_size,
        max_size=size if max_size is None else max_size,
    )
    Template.from_stack(stack).has_resource_properties(
        "Custom::AppRunnerAutoScalingConfiguration",
        {"MinSize": min_size or {"Ref": "Size"}, "MaxSize": max_size or {"Ref": "Size"}},
    )


@pytest.mark.parametrize(
    ("props", "message"),
    [
        ({"min_size": 0}, r"`min_size` must be a whole number between 1 and 25, got 0$"),
        ({"max_size": 26}, r"`max_size` must be a whole number between 1 and 25, got 26$"),
        ({"max_concurrency": 201}, r"`max_concurrency` must be a whole number between 1 and 200, got 201$"),
    ],
)
def test_literal_bounds_are_checked_next_to_tokens(
    scratch: Stack, new_id: str, props: dict[str, int], message: str
) -> None:
    token = _number_parameter(scratch, f"{new_id}Size")
    bounds = {"min_size": token, "max_size": token, "max_concurrency": token, **props}
    with pytest.raises(ValueError, match=message):
        AutoScalingConfig(scratch, new_id, name="valid-name", **bounds)


def test_custom_resource_and_scoped_permissions(stack: Stack) -> None:
    config = AutoScalingConfig(stack, "Scaling", name="web-small", min_size=2, max_size=5, max_concurrency=50)
    AppRunnerService(
        stack, "Service", source=Source.from_ecr_public("public.ecr.aws/a/b"), auto_scaling_config=config
    )
    template = Template.from_stack(stack)
    template.has_resource_properties(
        "Custom::AppRunnerAutoScalingConfiguration",
        {
            "ServiceToken": {"Fn::GetAtt": [Match.string_like_regexp("frameworkonEvent"), "Arn"]},
            "AutoScalingConfigurationName": "web-small",
            "MinSize": 2,
            "MaxSize": 5,
            "MaxConcurrency": 50,
        },
    )
    template.has_resource_properties(
        "AWS::AppRunner::Service",
        {"AutoScalingConfigurationArn": {"Fn::GetAtt": [Match.string_like_regexp("Scaling"), "Arn"]}},
    )
    arn = [
        "arn:",
        {"Ref": "AWS::Partition"},
        ":apprunner:",
        {"Ref": "AWS::Region"},
        ":",
        {"Ref": "AWS::AccountId"},
        ":autoscalingconfiguration/web-small/*",
    ]
    template.has_resource_properties(
        "AWS::IAM::Policy",
        {
            "PolicyDocument": {
                "Statement": [
                    {
                        "Action": [
                            "apprunner:CreateAutoScalingConfiguration",
                            "apprunner:DeleteAutoScalingConfiguration",
                            "apprunner:DescribeAutoScalingConfiguration",
                        ],
                        "Effect": "Allow",
                        "Resource": {"Fn::Join": ["", arn]},
                    }
                ]
            },
            "Roles": [{"Ref": Match.string_like_regexp("HandlerRole")}],
        },
    )
    # The custom resource waits for its permissions.
    template.has_resource(
        "Custom::AppRunnerAutoScalingConfiguration",
        {"DependsOn": [Match.string_like_regexp("ScalingHandlerPolicy")]},
    )


def test_defaults(stack: Stack) -> None:
    AutoScalingConfig(stack, "Scaling", name="defaults")
    Template.from_stack(stack).has_resource_properties(
        "Custom::AppRunnerAutoScalingConfiguration", {"MinSize": 1, "MaxSize": 25, "MaxConcurrency": 100}
    )


def test_one_provider_per_stack(stack: Stack) -> None:
    for index in range(3):
        AutoScalingConfig(stack, f"Scaling{index}", name=f"config-{index}")
    template = Template.from_stack(stack)
    template.resource_count_is("Custom::AppRunnerAutoScalingConfiguration", 3)
    # The Python handler plus the provider framework's onEvent function.
    template.resource_count_is("AWS::Lambda::Function", 2)
    template.has_resource_properties(
        "AWS::Lambda::Function",
        {
            "Runtime": "python3.14",
            "Handler": "index.on_event",
            "Role": {"Fn::GetAtt": [Match.string_like_regexp("HandlerRole"), "Arn"]},
        },
    )
    template.resource_count_is("AWS::IAM::ManagedPolicy", 0)
    template.resource_properties_count_is("AWS::IAM::Role", {"ManagedPolicyArns": Match.any_value()}, 0)


def _handler_policy(config: AutoScalingConfig) -> iam.Policy:
    [policy] = [child for child in config.node.children if isinstance(child, iam.Policy)]
    return policy


def _policy_logical_id(config: AutoScalingConfig) -> str:
    resource = _handler_policy(config).node.default_child
    assert isinstance(resource, CfnElement)
    return Stack.of(config).get_logical_id(resource)


def test_a_rename_creates_a_new_handler_policy() -> None:
    # The old policy must outlive the rename: CloudFormation deletes the old configuration
    # during cleanup, which only the old policy still allows.
    policies: dict[str, tuple[str, str]] = {}
    for name in ("web-a", "web-b"):
        stack = Stack(App(), "Test")
        config = AutoScalingConfig(stack, "Scaling", name=name)
        logical_id = _policy_logical_id(config)
        template = Template.from_stack(stack)
        scoped = template.find_resources(
            "AWS::IAM::Policy",
            {
                "Properties": {
                    "PolicyDocument": {
                        "Statement": [
                            Match.object_like(
                                {
                                    "Resource": {
                                        "Fn::Join": [
                                            "",
                                            Match.array_with([f":autoscalingconfiguration/{name}/*"]),
                                        ]
                                    }
                                }
                            )
                        ]
                    }
                }
            },
        )
        assert list(scoped) == [logical_id]
        template.has_resource("Custom::AppRunnerAutoScalingConfiguration", {"DependsOn": [logical_id]})
        policies[name] = (logical_id, scoped[logical_id]["Properties"]["PolicyName"])
    # A new logical id and a new inline policy name on the shared handler role.
    assert policies["web-a"][0] != policies["web-b"][0]
    assert policies["web-a"][1] != policies["web-b"][1]


def test_a_token_name_keeps_one_handler_policy(stack: Stack) -> None:
    config = AutoScalingConfig(stack, "Scaling", name=CfnParameter(stack, "Name").value_as_string)
    assert config.node.try_find_child("HandlerPolicy") is _handler_policy(config)


@pytest.mark.parametrize(
    "make_name",
    [
        lambda stack: CfnParameter(stack, "Name").value_as_string,
        lambda stack: Fn.import_value("ScalingName"),
        lambda stack: Fn.join("-", ["web", CfnParameter(stack, "Env").value_as_string]),
        lambda stack: Fn.sub("web-${AWS::Region}"),
    ],
    ids=["Ref", "Fn::ImportValue", "Fn::Join", "Fn::Sub"],
)
def test_token_names_are_acknowledged_as_cdk_nag_prints_them(make_name: Callable[[Stack], str]) -> None:
    app = App()
    stack = Stack(app, "Test")
    name = make_name(stack)
    assert Token.is_unresolved(name)
    AutoScalingConfig(stack, "Scaling", name=name)
    assert nag_findings(app) == []


def test_a_token_name_cdk_nag_prints_as_json_leaves_the_finding_to_the_caller() -> None:
    app = App()
    stack = Stack(app, "Test")
    name = Fn.select(0, Fn.split(",", CfnParameter(stack, "Names").value_as_string))
    AutoScalingConfig(stack, "Scaling", name=name)
    [finding] = nag_findings(app)
    assert finding.startswith("AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:apprunner:")
    assert '{"Fn::Select":' in finding
    assert "@ Test/Scaling/HandlerPolicy/Resource:" in finding
