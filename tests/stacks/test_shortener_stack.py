"""ShortenerStack: the table, the exact IAM grant, the service wiring."""

from __future__ import annotations

from pathlib import Path

import pytest
from aws_cdk.assertions import Capture, Match, Template

from cdk.app import build_app, new_app
from tests.support.synth import stack_template
from tests.support.templates import instance_role_id, only_logical_id, properties, role_policy_statements

STACK = "ShortenerStack"


def test_table_is_keyed_by_shortcode_with_the_articles_provisioned_capacity(template: Template) -> None:
    template.has_resource_properties(
        "AWS::DynamoDB::Table",
        {
            "KeySchema": [{"AttributeName": "shortcode", "KeyType": "HASH"}],
            "AttributeDefinitions": [{"AttributeName": "shortcode", "AttributeType": "S"}],
            "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5},
            "BillingMode": Match.absent(),
            "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
        },
    )


def test_table_is_retained_by_default(template: Template) -> None:
    template.has_resource(
        "AWS::DynamoDB::Table", {"DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain"}
    )


def test_instance_role_may_only_get_and_put_items_in_the_table(template: Template) -> None:
    table_id = only_logical_id(template, "AWS::DynamoDB::Table")
    assert role_policy_statements(template, instance_role_id(template)) == [
        [
            {
                "Action": ["dynamodb:GetItem", "dynamodb:PutItem"],
                "Effect": "Allow",
                "Resource": {"Fn::GetAtt": [table_id, "Arn"]},
            }
        ]
    ]
    template.has_resource_properties(
        "AWS::IAM::Role",
        {
            "AssumeRolePolicyDocument": Match.object_like(
                {
                    "Statement": [
                        Match.object_like({"Principal": {"Service": "tasks.apprunner.amazonaws.com"}})
                    ]
                }
            ),
            "ManagedPolicyArns": Match.absent(),
        },
    )


def test_service_gets_table_name_and_region(template: Template) -> None:
    table_id = only_logical_id(template, "AWS::DynamoDB::Table")
    template.has_resource_properties(
        "AWS::AppRunner::Service",
        {
            "SourceConfiguration": Match.object_like(
                {
                    "ImageRepository": Match.object_like(
                        {
                            "ImageRepositoryType": "ECR",
                            "ImageConfiguration": {
                                "Port": "8080",
                                "RuntimeEnvironmentVariables": [
                                    {"Name": "TABLE_NAME", "Value": {"Ref": table_id}},
                                    {"Name": "AWS_REGION", "Value": {"Ref": "AWS::Region"}},
                                ],
                            },
                        }
                    )
                }
            ),
            "InstanceConfiguration": Match.object_like({"Cpu": "1 vCPU", "Memory": "2 GB"}),
        },
    )


def test_service_scales_with_the_context_settings(template: Template) -> None:
    scaling = Capture()
    template.has_resource_properties(
        "AWS::AppRunner::Service", {"AutoScalingConfigurationArn": {"Fn::GetAtt": [scaling, "Arn"]}}
    )
    config = properties(template, scaling.as_string())
    assert {
        key: config[key] for key in ("AutoScalingConfigurationName", "MinSize", "MaxSize", "MaxConcurrency")
    } == {
        "AutoScalingConfigurationName": STACK,
        "MinSize": 1,
        "MaxSize": 10,
        "MaxConcurrency": 100,
    }


def test_on_demand_billing_from_context(tmp_path: Path) -> None:
    template = stack_template(
        tmp_path, STACK, **{"shortener:billing_mode": "on_demand", "shortener:removal_policy": "destroy"}
    )
    template.has_resource_properties(
        "AWS::DynamoDB::Table", {"BillingMode": "PAY_PER_REQUEST", "ProvisionedThroughput": Match.absent()}
    )
    template.has_resource("AWS::DynamoDB::Table", {"DeletionPolicy": "Delete"})


def test_bad_context_is_reported_with_key_and_value(tmp_path: Path) -> None:
    with pytest.raises(
        ValueError, match=r"`shortener:billing_mode` must be one of provisioned, on_demand, got 'free'"
    ):
        build_app(new_app(tmp_path, **{"shortener:billing_mode": "free"}), nag=False)
