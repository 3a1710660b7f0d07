"""TodoPostgresStack: VPC, Aurora PostgreSQL Serverless v2, rotated secret, service wiring."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from aws_cdk import Stack
from aws_cdk.assertions import Capture, Match, Template

from cdk.app import build_app, new_app
from tests.support.gates import acknowledgements, nag_findings
from tests.support.synth import Synthesized, stack_template
from tests.support.templates import (
    instance_role_id,
    only_logical_id,
    properties,
    role_policy_statements,
    security_group_id,
    subnet_names,
    subnet_types,
)

STACK = "TodoPostgresStack"
PORT = 5432
DATABASE = "tasks"
ADMIN = "todo_admin"
APP_USER = "todo_app"


def password_properties(node: Any) -> list[str]:
    """Every property name anywhere in ``node`` that names a password."""
    if isinstance(node, list):
        return [name for item in node for name in password_properties(item)]
    if not isinstance(node, dict):
        return []
    own = [key for key in node if "password" in key.lower()]
    return own + [name for value in node.values() for name in password_properties(value)]


def cluster_id(template: Template) -> str:
    return only_logical_id(template, "AWS::RDS::DBCluster")


def secret_template(secret: Mapping[str, Any]) -> dict[str, Any]:
    """A generated secret's template, references blanked (``masterarn`` is a ``Fn::Join``)."""
    template = secret["Properties"]["GenerateSecretString"]["SecretStringTemplate"]
    if not isinstance(template, str):
        template = "".join(part if isinstance(part, str) else "" for part in template["Fn::Join"][1])
    found: dict[str, Any] = json.loads(template)
    return found


def secret_id(template: Template, username: str = ADMIN) -> str:
    """The generated secret of ``username`` (the master user's by default)."""
    secrets = template.find_resources("AWS::SecretsManager::Secret")
    (found,) = [name for name, secret in secrets.items() if secret_template(secret)["username"] == username]
    return found


def attachment_id(template: Template, username: str = ADMIN) -> str:
    """The attachment of ``username``'s secret to the cluster: the ARN the others refer to."""
    return only_logical_id(
        template,
        "AWS::SecretsManager::SecretTargetAttachment",
        {"SecretId": {"Ref": secret_id(template, username)}},
    )


def cluster_security_group_id(template: Template) -> str:
    return security_group_id(template, "AWS::RDS::DBCluster", "VpcSecurityGroupIds")


def connector_security_group(template: Template) -> Any:
    groups = Capture()
    template.has_resource_properties("AWS::AppRunner::VpcConnector", {"SecurityGroups": groups})
    (group,) = groups.as_array()
    return group


def test_vpc_spans_two_azs_without_a_nat_gateway_and_logs_every_flow(template: Template) -> None:
    template.resource_count_is("AWS::EC2::VPC", 1)
    # Nothing in the app or data subnets goes out: the rotation functions reach Secrets
    # Manager through its interface endpoint (below).
    template.resource_count_is("AWS::EC2::NatGateway", 0)
    template.resource_count_is("AWS::EC2::EIP", 0)
    subnets = template.find_resources("AWS::EC2::Subnet").values()
    assert len({json.dumps(subnet["Properties"]["AvailabilityZone"]) for subnet in subnets}) == 2
    template.has_resource_properties(
        "AWS::EC2::FlowLog",
        {
            "ResourceId": {"Ref": only_logical_id(template, "AWS::EC2::VPC")},
            "ResourceType": "VPC",
            "TrafficType": "ALL",
        },
    )


def test_cluster_is_encrypted_aurora_postgresql_with_the_tasks_database(template: Template) -> None:
    version = Capture()
    template.has_resource_properties(
        "AWS::RDS::DBCluster",
        {
            "Engine": "aurora-postgresql",
            "EngineVersion": version,
            "DatabaseName": DATABASE,
            "Port": PORT,
            "StorageEncrypted": True,
            "EnableCloudwatchLogsExports": ["postgresql"],
            "EnableIAMDatabaseAuthentication": True,
        },
    )
    # A current major version (cfn-lint's gate rejects ones closed to new clusters).
    assert int(version.as_string().split(".")[0]) >= 16


def test_cluster_scales_serverless_v2_from_zero_acu_by_default(template: Template) -> None:
    template.has_resource_properties(
        "AWS::RDS::DBCluster", {"ServerlessV2ScalingConfiguration": {"MinCapacity": 0, "MaxCapacity": 2}}
    )
    instances = template.find_resources("AWS::RDS::DBInstance")
    assert [instance["Properties"] for instance in instances.values()] == [
        {
            "DBClusterIdentifier": {"Ref": cluster_id(template)},
            "DBInstanceClass": "db.serverless",
            "Engine": "aurora-postgresql",
            "PromotionTier": 0,
            "PubliclyAccessible": False,
        }
    ]


def test_the_rotation_functions_reach_secrets_manager_through_an_endpoint_in_the_app_subnets(
    template: Template,
) -> None:
    subnet_ids = Capture()
    template.has_resource_properties(
        "AWS::EC2::VPCEndpoint",
        {
            "ServiceName": {"Fn::Join": ["", ["com.amazonaws.", {"Ref": "AWS::Region"}, ".secretsmanager"]]},
            "VpcEndpointType": "Interface",
            # The service's usual name resolves to the endpoint inside the VPC.
            "PrivateDnsEnabled": True,
            "SubnetIds": subnet_ids,
        },
    )
    assert subnet_names(template, subnet_ids.as_array()) == ["app", "app"]
    # Reachable only from the group the rotation functions (and the service) run in.
    endpoint_group = security_group_id(template, "AWS::EC2::VPCEndpoint", "SecurityGroupIds")
    assert properties(template, endpoint_group).get("SecurityGroupIngress") is None
    template.has_resource_properties(
        "AWS::EC2::SecurityGroupIngress",
        {
            "GroupId": {"Fn::GetAtt": [endpoint_group, "GroupId"]},
            "SourceSecurityGroupId": connector_security_group(template),
            "IpProtocol": "tcp",
            "FromPort": 443,
            "ToPort": 443,
        },
    )
    rules = template.find_resources(
        "AWS::EC2::SecurityGroupIngress",
        {"Properties": {"GroupId": {"Fn::GetAtt": [endpoint_group, "GroupId"]}}},
    )
    assert len(rules) == 1


def test_cluster_lives_in_the_isolated_subnets_one_per_az(template: Template) -> None:
    group = Capture()
    template.has_resource_properties("AWS::RDS::DBCluster", {"DBSubnetGroupName": {"Ref": group}})
    subnet_ids = properties(template, group.as_string())["SubnetIds"]
    assert subnet_types(template, subnet_ids) == ["Isolated", "Isolated"]
    assert subnet_names(template, subnet_ids) == ["data", "data"]
    azs = [json.dumps(properties(template, ref["Ref"])["AvailabilityZone"]) for ref in subnet_ids]
    assert azs[0] != azs[1]


def test_deletion_protection_and_snapshot_on_delete_by_default(template: Template) -> None:
    template.has_resource(
        "AWS::RDS::DBCluster",
        {
            "Properties": Match.object_like({"DeletionProtection": True}),
            "DeletionPolicy": "Snapshot",
            "UpdateReplacePolicy": "Snapshot",
        },
    )
    # The passwords of the kept snapshot stay with it.
    secrets = template.find_resources("AWS::SecretsManager::Secret").values()
    assert [(secret["DeletionPolicy"], secret["UpdateReplacePolicy"]) for secret in secrets] == [
        ("Retain", "Retain")
    ] * 2


def test_credentials_are_generated_with_username_and_database_name(template: Template) -> None:
    master = properties(template, secret_id(template))["GenerateSecretString"]
    assert master["GenerateStringKey"] == "password"
    assert json.loads(master["SecretStringTemplate"]) == {"username": ADMIN, "dbname": DATABASE}
    template.has_resource_properties(
        "AWS::SecretsManager::SecretTargetAttachment",
        {
            "SecretId": {"Ref": secret_id(template)},
            "TargetId": {"Ref": cluster_id(template)},
            "TargetType": "AWS::RDS::DBCluster",
        },
    )


def secret_field_reference(secret: str, field: str) -> dict[str, Any]:
    return {"Fn::Join": ["", ["{{resolve:secretsmanager:", {"Ref": secret}, f":SecretString:{field}::}}}}"]]}


def test_credentials_are_only_ever_dynamic_references_to_the_secret(template: Template) -> None:
    secret = secret_id(template)
    template.has_resource_properties(
        "AWS::RDS::DBCluster",
        {
            "MasterUsername": secret_field_reference(secret, "username"),
            "MasterUserPassword": secret_field_reference(secret, "password"),
        },
    )
    # The generators' length settings and the reference above: no other password in the template.
    assert sorted(password_properties(template.to_json())) == [
        "MasterUserPassword",
        "PasswordLength",
        "PasswordLength",
    ]


def test_both_secrets_rotate_every_30_days_from_the_app_subnets(template: Template) -> None:
    for username in (ADMIN, APP_USER):
        template.has_resource_properties(
            "AWS::SecretsManager::RotationSchedule",
            {
                "SecretId": {"Ref": attachment_id(template, username)},
                "RotationRules": {"ScheduleExpression": "rate(30 days)"},
                "RotationLambdaARN": Match.any_value(),
                # The first rotation is 30 days after the deploy, not during it.
                "RotateImmediatelyOnUpdate": False,
            },
        )
    applications = template.find_resources("AWS::Serverless::Application").values()
    assert len(applications) == 2
    for application in applications:
        refs = application["Properties"]["Parameters"]["vpcSubnetIds"]["Fn::Join"][1][::2]
        assert subnet_names(template, refs) == ["app", "app"]


def test_the_app_users_secret_rotates_with_alternating_users_as_the_master_user(template: Template) -> None:
    # masterarn: AWS's multi-user function creates and alters the clone as the master user.
    app_secret = properties(template, secret_id(template, APP_USER))["GenerateSecretString"]
    assert secret_template({"Properties": {"GenerateSecretString": app_secret}}) == {
        "username": APP_USER,
        "dbname": DATABASE,
        "masterarn": "",
    }
    assert {"Ref": attachment_id(template)} in app_secret["SecretStringTemplate"]["Fn::Join"][1]
    application = Capture()
    template.has_resource_properties(
        "AWS::SecretsManager::RotationSchedule",
        {
            "SecretId": {"Ref": attachment_id(template, APP_USER)},
            "RotationLambdaARN": {"Fn::GetAtt": [application, "Outputs.RotationLambdaARN"]},
        },
    )
    rotation = properties(template, application.as_string())
    assert rotation["Parameters"]["masterSecretArn"] == {"Ref": attachment_id(template)}
    mapping = rotation["Location"]["ApplicationId"]["Fn::FindInMap"][0]
    application_id = template.to_json()["Mappings"][mapping]["aws"]["applicationId"]
    assert application_id.endswith("/SecretsManagerRDSPostgreSQLRotationMultiUser")


def test_cluster_admits_its_port_only_from_the_connector_security_group(template: Template) -> None:
    cluster_group = cluster_security_group_id(template)
    rotation_group = Capture()
    template.has_resource_properties(
        "AWS::Serverless::Application",
        {
            "Parameters": Match.object_like(
                {"vpcSecurityGroupIds": {"Fn::GetAtt": [rotation_group, "GroupId"]}}
            )
        },
    )
    # The rotation function runs in the connector's group: one source to admit.
    assert {"Fn::GetAtt": [rotation_group.as_string(), "GroupId"]} == connector_security_group(template)
    assert "SecurityGroupIngress" not in properties(template, cluster_group)
    rules = template.find_resources(
        "AWS::EC2::SecurityGroupIngress",
        {"Properties": {"GroupId": {"Fn::GetAtt": [cluster_group, "GroupId"]}}},
    )
    port = {"Fn::GetAtt": [cluster_id(template), "Endpoint.Port"]}
    assert [
        {
            key: rule["Properties"][key]
            for key in ("IpProtocol", "FromPort", "ToPort", "SourceSecurityGroupId")
        }
        for rule in rules.values()
    ] == [
        {
            "IpProtocol": "tcp",
            "FromPort": port,
            "ToPort": port,
            "SourceSecurityGroupId": connector_security_group(template),
        }
    ]
    assert properties(template, cluster_id(template))["Port"] == PORT


def test_cluster_security_group_sends_nothing_out(template: Template) -> None:
    egress = properties(template, cluster_security_group_id(template))["SecurityGroupEgress"]
    # CDK's placeholder for "no egress": a rule no packet can match.
    assert [rule["CidrIp"] for rule in egress] == ["255.255.255.255/32"]


def test_connector_uses_the_isolated_app_subnets(template: Template) -> None:
    subnets = Capture()
    template.has_resource_properties("AWS::AppRunner::VpcConnector", {"Subnets": subnets})
    assert subnet_types(template, subnets.as_array()) == ["Isolated", "Isolated"]
    assert subnet_names(template, subnets.as_array()) == ["app", "app"]


def test_service_egresses_through_the_connector_and_gets_db_secret_as_runtime_secret(
    template: Template,
) -> None:
    connector = only_logical_id(template, "AWS::AppRunner::VpcConnector")
    template.has_resource_properties(
        "AWS::AppRunner::Service",
        {
            "NetworkConfiguration": {
                "EgressConfiguration": {
                    "EgressType": "VPC",
                    "VpcConnectorArn": {"Fn::GetAtt": [connector, "VpcConnectorArn"]},
                }
            },
            "SourceConfiguration": Match.object_like(
                {
                    "ImageRepository": Match.object_like(
                        {
                            "ImageConfiguration": {
                                "Port": "8080",
                                # The attachment's ARN: the secret once host and port are in it.
                                "RuntimeEnvironmentSecrets": [
                                    {"Name": "DB_SECRET", "Value": {"Ref": attachment_id(template, APP_USER)}}
                                ],
                            }
                        }
                    )
                }
            ),
        },
    )


def test_instance_role_may_read_exactly_the_app_users_secret(template: Template) -> None:
    role = instance_role_id(template)
    assert role_policy_statements(template, role) == [
        [
            {
                "Action": ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"],
                "Effect": "Allow",
                "Resource": {"Ref": attachment_id(template, APP_USER)},
            }
        ]
    ]
    assert "ManagedPolicyArns" not in properties(template, role)


def test_default_deletion_protection_needs_no_rds10_acknowledgement(synthesized: Synthesized) -> None:
    rules = {ack.rule_id for ack in acknowledgements(synthesized.stack(STACK))}
    assert "Annotation::AwsSolutions-RDS11" in rules
    assert "Annotation::AwsSolutions-RDS10" not in rules


def test_capacity_protection_and_removal_follow_context(tmp_path: Path) -> None:
    app = build_app(
        new_app(
            tmp_path,
            **{
                "todo_postgres:min_acu": "0.5",
                "todo_postgres:max_acu": "1.5",
                "todo_postgres:deletion_protection": "false",
                "todo_postgres:removal_policy": "destroy",
            },
        ),
        nag=False,
    )
    stack = Stack.of(app.node.find_child(STACK))
    template = Template.from_stack(stack)
    template.has_resource(
        "AWS::RDS::DBCluster",
        {
            "Properties": Match.object_like(
                {
                    "ServerlessV2ScalingConfiguration": {"MinCapacity": 0.5, "MaxCapacity": 1.5},
                    "DeletionProtection": False,
                }
            ),
            "DeletionPolicy": "Delete",
            "UpdateReplacePolicy": "Delete",
        },
    )
    template.has_resource("AWS::SecretsManager::Secret", {"DeletionPolicy": "Delete"})
    # Turning protection off is a choice the stack acknowledges, with its reason.
    assert nag_findings(stack) == []
    assert "Annotation::AwsSolutions-RDS10" in {ack.rule_id for ack in acknowledgements(stack)}


def test_a_retained_cluster_keeps_its_security_group_writer_and_subnet_group(tmp_path: Path) -> None:
    template = stack_template(tmp_path, STACK, **{"todo_postgres:removal_policy": "retain"})
    resources = template.to_json()["Resources"]
    for logical_id in (cluster_id(template), cluster_security_group_id(template)):
        assert resources[logical_id]["DeletionPolicy"] == "Retain"
    for resource_type in ("AWS::RDS::DBInstance", "AWS::RDS::DBSubnetGroup"):
        template.has_resource(resource_type, {"DeletionPolicy": "Retain"})


def test_by_default_the_database_security_group_goes_with_the_snapshotted_cluster(template: Template) -> None:
    assert "DeletionPolicy" not in template.to_json()["Resources"][cluster_security_group_id(template)]


def user_resource_id(template: Template) -> str:
    return only_logical_id(template, "Custom::PostgresUser")


def test_a_custom_resource_creates_the_app_user_through_the_data_api(template: Template) -> None:
    template.has_resource_properties("AWS::RDS::DBCluster", {"EnableHttpEndpoint": True})
    handler = Capture()
    template.has_resource_properties(
        "Custom::PostgresUser",
        {
            "ServiceToken": {"Fn::GetAtt": [handler, "Arn"]},
            "ClusterArn": Match.any_value(),
            "AdminSecretArn": {"Ref": attachment_id(template)},
            "UserSecretArn": {"Ref": attachment_id(template, APP_USER)},
            "Database": DATABASE,
            "RoleName": APP_USER,
        },
    )
    function = properties(template, handler.as_string())
    # Outside the VPC: the Data API is an AWS endpoint, and the cluster admits one group only.
    assert "VpcConfig" not in function
    assert function["Handler"] == "index.on_event"
    # The handler's role may run statements on this cluster and read the two secrets, nothing else.
    role = function["Role"]["Fn::GetAtt"][0]
    cluster_arn = properties(template, user_resource_id(template))["ClusterArn"]
    statements = role_policy_statements(template, role)
    assert [statement for policy in statements for statement in policy][1:] == [
        {"Action": "rds-data:ExecuteStatement", "Effect": "Allow", "Resource": cluster_arn},
        {
            "Action": ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"],
            "Effect": "Allow",
            "Resource": [{"Ref": attachment_id(template, APP_USER)}, {"Ref": attachment_id(template)}],
        },
    ]
    assert cluster_arn["Fn::Join"][1][-1] == {"Ref": cluster_id(template)}


def test_the_user_is_made_once_the_writer_is_up_and_before_the_service_and_its_rotation(
    template: Template,
) -> None:
    resources = template.to_json()["Resources"]
    user = user_resource_id(template)
    writer = only_logical_id(template, "AWS::RDS::DBInstance")
    assert writer in resources[user]["DependsOn"]
    service = only_logical_id(template, "AWS::AppRunner::Service")
    assert user in resources[service]["DependsOn"]
    (rotation,) = [
        name
        for name, resource in template.find_resources("AWS::Serverless::Application").items()
        if "masterSecretArn" in resource["Properties"]["Parameters"]
    ]
    assert user in resources[rotation]["DependsOn"]


def redeploy_role_statements(template: Template) -> list[Any]:
    machine = only_logical_id(template, "AWS::StepFunctions::StateMachine")
    role = properties(template, machine)["RoleArn"]["Fn::GetAtt"][0]
    (statements,) = role_policy_statements(template, role)
    return [statement for statement in statements if statement["Resource"] != "*"]


def test_a_successful_rotation_of_the_app_secret_starts_the_redeployment(template: Template) -> None:
    machine = only_logical_id(template, "AWS::StepFunctions::StateMachine")
    template.has_resource_properties(
        "AWS::Events::Rule",
        {
            "EventPattern": {
                "source": ["aws.secretsmanager"],
                "detail-type": ["AWS Service Event via CloudTrail"],
                "detail": {
                    "eventSource": ["secretsmanager.amazonaws.com"],
                    "eventName": ["RotationSucceeded"],
                    # That secret only: the master user's rotation concerns no instance.
                    "additionalEventData": {"SecretId": [{"Ref": attachment_id(template, APP_USER)}]},
                },
            },
            "State": "ENABLED",
            "Targets": [Match.object_like({"Arn": {"Ref": machine}})],
        },
    )


def test_the_redeployment_starts_an_app_runner_deployment_of_the_service_only(template: Template) -> None:
    service = only_logical_id(template, "AWS::AppRunner::Service")
    machine = properties(template, only_logical_id(template, "AWS::StepFunctions::StateMachine"))
    definition = json.dumps(machine["DefinitionString"])
    assert ":states:::aws-sdk:apprunner:startDeployment" in definition
    assert json.dumps({"Fn::GetAtt": [service, "ServiceArn"]}) in definition
    assert '\\"ErrorEquals\\":[\\"States.ALL\\"]' in definition  # another deployment: retried
    assert redeploy_role_statements(template) == [
        {
            "Action": "apprunner:StartDeployment",
            "Effect": "Allow",
            "Resource": {"Fn::GetAtt": [service, "ServiceArn"]},
        }
    ]
    assert machine["LoggingConfiguration"]["Level"] == "ALL"
