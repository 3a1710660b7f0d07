"""Every stack on ECS Express Mode: one Express service, nothing of App Runner, the same wiring."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import Stack
from aws_cdk.assertions import Capture, Match, Template

from cdk.app import build_app, new_app
from tests.support.synth import STACK_NAMES, stack_template
from tests.support.templates import only_logical_id, properties, subnet_types

SERVICE = "AWS::ECS::ExpressGatewayService"
HEALTH_CHECK_PATHS = {
    "ShortenerStack": "/healthz",
    "UsersRedisStack": "/healthz",
    "TodoPostgresStack": "/",
    "ChaosStack": "/healthz",
}
#: What the app calls, granted to the task role (the same statements as on App Runner).
TABLE_ACTIONS = {
    "ShortenerStack": ["dynamodb:GetItem", "dynamodb:PutItem"],
    "ChaosStack": ["dynamodb:PutItem", "dynamodb:Query"],
}
#: The datastore's security group and port, which must admit the tasks' group only.
DATASTORE = {
    "UsersRedisStack": ("AWS::MemoryDB::Cluster", "SecurityGroupIds"),
    "TodoPostgresStack": ("AWS::RDS::DBCluster", "VpcSecurityGroupIds"),
}
per_stack = pytest.mark.parametrize("stack_name", STACK_NAMES)


def _service(template: Template) -> dict[str, Any]:
    return properties(template, only_logical_id(template, SERVICE))


def _task_group(template: Template) -> str:
    group = Capture()
    template.has_resource_properties(
        SERVICE,
        {"NetworkConfiguration": Match.object_like({"SecurityGroups": [{"Fn::GetAtt": [group, "GroupId"]}]})},
    )
    return group.as_string()


@per_stack
def test_one_express_service_and_nothing_of_app_runner(
    express_templates: dict[str, Template], stack_name: str
) -> None:
    template = express_templates[stack_name].to_json()
    types = [resource["Type"] for resource in template["Resources"].values()]
    assert types.count(SERVICE) == 1
    assert [t for t in types if t.startswith("AWS::AppRunner::") or "AutoScaling" in t] == []
    assert not [
        name
        for name, resource in template["Resources"].items()
        if resource["Type"] == "AWS::Lambda::Function" and "AutoScaling" in name
    ]
    assert "ECS Express Mode" in template["Description"]


@per_stack
def test_sizes_and_scaling_come_from_context(express_templates: dict[str, Template], stack_name: str) -> None:
    service = _service(express_templates[stack_name])
    minimum = 2 if stack_name == "ChaosStack" else 1
    assert (service["Cpu"], service["Memory"]) == ("1024", "2048")
    # max_concurrency 100 in flight per instance becomes 100 x 60 requests per task per minute.
    assert service["ScalingTarget"] == {
        "MinTaskCount": minimum,
        "MaxTaskCount": 10,
        "AutoScalingMetric": "REQUEST_COUNT_PER_TARGET",
        "AutoScalingTargetValue": 6000,
    }
    assert service["HealthCheckPath"] == HEALTH_CHECK_PATHS[stack_name]
    assert service["PrimaryContainer"]["ContainerPort"] == 8080


@per_stack
def test_tasks_run_in_public_subnets_of_two_zones(
    express_templates: dict[str, Template], stack_name: str
) -> None:
    template = express_templates[stack_name]
    refs = _service(template)["NetworkConfiguration"]["Subnets"]
    assert subnet_types(template, refs) == ["Public", "Public"]


@pytest.mark.parametrize("stack_name", sorted(TABLE_ACTIONS))
def test_a_dynamodb_app_gets_a_vpc_without_nat_and_its_exact_grant(
    express_templates: dict[str, Template], stack_name: str
) -> None:
    template = express_templates[stack_name]
    template.resource_count_is("AWS::EC2::NatGateway", 0)
    all_subnets = template.find_resources("AWS::EC2::Subnet")
    assert len(all_subnets) == 2
    role = Capture()
    template.has_resource_properties(SERVICE, {"TaskRoleArn": {"Fn::GetAtt": [role, "Arn"]}})
    table = only_logical_id(template, "AWS::DynamoDB::Table")
    template.has_resource_properties(
        "AWS::IAM::Policy",
        {
            "PolicyDocument": {
                "Statement": [
                    {
                        "Action": TABLE_ACTIONS[stack_name],
                        "Effect": "Allow",
                        "Resource": {"Fn::GetAtt": [table, "Arn"]},
                    }
                ],
                "Version": "2012-10-17",
            },
            "Roles": [{"Ref": role.as_string()}],
        },
    )


@pytest.mark.parametrize("stack_name", sorted(DATASTORE))
def test_the_datastore_admits_exactly_the_tasks(
    express_templates: dict[str, Template], stack_name: str
) -> None:
    template = express_templates[stack_name]
    resource_type, key = DATASTORE[stack_name]
    datastore_group = Capture()
    template.has_resource_properties(resource_type, {key: [{"Fn::GetAtt": [datastore_group, "GroupId"]}]})
    rules = [
        rule["Properties"]
        for rule in template.find_resources("AWS::EC2::SecurityGroupIngress").values()
        if rule["Properties"]["GroupId"] == {"Fn::GetAtt": [datastore_group.as_string(), "GroupId"]}
    ]
    assert [rule["SourceSecurityGroupId"] for rule in rules] == [
        {"Fn::GetAtt": [_task_group(template), "GroupId"]}
    ]


def test_a_per_app_platform_overrides_the_default(tmp_path: Path) -> None:
    app = build_app(
        new_app(tmp_path, **{"platform": "app_runner", "chaos:platform": "ecs_express"}), nag=False
    )
    kinds = {}
    for name in STACK_NAMES:
        template = Template.from_stack(Stack.of(app.node.find_child(name))).to_json()
        kinds[name] = sorted(
            {
                r["Type"]
                for r in template["Resources"].values()
                if r["Type"] in (SERVICE, "AWS::AppRunner::Service")
            }
        )
    assert kinds == {
        "ShortenerStack": ["AWS::AppRunner::Service"],
        "UsersRedisStack": ["AWS::AppRunner::Service"],
        "TodoPostgresStack": ["AWS::AppRunner::Service"],
        "ChaosStack": [SERVICE],
    }


@pytest.mark.parametrize(
    ("context", "message"),
    [
        (
            {"platform": "fargate"},
            r"^context `platform` must be one of app_runner, ecs_express, got 'fargate'\nin ShortenerStack$",
        ),
        (
            {"users_redis:platform": "k8s"},
            r"^context `users_redis:platform` must be one of app_runner, ecs_express, got 'k8s'"
            r"\nin UsersRedisStack$",
        ),
    ],
)
def test_an_unknown_platform_lists_the_two(tmp_path: Path, context: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        build_app(new_app(tmp_path, **context), nag=False)


def test_task_counts_may_exceed_app_runner_instance_limits(tmp_path: Path) -> None:
    context = {"platform": "ecs_express", "shortener:max_size": "100"}
    service = _service(stack_template(tmp_path, "ShortenerStack", **context))
    assert service["ScalingTarget"]["MaxTaskCount"] == 100
    with pytest.raises(
        ValueError,
        match=r"^context `shortener:max_size` must be between 1 and 25, got 100\nin ShortenerStack$",
    ):
        build_app(new_app(tmp_path / "app_runner", **{"shortener:max_size": "100"}), nag=False)


def test_todo_postgres_forces_a_new_deployment_of_its_ecs_service_after_a_rotation(
    express_templates: dict[str, Template],
) -> None:
    template = express_templates["TodoPostgresStack"]
    service_arn = {"Fn::GetAtt": [only_logical_id(template, SERVICE), "ServiceArn"]}
    machine_id = only_logical_id(template, "AWS::StepFunctions::StateMachine")
    machine = properties(template, machine_id)
    definition = machine["DefinitionString"]["Fn::Join"][1]
    assert ":states:::aws-sdk:ecs:updateService" in "".join(p for p in definition if isinstance(p, str))
    # The cluster is the ARN's path part before the service's name.
    assert {"Fn::Select": [1, {"Fn::Split": ["/", service_arn]}]} in definition
    assert '\\"ForceNewDeployment\\":true' in json.dumps(definition)
    role = machine["RoleArn"]["Fn::GetAtt"][0]
    template.has_resource_properties(
        "AWS::IAM::Policy",
        {
            "PolicyDocument": Match.object_like(
                {
                    "Statement": Match.array_with(
                        [{"Action": "ecs:UpdateService", "Effect": "Allow", "Resource": service_arn}]
                    )
                }
            ),
            "Roles": [{"Ref": role}],
        },
    )
    # The tasks read the app user's secret, whose user exists before the service starts.
    user = only_logical_id(template, "Custom::PostgresUser")
    assert user in template.to_json()["Resources"][only_logical_id(template, SERVICE)]["DependsOn"]
    template.has_resource_properties(
        "AWS::Events::Rule", {"Targets": [Match.object_like({"Arn": {"Ref": machine_id}})]}
    )
