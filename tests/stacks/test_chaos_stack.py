"""ChaosStack: an on-demand pk/sk table, at least two instances, fast health checks."""

from __future__ import annotations

from pathlib import Path

from aws_cdk.assertions import Template

from tests.support.synth import stack_template
from tests.support.templates import env_vars, instance_role_id, only_logical_id, role_policy_statements

STACK = "ChaosStack"


def test_table_has_string_pk_and_sk_on_demand_with_pitr(template: Template) -> None:
    template.has_resource_properties(
        "AWS::DynamoDB::Table",
        {
            "KeySchema": [
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"},
            ],
            "AttributeDefinitions": [
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "S"},
            ],
            "BillingMode": "PAY_PER_REQUEST",
            "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
        },
    )


def test_instance_role_may_only_query_and_put_items_in_the_table(template: Template) -> None:
    table_id = only_logical_id(template, "AWS::DynamoDB::Table")
    assert role_policy_statements(template, instance_role_id(template)) == [
        [
            {
                "Action": ["dynamodb:PutItem", "dynamodb:Query"],
                "Effect": "Allow",
                "Resource": {"Fn::GetAtt": [table_id, "Arn"]},
            }
        ]
    ]


def test_at_least_two_instances(template: Template) -> None:
    template.has_resource_properties(
        "Custom::AppRunnerAutoScalingConfiguration", {"AutoScalingConfigurationName": STACK, "MinSize": 2}
    )


def test_crash_endpoints_on_and_memory_cap_at_the_instance_memory(template: Template) -> None:
    variables = env_vars(template)
    assert (variables["CHAOS_ENABLED"], variables["MEMORY_LIMIT_MB"]) == ("true", "2048")


def test_context_switches_crash_endpoints_off_and_sizes_the_memory_cap(tmp_path: Path) -> None:
    template = stack_template(
        tmp_path,
        STACK,
        **{
            "chaos:enabled": "false",
            "chaos:cpu": "0.25 vCPU",
            "chaos:memory": "0.5 GB",
            "chaos:min_size": "3",
        },
    )
    variables = env_vars(template)
    assert (variables["CHAOS_ENABLED"], variables["MEMORY_LIMIT_MB"]) == ("false", "512")
    template.has_resource_properties("Custom::AppRunnerAutoScalingConfiguration", {"MinSize": 3})
