"""AutoScalingConfig: validation, custom resource, scoped IAM and one provider per stack."""

from __future__ import annotations

import pytest
from aws_cdk import Stack
from aws_cdk.assertions import Match, Template

from constructs_lib import AppRunnerService, AutoScalingConfig, Source


@pytest.mark.parametrize(
    ("props", "message"),
    [
        ({"min_size": 0}, r"`min_size` must be a whole number between 1 and 25, got 0$"),
        ({"min_size": 26}, r"`min_size` must be a whole number between 1 and 25, got 26$"),
        ({"max_size": 0}, r"`max_size` must be a whole number between 1 and 25, got 0$"),
        ({"max_size": 26}, r"`max_size` must be a whole number between 1 and 25, got 26$"),
        ({"max_concurrency": 0}, r"`max_concurrency` must be a whole number between 1 and 200, got 0$"),
        ({"max_concurrency": 201}, r"`max_concurrency` must be a whole number between 1 and 200, got 201$"),
        ({"min_size": 5, "max_size": 4}, r"`max_size` must be >= `min_size` \(5\), got 4$"),
        ({"name": "abc"}, r"`name` must be 4 to 32 characters long, got 'abc'$"),
        ({"name": "a" * 33}, r"`name` must be 4 to 32 characters long, got '"),
        ({"name": "-abcd"}, r"`name` must start with a letter or digit"),
        ({"name": "ab/cd"}, r"`name` must start with a letter or digit"),
    ],
)
def test_invalid_props_are_rejected(
    scratch: Stack, new_id: str, props: dict[str, object], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        AutoScalingConfig(scratch, new_id, **{"name": "valid-name", **props})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "props",
    [
        {"min_size": 1, "max_size": 1, "max_concurrency": 1},
        {"min_size": 25, "max_size": 25, "max_concurrency": 200},
        {"name": "a" * 32},
        {"name": "abcd"},
    ],
)
def test_boundary_props_are_accepted(scratch: Stack, new_id: str, props: dict[str, object]) -> None:
    AutoScalingConfig(scratch, new_id, **{"name": "valid-name", **props})  # type: ignore[arg-type]


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
    template.has_resource_properties("AWS::IAM::Role", {"ManagedPolicyArns": Match.absent()})
